"""Reads of training: the curricula, assignments and records a user may see (those of the sites
where their roles let them read training), overdue assignments, whom a trainer may assign at a
site, and the training matrix of a site: its people by the documents of its curricula, each
cell how the person stands on the document, computed in a handful of queries whatever the
size of the site."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.accounts.roles import Role
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import ControlledDocument, DocumentRevision
from medtrace.org import access
from medtrace.org.models import Membership, Site
from medtrace.training.choices import Assessment, AssignmentStatus, MatrixCell
from medtrace.training.models import Curriculum, TrainingAssignment, TrainingRecord
from medtrace.training.services.qualification import WERE_EFFECTIVE

User = get_user_model()

VIEW_ASSIGNMENTS = "training.view_trainingassignment"
ADD_ASSIGNMENT = "training.add_trainingassignment"
ADD_RECORD = "training.add_trainingrecord"

ASSIGNMENT_RELATED = ("site", "trainee", "revision__document", "curriculum")
RECORD_RELATED = ("site", "trainee", "trainer", "revision__document", "signature")


# --- lists ----------------------------------------------------------------------------------


def visible_curricula(user, *, perm: str | None = None) -> QuerySet[Curriculum]:
    return access.scoped(Curriculum.objects.select_related("site"), user, perm=perm)


def get_curriculum_or_404(user, pk, *, perm: str | None = None) -> Curriculum:
    return access.get_scoped_or_404(
        Curriculum.objects.select_related("site"), user, perm=perm, pk=pk
    )


def visible_assignments(user) -> QuerySet[TrainingAssignment]:
    return access.scoped(TrainingAssignment.objects.select_related(*ASSIGNMENT_RELATED), user)


def get_assignment_or_404(user, pk) -> TrainingAssignment:
    return access.get_scoped_or_404(
        TrainingAssignment.objects.select_related(*ASSIGNMENT_RELATED), user, pk=pk
    )


def visible_records(user) -> QuerySet[TrainingRecord]:
    return access.scoped(TrainingRecord.objects.select_related(*RECORD_RELATED), user)


def open_assignments_of(user) -> QuerySet[TrainingAssignment]:
    """The user's own open assignments (at the sites where they may read training, where
    they may also sign them), soonest due first."""
    return (
        visible_assignments(user)
        .filter(trainee=user, status=AssignmentStatus.OPEN)
        .order_by("due_on", "pk")
    )


def records_of(user) -> QuerySet[TrainingRecord]:
    """The user's own training records, newest first."""
    return visible_records(user).filter(trainee=user).order_by("-completed_at", "-pk")


def overdue(assignments: QuerySet[TrainingAssignment], today: date):
    return assignments.filter(status=AssignmentStatus.OPEN, due_on__lt=today)


def is_overdue(assignment: TrainingAssignment, today: date) -> bool:
    return assignment.status == AssignmentStatus.OPEN and assignment.due_on < today


def records_for_assignment(user, assignment: TrainingAssignment) -> QuerySet[TrainingRecord]:
    """The trainee's records on the assignment's document, any revision (a retake shows the
    failed attempt before it), newest first."""
    return (
        visible_records(user)
        .filter(
            trainee_id=assignment.trainee_id, revision__document_id=assignment.revision.document_id
        )
        .order_by("-completed_at", "-pk")
    )


def listable_documents(user, curriculum: Curriculum | None = None) -> QuerySet[ControlledDocument]:
    """The documents `user` may put on a curriculum: those they can read (owned by or in force
    at one of their sites), and those the curriculum lists already (kept, not offered anew)."""
    from medtrace.documents.selectors import documents_for

    readable = Q(pk__in=documents_for(user).values("pk"))
    if curriculum is not None:
        readable |= Q(pk__in=curriculum.documents.values("pk"))
    return ControlledDocument.objects.filter(readable)


def sites_with(user, perm: str) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=access.site_ids_with_perm(user, perm)).order_by("code")


def people_at(sites) -> QuerySet:
    """Active users holding a role at one of `sites` (whom a trainer there may assign)."""
    members = Membership.objects.filter(site__in=sites, revoked_at__isnull=True)
    return User.objects.filter(is_active=True, pk__in=members.values("user_id"))


def works_at(user, site: Site) -> bool:
    return Membership.objects.filter(user=user, site=site, revoked_at__isnull=True).exists()


def effective_revisions(user) -> QuerySet[DocumentRevision]:
    """The effective revisions of the documents the user may read (what may be assigned)."""
    from medtrace.documents.selectors import documents_for

    return (
        DocumentRevision.objects.filter(
            status=RevisionStatus.EFFECTIVE, document__in=documents_for(user)
        )
        .select_related("document")
        .order_by("document__number")
    )


def people_visible_to(user, perm: str = "training.view_trainingrecord") -> QuerySet:
    """Whose training the user may read: people of the sites where they may read records,
    and themselves."""
    members = Membership.objects.filter(
        site_id__in=access.site_ids_with_perm(user, perm), revoked_at__isnull=True
    )
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=members.values("user_id")))


def role_labels(roles) -> list[str]:
    return [str(Role(role).label) for role in roles if role in Role.values]


# --- the matrix -----------------------------------------------------------------------------


SYMBOLS = {
    MatrixCell.TRAINED: "✓",
    MatrixCell.DUE: "○",
    MatrixCell.OVERDUE: "!",
    MatrixCell.EXPIRED: "✕",
    MatrixCell.NOT_REQUIRED: "·",
}


@dataclass(frozen=True)
class Column:
    document: ControlledDocument
    in_force: DocumentRevision  # the revision people work to now
    needed: DocumentRevision | None  # the revision whose training counts (none: no training)


@dataclass(frozen=True)
class Cell:
    """How one person stands on one document: `revision` is the one trained on (trained,
    expired) or to train on (due, overdue); `on` the day trained, due or lapsed; `until` the
    day a qualification holds to."""

    document: ControlledDocument
    status: str
    revision: DocumentRevision | None = None
    on: date | None = None
    until: date | None = None
    assignment_id: int | None = None

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]

    @property
    def label(self) -> str:
        return str(MatrixCell(self.status).label)

    @property
    def note(self) -> str:
        """The cell's title: the revision and the date, in words."""
        values = {"revision": self.revision, "on": self.on, "until": self.until}
        if self.status == MatrixCell.TRAINED:
            if self.revision is None:
                return _("No revision of it needs training.")
            if self.until:
                return _("%(revision)s · trained %(on)s · qualified until %(until)s") % values
            return _("%(revision)s · trained %(on)s") % values
        if self.status == MatrixCell.EXPIRED:
            return _("%(revision)s · qualification lapsed %(on)s") % values
        if self.status in (MatrixCell.DUE, MatrixCell.OVERDUE):
            if self.on is None:
                return _("%(revision)s · not assigned yet") % values
            return _("%(revision)s · due %(on)s") % values
        return ""


@dataclass
class Row:
    user: object
    roles: list[str]
    cells: list[Cell]

    @property
    def role_labels(self) -> list[str]:
        return role_labels(self.roles)


@dataclass
class Matrix:
    site: Site
    today: date
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(MatrixCell.values, 0)
        for row in self.rows:
            for cell in row.cells:
                totals[cell.status] += 1
        return totals


def curricula_of(site: Site) -> QuerySet[Curriculum]:
    """The active curricula that matter at `site`: its own, and those listing a document in
    force there (their roles are trained wherever the document is in force)."""
    return (
        Curriculum.objects.filter(organization_id=site.organization_id, is_active=True)
        .filter(Q(site=site) | Q(documents__site=site) | Q(documents__applies_to=site))
        .distinct()
        .order_by("code")
    )


def _revisions(documents: dict[int, ControlledDocument], now: datetime):
    """({document id: (in force now, needed)}, {revision id: revision}) from one query over the
    revisions that were in force at some time (the rule of qualification.trained_revision)."""
    rows = DocumentRevision.objects.filter(
        document_id__in=documents, status__in=WERE_EFFECTIVE, effective_at__isnull=False
    ).order_by("document_id", "revision")
    by_document: dict[int, list[DocumentRevision]] = {}
    for revision in rows:
        revision.document = documents[revision.document_id]  # no query for its name
        by_document.setdefault(revision.document_id, []).append(revision)
    found = {}
    for document_id, revisions in by_document.items():
        in_force = None
        for revision in revisions:
            if revision.effective_at <= now and (
                revision.ended_at is None or revision.ended_at > now
            ):
                in_force = revision
        if in_force is None:
            continue
        needed = None
        for revision in revisions:
            if revision.revision <= in_force.revision and revision.training_required:
                needed = revision
        found[document_id] = (in_force, needed)
    by_id = {r.pk: r for revisions in by_document.values() for r in revisions}
    return found, by_id


def training_matrix(
    site: Site,
    *,
    curriculum: Curriculum | None = None,
    role: str | None = None,
    now: datetime | None = None,
) -> Matrix:
    """The site's people (whoever holds a role there, and the named members of its own
    curricula) by the documents in force of the curricula that matter there; narrowed to one
    curriculum (and the people it covers) or one role (its holders, and the documents of the
    curricula naming it). A cell is required when a curriculum of the site names the person,
    or names a role they hold at the site while the document is in force there."""
    now = now or timezone.now()
    matrix = Matrix(site=site, today=site.local_date(now))
    curricula = [c for c in curricula_of(site) if curriculum is None or c.pk == curriculum.pk]
    ids = [c.pk for c in curricula]
    docs_of = _grouped(
        Curriculum.documents.through.objects.filter(curriculum_id__in=ids),
        "curriculum_id",
        "controlleddocument_id",
    )
    members_of = _grouped(
        Curriculum.members.through.objects.filter(curriculum_id__in=ids), "curriculum_id", "user_id"
    )
    document_ids = set().union(*docs_of.values())
    documents = ControlledDocument.objects.in_bulk(document_ids)
    applies = ControlledDocument.applies_to.through.objects.filter(
        controlleddocument_id__in=document_ids, site_id=site.pk
    ).values_list("controlleddocument_id", flat=True)
    here = {pk for pk, d in documents.items() if d.site_id == site.pk} | set(applies)
    revisions, revision_by_id = _revisions(documents, now)

    def contributes(c: Curriculum) -> set[int]:
        return {d for d in docs_of.get(c.pk, ()) if d in here or c.site_id == site.pk}

    shown = set().union(*(contributes(c) for c in curricula if role is None or role in c.roles))
    for document in sorted(documents.values(), key=lambda d: d.number):
        if document.pk in shown and document.pk in revisions:
            matrix.columns.append(Column(document, *revisions[document.pk]))

    roles_of = _grouped(
        Membership.objects.filter(site=site, revoked_at__isnull=True, user__is_active=True),
        "user_id",
        "role",
    )
    own_members = set().union(
        *(members_of.get(c.pk, set()) for c in curricula if c.site_id == site.pk)
    )

    def required(user_id: int, document_id: int) -> bool:
        held = roles_of.get(user_id, set())
        for c in curricula:
            if document_id not in docs_of.get(c.pk, ()):
                continue
            if c.site_id == site.pk and user_id in members_of.get(c.pk, ()):
                return True
            if document_id in here and held & set(c.roles):
                return True
        return False

    people = set(roles_of) | own_members
    if role is not None:
        people = {pk for pk in people if role in roles_of.get(pk, ())}
    users = sorted(
        User.objects.filter(pk__in=people, is_active=True),
        key=lambda u: (u.printed_name.casefold(), u.username),
    )
    column_ids = [column.document.pk for column in matrix.columns]
    records = _records([u.pk for u in users], column_ids)
    assignments = _open_assignments([u.pk for u in users], column_ids)
    for user in users:
        cells = []
        for column in matrix.columns:
            key = (user.pk, column.document.pk)
            if required(*key):
                cell = _cell(
                    column, records.get(key, []), assignments.get(key), revision_by_id, site, now
                )
            else:
                cell = Cell(column.document, MatrixCell.NOT_REQUIRED)
            cells.append(cell)
        if curriculum is not None and all(c.status == MatrixCell.NOT_REQUIRED for c in cells):
            continue  # narrowed to a curriculum: only the people it covers
        matrix.rows.append(Row(user, sorted(roles_of.get(user.pk, ())), cells))
    return matrix


def _grouped(queryset, key: str, value: str) -> dict[int, set]:
    grouped: dict[int, set] = {}
    for k, v in queryset.values_list(key, value):
        grouped.setdefault(k, set()).add(v)
    return grouped


def _records(user_ids, document_ids) -> dict[tuple[int, int], list[dict]]:
    """{(trainee, document): records that may qualify, newest first} in one query."""
    rows = (
        TrainingRecord.objects.filter(
            trainee_id__in=user_ids, revision__document_id__in=document_ids
        )
        .exclude(assessment=Assessment.FAILED)
        .order_by("-completed_at")
        .values(
            "trainee_id",
            "revision_id",
            "revision__document_id",
            "revision__revision",
            "completed_at",
            "valid_until",
        )
    )
    found: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        found.setdefault((row["trainee_id"], row["revision__document_id"]), []).append(row)
    return found


def _open_assignments(user_ids, document_ids) -> dict[tuple[int, int], dict]:
    """{(trainee, document): the open assignment due first} in one query."""
    rows = (
        TrainingAssignment.objects.filter(
            trainee_id__in=user_ids,
            revision__document_id__in=document_ids,
            status=AssignmentStatus.OPEN,
        )
        .order_by("due_on", "pk")
        .values("pk", "trainee_id", "revision_id", "revision__document_id", "due_on")
    )
    found: dict[tuple[int, int], dict] = {}
    for row in rows:
        found.setdefault((row["trainee_id"], row["revision__document_id"]), row)
    return found


def _cell(column: Column, records, assignment, revision_by_id, site: Site, now) -> Cell:
    """A required cell: trained (a passing record on a revision from the one needed to the
    one in force, not lapsed), else overdue (an open assignment past its date), else expired
    (such a record, lapsed), else due (assigned, or not assigned yet)."""
    document, needed, in_force = column.document, column.needed, column.in_force
    if needed is None:
        return Cell(document, MatrixCell.TRAINED)
    today = site.local_date(now)
    counting = [
        r
        for r in records
        if needed.revision <= r["revision__revision"] <= in_force.revision
        and r["completed_at"] <= now
    ]
    valid = [r for r in counting if r["valid_until"] is None or r["valid_until"] >= today]
    if valid:
        best = valid[0]
        return Cell(
            document,
            MatrixCell.TRAINED,
            revision_by_id.get(best["revision_id"]),
            site.local_date(best["completed_at"]),
            best["valid_until"],
        )
    assigned = revision_by_id.get(assignment["revision_id"], needed) if assignment else None
    if assignment is not None and assignment["due_on"] < today:
        return Cell(
            document, MatrixCell.OVERDUE, assigned, assignment["due_on"],
            assignment_id=assignment["pk"],
        )  # fmt: skip
    if counting:
        lapsed = max(counting, key=lambda r: r["valid_until"])
        return Cell(
            document,
            MatrixCell.EXPIRED,
            revision_by_id.get(lapsed["revision_id"]),
            lapsed["valid_until"],
            assignment_id=assignment["pk"] if assignment else None,
        )
    if assignment is not None:
        return Cell(
            document, MatrixCell.DUE, assigned, assignment["due_on"],
            assignment_id=assignment["pk"],
        )  # fmt: skip
    return Cell(document, MatrixCell.DUE, in_force)


def matrix_site(user, requested=None) -> Site | None:
    """The site whose matrix the user sees: the one asked for or the header's, if they may
    read training there; else the first of their sites that they may (plants first)."""
    sites = sites_with(user, VIEW_ASSIGNMENTS)
    if requested is not None:
        chosen = sites.filter(pk=getattr(requested, "pk", requested)).first()
        if chosen is not None:
            return chosen
    # Sites that keep curricula of their own (the plants) before the others.
    own = Count("curricula", filter=Q(curricula__is_active=True))
    return sites.annotate(own=own).order_by("-own", "code").first()


def may_record(user, assignment: TrainingAssignment) -> bool:
    return (
        assignment.status == AssignmentStatus.OPEN
        and assignment.trainee_id != user.pk
        and user.has_perm(ADD_RECORD, assignment)
    )


def get_open_assignment_of(user, pk) -> TrainingAssignment:
    return get_object_or_404(open_assignments_of(user), pk=pk)
