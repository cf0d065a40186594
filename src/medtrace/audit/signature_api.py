"""Electronic signatures over the REST API: sign a record (re-entering the password), and list
a record's signatures with whether each still matches the record."""

from datetime import datetime

from django.views.decorators.debug import sensitive_variables
from ninja import Field, Router, Schema, Status

from medtrace.audit import signatures
from medtrace.audit.choices import SignatureMeaning
from medtrace.audit.models import Signature
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm

router = Router(tags=["electronic signatures"])


class SignIn(Schema):
    meaning: SignatureMeaning
    password: str = Field(..., description="The signer's password, entered now (never stored)")
    reason: str = Field("", description="An optional comment kept with the signature")


class SignatureOut(Schema):
    id: int
    object_type: str
    object_id: str
    object_repr: str
    meaning: SignatureMeaning
    signer: str = Field(..., description="Username of the signer")
    signer_name: str = Field(..., description="Printed name at the time of signing")
    signed_at: datetime
    content_hash: str = Field(..., description="SHA-256 of the record's signed content")
    reason: str
    valid: bool = Field(..., description="False once the record changed after signing")


def signature_out(signature: Signature, valid: bool) -> dict:
    return {
        "id": signature.pk,
        "object_type": signature.object_type,
        "object_id": signature.object_id,
        "object_repr": signature.object_repr,
        "meaning": signature.meaning,
        "signer": signature.signer.username,
        "signer_name": signature.signer_name,
        "signed_at": signature.signed_at,
        "content_hash": signature.content_hash,
        "reason": signature.reason,
        "valid": valid,
    }


@router.get(
    "/{object_type}/{object_id}",
    response={200: list[SignatureOut], **READ_ERRORS},
    summary="List a record's signatures",
)
def list_signatures(request, object_type: str, object_id: str):
    """The signatures of a record (object_type like `audit.auditreview`), oldest first."""
    _entry, record = signatures.signable_record(request.user, object_type, object_id)
    return [
        signature_out(signature, valid) for signature, valid in signatures.with_validity(record)
    ]


@router.post(
    "/{object_type}/{object_id}",
    response={201: SignatureOut, **WRITE_ERRORS},
    summary="Sign a record",
)
@sensitive_variables("body")
def sign_record(request, object_type: str, object_id: str, body: SignIn):
    """Sign as the token's (or session's) user, who re-enters their password. A wrong
    password is refused (`signature_refused`) and counted; too many in a row lock the
    account."""
    entry, record = signatures.signable_record(request.user, object_type, object_id)
    require_perm(request, entry.permission, record)
    signatures.require_standalone(entry, record)
    signature = signatures.sign(
        record, body.meaning, by=request.user, password=body.password, reason=body.reason
    )
    return Status(201, signature_out(signature, True))
