"""Printed copies: each print of a revision is recorded (who, when, to whom). Controlled
copies are numbered per revision and issued by document control, of the effective revision
only; any reader may print an uncontrolled copy of what they may read."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import DocumentCopy, DocumentRevision
from medtrace.documents.services.common import refuse


@transaction.atomic
def issue_copy(
    revision: DocumentRevision, *, by, controlled: bool, issued_to: str = ""
) -> DocumentCopy:
    revision = (
        DocumentRevision.objects.select_for_update().select_related("document").get(pk=revision.pk)
    )
    if controlled:
        if not by.has_perm("documents.approve_document", revision):
            refuse(
                ErrorCode.PERMISSION_DENIED,
                _("Only document control issues controlled copies of %(number)s.")
                % {"number": revision.document.number},
            )
        if revision.status != RevisionStatus.EFFECTIVE:
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(revision)s is %(status)s; only the effective revision has controlled copies.")
                % {"revision": revision, "status": revision.get_status_display()},
            )
        if not issued_to.strip():
            refuse(
                ErrorCode.VALIDATION,
                _("Say to whom (person or workstation) the controlled copy is issued."),
                "issued_to",
            )
    last = revision.copies.filter(controlled=True).aggregate(last=Max("copy_number"))["last"]
    copy = DocumentCopy.objects.create(
        revision=revision,
        controlled=controlled,
        copy_number=(last or 0) + 1 if controlled else None,
        issued_to=issued_to.strip()[:200],
        printed_by=by,
    )
    audit.record(
        AuditAction.EXPORT,
        revision,
        by=by,
        changes={
            "copy": [None, "controlled" if controlled else "uncontrolled"],
            "copy_number": [None, copy.copy_number],
            "issued_to": [None, copy.issued_to or None],
        },
    )
    return copy
