"""Controlled documents as records: registering one (with its first draft), changing its
description, owner and scope, and the approval route per document type. A revision's content
and lifecycle are services.revisions'."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.core.validation import validated
from medtrace.documents.choices import DEFAULT_APPROVERS, NUMBER_PREFIX, DocumentType
from medtrace.documents.models import ApprovalRoute, ControlledDocument, DocumentRevision
from medtrace.documents.services.common import checked_file, refuse
from medtrace.org.models import Organization, Site

DOCUMENT_FIELDS = ("title", "title_en", "owner", "review_interval_months")


def _next_number(organization: Organization, document_type: str) -> str:
    """PREFIX-NNNN, one more than the highest of its type; the organization row is locked
    by the caller so two registrations cannot take the same number."""
    prefix = NUMBER_PREFIX[document_type]
    pattern = re.compile(rf"^{prefix}-(\d+)\Z")
    numbers = ControlledDocument.objects.filter(
        organization=organization, number__startswith=f"{prefix}-"
    ).values_list("number", flat=True)
    taken = [int(match[1]) for number in numbers if (match := pattern.match(number))]
    return f"{prefix}-{max(taken, default=0) + 1:04d}"


def _check_scope(site: Site, applies_to) -> list[Site]:
    sites = {s.pk: s for s in applies_to}
    sites[site.pk] = site
    for other in sites.values():
        if other.organization_id != site.organization_id:
            refuse(ErrorCode.VALIDATION, _("A document applies only within its organization."))
    return list(sites.values())


def _duplicate(number: str):
    refuse(
        ErrorCode.DUPLICATE,
        _("Document number %(number)s is already taken.") % {"number": number},
        "number",
    )


@transaction.atomic
def create_document(
    *,
    site: Site,
    document_type: str,
    title: str,
    change_summary: str,
    by,
    number: str = "",
    title_en: str = "",
    owner=None,
    applies_to=(),
    review_interval_months: int = 24,
    body: str = "",
    file=None,
    effective_on=None,
) -> ControlledDocument:
    """Register a controlled document owned by `site` with its first revision as a draft; the
    number is allocated (SOP-0007) unless one is given."""
    # NO KEY: a mutex among registrations that leaves rows referring to the organization free
    # (a plain FOR UPDATE blocks their foreign-key checks and deadlocks with audit writers).
    organization = Organization.objects.select_for_update(no_key=True).get(pk=site.organization_id)
    number = number.strip().upper() or _next_number(organization, document_type)
    if ControlledDocument.objects.filter(organization=organization, number=number).exists():
        _duplicate(number)
    document = ControlledDocument(
        organization=organization,
        site=site,
        number=number,
        title=title.strip(),
        title_en=title_en.strip(),
        document_type=document_type,
        owner=owner or by,
        review_interval_months=review_interval_months,
    )
    validated(document)
    sites = _check_scope(site, applies_to)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        _duplicate(number)
    document.applies_to.set(sites)
    changes = audit.created(document)
    changes["applies_to"] = [None, sorted(s.code for s in sites)]
    audit.record(AuditAction.CREATE, document, by=by, changes=changes)
    from medtrace.documents.services.revisions import new_draft  # one module each way

    new_draft(
        document,
        by=by,
        change_summary=change_summary,
        body=body,
        file=file,
        effective_on=effective_on,
    )
    return document


@transaction.atomic
def update_document(
    document: ControlledDocument, *, by, reason: str = "", applies_to=None, **changes
) -> ControlledDocument:
    """Change a document's title, owner, review interval or the sites where it is in force;
    its number, type and owning site stay."""
    unknown = set(changes) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
    document = ControlledDocument.objects.select_for_update().get(pk=document.pk)
    if not by.has_perm("documents.change_controlleddocument", document):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing %(number)s.") % {"number": document.number},
        )
    before = audit.snapshot(document)
    for field, value in changes.items():
        setattr(document, field, value.strip() if isinstance(value, str) else value)
    validated(document)
    document.save()
    diff = audit.diff(before, document)
    if applies_to is not None:
        old = sorted(document.applies_to.values_list("code", flat=True))
        sites = _check_scope(document.site, applies_to)
        new = sorted(s.code for s in sites)
        if new != old:
            document.applies_to.set(sites)
            diff["applies_to"] = [old, new]
    if diff:
        audit.record(AuditAction.CHANGE, document, by=by, changes=diff, reason=reason)
    return document


def approver_roles(organization_id: int, document_type: str) -> list[str]:
    route = ApprovalRoute.objects.filter(
        organization_id=organization_id, document_type=document_type
    ).first()
    return list(route.roles) if route else [str(r) for r in DEFAULT_APPROVERS[document_type]]


@transaction.atomic
def set_approval_route(
    *, organization: Organization, document_type: str, roles: list[str], by
) -> ApprovalRoute:
    """Which roles must each approve a revision of `document_type`; revisions already in
    review keep counting against the route as it is when each approval is given."""
    DocumentType(document_type)
    roles = list(dict.fromkeys(roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        refuse(ErrorCode.VALIDATION, _("Unknown role: %(role)s.") % {"role": unknown[0]}, "roles")
    if not roles:
        refuse(ErrorCode.VALIDATION, _("A revision needs at least one approver."), "roles")
    route, created = ApprovalRoute.objects.select_for_update().get_or_create(
        organization=organization, document_type=document_type, defaults={"roles": roles}
    )
    before = [] if created else list(route.roles)
    if before != roles:
        route.roles = roles
        route.save(update_fields=["roles"])
        audit.record(
            AuditAction.CREATE if created else AuditAction.CHANGE,
            route,
            by=by,
            changes={"document_type": [None, document_type], "roles": [before or None, roles]},
        )
    return route


def attach_file(revision: DocumentRevision, file) -> None:
    """Put `file` on the (unsaved or draft) revision, replacing its authored content."""
    revision.file_name, revision.file_sha256 = checked_file(file)
    revision.file = file
    revision.body = ""
