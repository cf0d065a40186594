"""Document control's choices: the kinds of controlled document and a revision's lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role


class DocumentType(models.TextChoices):
    QUALITY_MANUAL = "quality_manual", _("Quality manual")
    PROCEDURE = "procedure", _("Standard operating procedure (SOP)")
    WORK_INSTRUCTION = "work_instruction", _("Work instruction")
    FORM = "form", _("Form / template")
    SPECIFICATION = "specification", _("Specification")
    DRAWING = "drawing", _("Drawing")


# The prefix of a document number allocated by the system (SOP-0007).
NUMBER_PREFIX = {
    DocumentType.QUALITY_MANUAL: "QM",
    DocumentType.PROCEDURE: "SOP",
    DocumentType.WORK_INSTRUCTION: "WI",
    DocumentType.FORM: "FRM",
    DocumentType.SPECIFICATION: "SPEC",
    DocumentType.DRAWING: "DWG",
}

# Whose approval a revision needs when the organization has not configured a route for its
# type: QA approves everything; work instructions also need the production supervisor who
# runs the line they instruct.
DEFAULT_APPROVERS = {
    DocumentType.QUALITY_MANUAL: [Role.QA_MANAGER],
    DocumentType.PROCEDURE: [Role.QA_MANAGER],
    DocumentType.WORK_INSTRUCTION: [Role.PRODUCTION_SUPERVISOR, Role.QA_MANAGER],
    DocumentType.FORM: [Role.QA_MANAGER],
    DocumentType.SPECIFICATION: [Role.QA_MANAGER],
    DocumentType.DRAWING: [Role.QA_MANAGER],
}


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved, not yet effective")
    EFFECTIVE = "effective", _("Effective")
    SUPERSEDED = "superseded", _("Superseded")
    OBSOLETE = "obsolete", _("Obsolete")


# A revision whose content may still change.
EDITABLE_STATES = (RevisionStatus.DRAFT,)
# Revisions on their way to becoming effective: at most one per document at a time.
PENDING_STATES = (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED)


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Still valid: no change needed")
    REVISE = "revise", _("Needs a revision: a draft is started")


class Market(models.TextChoices):
    """Whose rules a generated document is written to."""

    NMPA = "nmpa", _("China (NMPA)")
    FDA = "fda", _("United States (FDA)")
    EU = "eu", _("European Union (MDR)")
