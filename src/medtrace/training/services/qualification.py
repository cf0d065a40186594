"""Whether someone is qualified: on a document (trained on the revision in force, or on the
last one that needed training, and not lapsed) and on a routing operation (on every document
it requires). `can_perform` is what production asks before an operation is recorded."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import ControlledDocument, DocumentRevision
from medtrace.training.choices import Assessment
from medtrace.training.models import TrainingRecord

# The revisions that were in force at some time.
WERE_EFFECTIVE = (RevisionStatus.EFFECTIVE, RevisionStatus.SUPERSEDED, RevisionStatus.OBSOLETE)


def revision_in_force(document: ControlledDocument, at: datetime) -> DocumentRevision | None:
    return (
        document.revisions.filter(
            status__in=WERE_EFFECTIVE, effective_at__isnull=False, effective_at__lte=at
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .order_by("-revision")
        .first()
    )


@dataclass(frozen=True)
class Qualification:
    document: ControlledDocument
    in_force: DocumentRevision | None  # the revision people work to at that time
    needed: DocumentRevision | None  # the revision whose training counts (none: no training)
    record: TrainingRecord | None  # the record that qualifies, if any

    @property
    def qualified(self) -> bool:
        return self.in_force is not None and (self.needed is None or self.record is not None)


def trained_revision(user, document: ControlledDocument, *, at: datetime) -> Qualification:
    """How `user` stands at `at` on the revision of `document` then in force: a revision that
    did not need training is covered by training on the last one that did."""
    in_force = revision_in_force(document, at)
    if in_force is None:
        return Qualification(document, None, None, None)
    needed = (
        document.revisions.filter(
            status__in=WERE_EFFECTIVE,
            effective_at__isnull=False,
            revision__lte=in_force.revision,
            training_required=True,
        )
        .order_by("-revision")
        .first()
    )
    if needed is None:
        return Qualification(document, in_force, None, None)
    record = (
        TrainingRecord.objects.filter(
            trainee=user,
            revision__document=document,
            revision__revision__gte=needed.revision,
            revision__revision__lte=in_force.revision,
            completed_at__lte=at,
        )
        .exclude(assessment=Assessment.FAILED)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate(at)))
        .order_by("-completed_at")
        .first()
    )
    return Qualification(document, in_force, needed, record)


@dataclass
class Verdict:
    """Whether someone may perform an operation, and each reason why not."""

    allowed: bool = True
    reasons: list[str] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)

    def refuse(self, reason: str) -> None:
        self.allowed = False
        self.reasons.append(reason)


def can_perform(user, operation, at: datetime | None = None) -> Verdict:
    """Whether `user` was (at `at`, default now) trained on every document the routing
    operation requires, on the revision then in force."""
    at = at or timezone.now()
    verdict = Verdict()
    numbers = list(operation.documents or [])
    documents = {
        document.number: document
        for document in ControlledDocument.objects.filter(
            organization_id=operation.routing.organization_id, number__in=numbers
        )
    }
    for number in numbers:
        document = documents.get(number)
        if document is None:
            verdict.refuse(
                _("Operation %(operation)s requires %(number)s, which is not a controlled "
                  "document.") % {"operation": operation.name, "number": number}
            )  # fmt: skip
            continue
        standing = trained_revision(user, document, at=at)
        verdict.qualifications.append(standing)
        if standing.in_force is None:
            verdict.refuse(
                _("%(number)s, required by operation %(operation)s, has no effective revision.")
                % {"number": number, "operation": operation.name}
            )
        elif not standing.qualified:
            verdict.refuse(
                _("%(user)s is not trained on %(revision)s, required by operation "
                  "%(operation)s.")
                % {"user": user.printed_name, "revision": standing.needed,
                   "operation": operation.name}
            )  # fmt: skip
    return verdict


def require_can_perform(user, operation, at: datetime | None = None) -> Verdict:
    """can_perform, or DomainError(PERMISSION_DENIED) naming every missing qualification."""
    verdict = can_perform(user, operation, at)
    if not verdict.allowed:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            " ".join(verdict.reasons),
            cause="not_trained",
            reasons=verdict.reasons,
        )
    return verdict
