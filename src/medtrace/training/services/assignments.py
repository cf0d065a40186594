"""Who must train on what, and by when: assignments created when a revision takes effect (for
everyone a curriculum holding its document covers, at the sites where it is in force), when a
qualification lapses, or by hand; cancelled when a later revision supersedes them first."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import DocumentRevision
from medtrace.org.models import Membership, Site
from medtrace.training.choices import DUE_DAYS, Assessment, AssignmentStatus
from medtrace.training.models import Curriculum, TrainingAssignment, TrainingRecord
from medtrace.training.services.qualification import trained_revision

User = get_user_model()


def required_people(revision: DocumentRevision, *, only: Curriculum | None = None):
    """{user id: (site id, curriculum)} of whoever must know `revision`'s document: holders
    of a curriculum's role at a site where the document is in force, and named members."""
    document = revision.document
    sites = set(document.applies_to.values_list("pk", flat=True)) | {document.site_id}
    curricula = Curriculum.objects.filter(documents=document, is_active=True)
    if only is not None:
        curricula = curricula.filter(pk=only.pk)
    people: dict[int, tuple[int, Curriculum]] = {}
    for curriculum in curricula.prefetch_related("members"):
        holders = Membership.objects.filter(
            role__in=curriculum.roles,
            site_id__in=sites,
            revoked_at__isnull=True,
            user__is_active=True,
        ).values_list("user_id", "site_id")
        for user_id, site_id in holders.order_by("site_id"):
            people.setdefault(user_id, (site_id, curriculum))
        for member in curriculum.members.all():
            if member.is_active:
                people.setdefault(member.pk, (curriculum.site_id, curriculum))
    return people


def assign_for_revision(
    revision: DocumentRevision, *, by, only: Curriculum | None = None
) -> list[TrainingAssignment]:
    """Assign training on the (now effective) revision to everyone who must know it and is not
    qualified on it: whoever a revision needing training reaches, and, when it needs none (a
    typo), only those not trained on the one before (new people, open assignments). Open
    assignments on earlier revisions are cancelled and their people assigned this one by the
    same date. Called inside the transaction that makes the revision effective."""
    carried = {} if only is not None else _cancel_superseded(revision, by=by)
    people = required_people(revision, only=only)
    already = set(
        TrainingAssignment.objects.filter(
            revision=revision, status=AssignmentStatus.OPEN, trainee_id__in=people
        ).values_list("trainee_id", flat=True)
    )
    qualified = _qualified(revision, people)
    due = timezone.localdate() + timedelta(days=DUE_DAYS)
    created = []
    for user_id, (site_id, curriculum) in sorted(people.items()):
        if user_id in already or user_id in qualified:
            continue
        assignment = TrainingAssignment.objects.create(
            organization_id=revision.document.organization_id,
            site_id=site_id,
            trainee_id=user_id,
            revision=revision,
            curriculum=curriculum,
            reason=_("%(revision)s took effect") % {"revision": revision},
            due_on=min(due, carried.get(user_id, due)),
        )
        audit.record(AuditAction.CREATE, assignment, by=by, changes=audit.created(assignment))
        created.append(assignment)
    return created


def _qualified(revision: DocumentRevision, people) -> set[int]:
    """Who of `people` holds a qualifying record for `revision`: on it, or, when it needs no
    training, on a revision since the last one that did."""
    # The revision itself may not be saved as effective yet (this runs while it becomes so).
    needed = (
        revision.revision
        if revision.training_required
        else revision.document.revisions.filter(
            training_required=True, revision__lt=revision.revision, effective_at__isnull=False
        )
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
    )
    if needed is None:
        return set(people)  # no revision of it ever needed training
    return set(
        TrainingRecord.objects.filter(
            trainee_id__in=people,
            revision__document_id=revision.document_id,
            revision__revision__gte=needed,
            revision__revision__lte=revision.revision,
        )
        .exclude(assessment=Assessment.FAILED)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
        .values_list("trainee_id", flat=True)
    )


def _cancel_superseded(revision: DocumentRevision, *, by) -> dict[int, date]:
    """Cancel open assignments on earlier revisions; {trainee id: the due date they had}."""
    stale = TrainingAssignment.objects.select_for_update().filter(
        revision__document_id=revision.document_id,
        revision__revision__lt=revision.revision,
        status=AssignmentStatus.OPEN,
    )
    carried = {}
    for assignment in stale:
        carried[assignment.trainee_id] = assignment.due_on
        assignment.status, assignment.closed_at = AssignmentStatus.CANCELLED, timezone.now()
        assignment.save(update_fields=["status", "closed_at"])
        audit.record(
            AuditAction.TRANSITION,
            assignment,
            by=by,
            changes={"status": [AssignmentStatus.OPEN, AssignmentStatus.CANCELLED]},
            reason=_("Superseded by %(revision)s.") % {"revision": revision},
        )
    return carried


@transaction.atomic
def assign(
    *, trainee, revision: DocumentRevision, site: Site, due_on: date, by, reason: str
) -> TrainingAssignment:
    """QA assigns training on an effective revision by hand (a new hire, a retraining after
    a deviation), or a trainee asks for it."""
    if revision.status != RevisionStatus.EFFECTIVE:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(revision)s is not effective; only an effective revision is trained on.")
            % {"revision": revision},
        )
    if trainee.organization_id != revision.document.organization_id:
        raise DomainError(ErrorCode.VALIDATION, _("The trainee is not of this organization."))
    existing = TrainingAssignment.objects.filter(
        trainee=trainee, revision=revision, status=AssignmentStatus.OPEN
    ).first()
    if existing is not None:
        return existing
    assignment = TrainingAssignment.objects.create(
        organization_id=revision.document.organization_id,
        site=site,
        trainee=trainee,
        revision=revision,
        reason=reason.strip()[:200],
        due_on=due_on,
    )
    audit.record(AuditAction.CREATE, assignment, by=by, changes=audit.created(assignment))
    return assignment


def requalify_lapsed(*, today: date | None = None) -> list[TrainingAssignment]:
    """Assign retraining to everyone whose qualification on an effective revision lapsed and
    who has no newer record or open assignment for it (the daily job, as the system)."""
    today = today or timezone.localdate()
    lapsed = (
        TrainingRecord.objects.filter(
            valid_until__lt=today, revision__status=RevisionStatus.EFFECTIVE
        )
        .exclude(assessment="failed")
        .select_related("revision__document", "trainee")
    )
    created = []
    for record in lapsed:
        current = trained_revision(record.trainee, record.revision.document, at=timezone.now())
        if current.qualified:
            continue
        open_one = TrainingAssignment.objects.filter(
            trainee=record.trainee, revision=record.revision, status=AssignmentStatus.OPEN
        ).exists()
        if open_one:
            continue
        with transaction.atomic():
            assignment = TrainingAssignment.objects.create(
                organization_id=record.organization_id,
                site_id=record.site_id,
                trainee=record.trainee,
                revision=record.revision,
                reason=_("Qualification lapsed on %(date)s") % {"date": record.valid_until},
                due_on=today + timedelta(days=DUE_DAYS),
            )
            audit.record(AuditAction.CREATE, assignment, changes=audit.created(assignment))
        created.append(assignment)
    return created
