"""A recall's lifecycle (medtrace.core.workflow): a draft is approved by QA's signature (the
holds are placed and the regulators' clocks start), closed by signature once recovered, or
cancelled as a draft with a reason."""

from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import SignatureMeaning
from medtrace.core.workflow import Transition, Workflow

from .choices import RecallStatus

RECALL = Workflow(
    RecallStatus,
    [
        Transition(
            "approve",
            _("Approve and start the recall"),
            sources=[RecallStatus.DRAFT],
            target=RecallStatus.APPROVED,
            permission="recall.approve_recall",
            signature=SignatureMeaning.APPROVED,
        ),
        Transition(
            "close",
            _("Close"),
            sources=[RecallStatus.APPROVED],
            target=RecallStatus.CLOSED,
            permission="recall.close_recall",
            signature=SignatureMeaning.VERIFIED,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[RecallStatus.DRAFT],
            target=RecallStatus.CANCELLED,
            permission="recall.change_recall",
            needs_reason=True,
        ),
    ],
)
