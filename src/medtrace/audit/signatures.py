"""Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200).

A record is signable when its model defines `signed_content(self) -> dict`: the fields that
make up what is signed (status fields that later move on legitimately are left out). A record
whose signatures of different meanings cover different fields (an approval before the
closure summary exists, the closure over it) defines `signed_content_for(self, meaning)`. A
signature stores the SHA-256 of the record's canonical content together with its type and
id, so it shows as invalid once the content changes, and cannot be copied to another record.

    register_signable(AuditReview, permission="audit.change_auditreview", meanings=[...])
    sign(review, SignatureMeaning.REVIEWED, by=user, password=typed)
"""

import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from medtrace.accounts import mfa, mfa_services
from medtrace.accounts import services as accounts
from medtrace.accounts.passwords import password_expired
from medtrace.audit import context
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.audit.models import Signature
from medtrace.core import ratelimit
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access

CONTENT_VERSION = 1
# A wrong password or authenticator code counts towards the lockout; other refusals do not.
FAILED_FACTORS = {"wrong_password", "wrong_otp"}


@dataclass(frozen=True)
class Signable:
    model: type[models.Model]
    permission: str
    meanings: tuple[str, ...]
    # False for records signed only by the workflow actions that need the signature (an
    # NCR's approval): a signature on its own would read as an approval that moved nothing.
    standalone: bool = True

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower


_registry: dict[str, Signable] = {}


def register_signable(
    model, *, permission: str, meanings=tuple(SignatureMeaning.values), standalone: bool = True
):
    """Let pages and the API sign `model`'s records: `permission` is needed at the record's
    site, and only `meanings` may be declared on it. With `standalone` false the records'
    signatures are listed, but given only by the services of their workflow."""
    if not callable(getattr(model, "signed_content", None)):
        raise TypeError(f"{model.__name__} has no signed_content(); it cannot be signed")
    entry = Signable(
        model=model, permission=permission, meanings=tuple(meanings), standalone=standalone
    )
    _registry[entry.object_type] = entry
    return entry


def require_standalone(entry: Signable, record) -> None:
    """Refuse a signature asked for on its own for a record signed through its workflow."""
    if not entry.standalone:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(record)s is signed through its actions (approve, close), not on its own.")
            % {"record": record},
        )


def signable(object_type: str) -> Signable | None:
    return _registry.get(object_type)


def signable_for(record) -> Signable | None:
    return _registry.get(object_type_of(record))


def signable_record(user, object_type: str, object_id: str):
    """(registry entry, record) for a signable record the user may see; Http404 otherwise,
    whether the record does not exist or belongs to a site the user cannot see."""
    entry = signable(object_type)
    if entry is None:
        raise Http404
    queryset = entry.model.objects.all()
    try:
        if _organization_wide(entry.model):
            if user.organization_id is None or not user.has_perm(access.view_perm(entry.model)):
                raise Http404
            record = get_object_or_404(queryset, organization_id=user.organization_id, pk=object_id)
        else:
            record = access.get_scoped_or_404(queryset, user, pk=object_id)
    except (ValueError, ValidationError):
        raise Http404 from None
    return entry, record


def _organization_wide(model) -> bool:
    """Master data of a whole organization (a catalog BOM): no site of its own."""
    names = {field.name for field in model._meta.get_fields()}
    return "site" not in names and "organization" in names


def object_type_of(record) -> str:
    return record._meta.label_lower


def canonical_content(record, meaning: str | None = None) -> bytes:
    """What a signature (of `meaning`) is bound to: the record's type, id and signed content
    as JSON (sorted keys, no whitespace, UTF-8), values in the audit trail's plain form."""
    signed_content = getattr(record, "signed_content", None)
    if not callable(signed_content):
        raise TypeError(f"{type(record).__name__} has no signed_content()")
    per_meaning = getattr(record, "signed_content_for", None)
    content = per_meaning(meaning) if callable(per_meaning) else signed_content()
    body = {
        "v": CONTENT_VERSION,
        "object_type": object_type_of(record),
        "object_id": str(record.pk),
        "content": audit.plain(content),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(record, meaning: str | None = None) -> str:
    return hashlib.sha256(canonical_content(record, meaning)).hexdigest()


def signatures_of(record):
    return Signature.objects.filter(
        object_type=object_type_of(record), object_id=str(record.pk)
    ).select_related("site", "signer")


def is_valid(signature: Signature, record) -> bool:
    """Whether the signature belongs to this record and the record still reads as signed."""
    return (
        signature.object_type == object_type_of(record)
        and signature.object_id == str(record.pk)
        and signature.content_hash == content_hash(record, signature.meaning)
    )


def with_validity(record) -> list[tuple[Signature, bool]]:
    """The record's signatures, oldest first, each with whether it still holds."""
    current: dict[str, str] = {}
    validity = []
    for signature in signatures_of(record):
        if signature.meaning not in current:
            current[signature.meaning] = content_hash(record, signature.meaning)
        validity.append((signature, signature.content_hash == current[signature.meaning]))
    return validity


def may_sign(user, entry: Signable, record) -> bool:
    """Whether `user` holds the entry's permission for `record` (org.access.permits)."""
    return access.permits(user, entry.permission, record)


def _refused(cause: str, message, code=ErrorCode.SIGNATURE_REFUSED) -> DomainError:
    return DomainError(code, message, cause=cause)


def _check(record, meaning: str, signer, by, password: str, otp: str) -> DomainError | None:
    """Why this attempt is refused, or None; has no side effects."""
    if not callable(getattr(record, "signed_content", None)):
        return _refused("not_signable", _("%(record)s cannot be signed.") % {"record": record})
    if not signer.is_active:
        return _refused("inactive", _("This account is deactivated; it cannot sign."))
    if signer.is_locked:
        return _refused(
            "locked",
            _("This account is locked; ask an administrator to unlock it before signing."),
        )
    if not password or not signer.check_password(password):
        return _refused("wrong_password", _("The password is wrong; the record was not signed."))
    second_factor = mfa_services.signing_refusal(signer, otp)
    if second_factor is not None:
        return _refused(*second_factor)
    if password_expired(signer):
        return _refused(
            "password_expired", _("Your password has expired; change it before signing.")
        )
    entry = signable_for(record)
    if entry is not None and not may_sign(by, entry, record):
        return _refused(
            "not_permitted",
            _("Your roles do not allow signing %(record)s.") % {"record": record},
            ErrorCode.PERMISSION_DENIED,
        )
    current = content_hash(record, meaning)
    if signatures_of(record).filter(signer=signer, meaning=meaning, content_hash=current).exists():
        return _refused(
            "already_signed",
            _("You already signed this record as “%(meaning)s”.")
            % {"meaning": SignatureMeaning(meaning).label},
            ErrorCode.INVALID_STATE,
        )
    return None


def _valid_meaning(record, meaning) -> str:
    entry = signable_for(record)
    allowed = entry.meanings if entry else tuple(SignatureMeaning.values)
    if meaning not in allowed:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Choose what your signature means: %(choices)s.")
            % {"choices": ", ".join(str(SignatureMeaning(m).label) for m in allowed)},
            fields={"meaning": [str(meaning)]},
        )
    return str(meaning)


@sensitive_variables("password", "otp")
def sign(record, meaning, *, by, password: str, otp: str | None = None, reason: str = ""):
    """Sign `record` as `by`, who re-enters their password now (§11.200(a)(1)).

    A refusal raises DomainError (SIGNATURE_REFUSED for the identity checks) after its
    SIGN_FAILED entry is committed: that entry, and the lockout that the
    SIGNATURE_MAX_FAILURES-th wrong password in a row causes, must outlive the refusal.
    A signer with an authenticator also gives its current code (§11.200(a)(1)(i): both
    components at the first signing of a session, and here at every one): `otp`, or when None
    the code the request presents (accounts.mfa.presented_otp). A signer whose roles require
    two-factor sign-in and who has no authenticator is refused. Neither the password nor the
    code is stored or logged, and a used code is not accepted again.
    """
    if otp is None:
        otp = mfa.presented_otp.get()
    # Requests are limited, not the command line, jobs or the demo, which sign in bulk.
    if context.over_the_network() and not ratelimit.count(
        "signature", str(by.pk), limit=settings.RATE_LIMIT_SIGNATURES
    ):
        raise ratelimit.refusal()
    meaning = _valid_meaning(record, meaning)
    reason = reason.strip()
    with transaction.atomic():
        # Locks the signer's row: concurrent attempts count their failures one by one.
        signer = get_user_model().objects.select_for_update().get(pk=by.pk)
        # What is signed is what is stored, read under a lock so that no correction slips in
        # between hashing and committing (not the caller's copy, which may be stale or edited).
        record = type(record)._base_manager.select_for_update().get(pk=record.pk)
        refusal = _check(record, meaning, signer, by, password, otp)
        if refusal is None:
            mfa_services.use_signing_code(signer, otp)
            signature = _write(record, meaning, signer, reason)
        else:
            refusal = _record_refusal(record, meaning, signer, refusal, reason)
    if refusal is not None:
        raise refusal
    return signature


def _write(record, meaning: str, signer, reason: str) -> Signature:
    digest = content_hash(record, meaning)
    entry = audit.record(
        AuditAction.SIGN,
        record,
        by=signer,
        changes={
            "meaning": [None, meaning],
            "content_hash": [None, digest],
            "signer_name": [None, signer.printed_name],
        },
        reason=reason,
    )
    accounts.reset_signature_failures(user=signer)
    return Signature.objects.create(
        organization_id=entry.organization_id,
        site_id=entry.site_id,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        meaning=meaning,
        signer=signer,
        signer_name=signer.printed_name[:200],
        signed_at=entry.at,
        content_hash=digest,
        reason=reason,
        audit_entry=entry,
    )


def record_refusal(record, meaning, *, by, refusal: DomainError, reason: str = "") -> DomainError:
    """Record a refused signature on `record` (its SIGN_FAILED entry and, for a wrong password,
    the failure count) when the record the signature was asked for is not kept: a workflow
    that signs a decision it writes for the purpose rolls the decision back with the refusal
    (core.workflow, `signed`), and the refusal is recorded here, on the record decided.
    Returns the error to raise."""
    if "cause" not in refusal.details:
        return refusal  # not an identity check (a meaning the record does not take)
    signer = get_user_model().objects.select_for_update().get(pk=by.pk)
    return _record_refusal(record, str(meaning), signer, refusal, reason.strip())


def _record_refusal(record, meaning: str, signer, refusal: DomainError, reason: str):
    cause = refusal.details["cause"]
    audit.record(
        AuditAction.SIGN_FAILED,
        record,
        by=signer,
        changes={"meaning": [None, meaning], "cause": cause},
        reason=reason,
    )
    if cause in FAILED_FACTORS and accounts.record_failed_signature(user=signer):
        return DomainError(
            refusal.code,
            _(
                "%(refusal)s After too many failed attempts the account is now locked: an "
                "administrator must unlock it."
            )
            % {"refusal": refusal.message},
            cause=cause,
            locked=True,
        )
    return refusal
