"""A document revision's lifecycle, declared once (medtrace.core.workflow): drafted, submitted
by its author's signature, approved by one signature per required role, effective on its
date, superseded by the next or withdrawn."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow
from medtrace.documents.choices import RevisionStatus as S

CHANGE = "documents.change_controlleddocument"
APPROVE = "documents.approve_document"

REVISION = Workflow(
    S,
    [
        Transition(
            "submit",
            _("Submit for review"),
            sources=[S.DRAFT],
            target=S.IN_REVIEW,
            permission=CHANGE,
            signature=SignatureMeaning.AUTHORED,
        ),
        # Taken once per required role; the revision is approved with the last of them
        # (services.revisions.approve).
        Transition(
            "approve",
            _("Approve"),
            sources=[S.IN_REVIEW],
            target=S.APPROVED,
            permission=APPROVE,
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "return_to_draft",
            _("Return to the author"),
            sources=[S.IN_REVIEW],
            target=S.DRAFT,
            permission=APPROVE,
            needs_reason=True,
        ),
        Transition(
            "make_effective",
            _("Make effective"),
            sources=[S.APPROVED],
            target=S.EFFECTIVE,
            permission=APPROVE,
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            sources=[S.DRAFT, S.IN_REVIEW, S.APPROVED],
            target=S.OBSOLETE,
            permission=CHANGE,
            needs_reason=True,
        ),
        Transition(
            "make_obsolete",
            _("Make obsolete"),
            sources=[S.EFFECTIVE],
            target=S.OBSOLETE,
            permission=APPROVE,
            signature=SignatureMeaning.WITHDRAWN,
            needs_reason=True,
        ),
    ],
)
