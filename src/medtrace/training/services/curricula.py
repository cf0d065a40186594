"""Curricula: which documents a job function (roles at a site, or named people) must be
trained on. Adding a document to a curriculum assigns training on its effective revision to
whoever the curriculum covers and is not trained yet."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import DocumentRevision
from medtrace.org.models import Site
from medtrace.training.models import Curriculum

FIELDS = ("name", "name_en", "requalify_months", "is_active")


def _refuse(message, field: str):
    raise DomainError(ErrorCode.VALIDATION, message, fields={field: [str(message)]})


def _check(curriculum: Curriculum, roles, documents, members) -> None:
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        _refuse(_("Unknown role: %(role)s.") % {"role": unknown[0]}, "roles")
    if not roles and not members:
        _refuse(_("Name the roles or the people this curriculum is for."), "roles")
    for document in documents:
        if document.organization_id != curriculum.organization_id:
            _refuse(_("A curriculum lists documents of its own organization."), "documents")
    for member in members:
        if member.organization_id != curriculum.organization_id:
            _refuse(_("A curriculum names people of its own organization."), "members")


def _check_readable(documents, *, listed_before, by) -> None:
    """A document is added to a curriculum only by someone who can read it: its number and
    title are another site's business otherwise (those listed already stay)."""
    from medtrace.documents.selectors import documents_for

    added = {document.pk: document for document in documents if document.pk not in listed_before}
    readable = set(documents_for(by).filter(pk__in=added).values_list("pk", flat=True))
    for pk, document in added.items():
        if pk not in readable:
            _refuse(
                _("%(number)s is not a controlled document you can read.")
                % {"number": document.number},
                "documents",
            )


def _content(curriculum: Curriculum) -> dict:
    return {
        "roles": sorted(curriculum.roles),
        "documents": sorted(curriculum.documents.values_list("number", flat=True)),
        "members": sorted(curriculum.members.values_list("username", flat=True)),
    }


def _assign_effective(curriculum: Curriculum, documents, *, by) -> None:
    from medtrace.training.services.assignments import assign_for_revision

    revisions = DocumentRevision.objects.filter(
        document__in=documents, status=RevisionStatus.EFFECTIVE
    ).select_related("document")
    for revision in revisions:
        assign_for_revision(revision, by=by, only=curriculum)


@transaction.atomic
def create_curriculum(
    *, site: Site, code: str, name: str, by, roles=(), documents=(), members=(), **fields
) -> Curriculum:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"not settable here: {', '.join(sorted(unknown))}")
    curriculum = Curriculum(
        organization_id=site.organization_id,
        site=site,
        code=code.strip().upper(),
        name=name.strip(),
        roles=list(dict.fromkeys(roles)),
        **fields,
    )
    validated(curriculum)
    documents, members = list(documents), list(members)
    _check(curriculum, curriculum.roles, documents, members)
    _check_readable(documents, listed_before=set(), by=by)
    try:
        with transaction.atomic():
            curriculum.save()
    except IntegrityError:
        raise DomainError(
            ErrorCode.DUPLICATE,
            _("Curriculum %(code)s exists already.") % {"code": curriculum.code},
            fields={"code": [str(_("Taken."))]},
        ) from None
    curriculum.documents.set(documents)
    curriculum.members.set(members)
    changes = audit.created(curriculum)
    changes.update({key: [None, value] for key, value in _content(curriculum).items()})
    audit.record(AuditAction.CREATE, curriculum, by=by, changes=changes)
    _assign_effective(curriculum, documents, by=by)
    return curriculum


@transaction.atomic
def update_curriculum(
    curriculum: Curriculum, *, by, roles=None, documents=None, members=None, **changes
) -> Curriculum:
    """Change a curriculum; whoever it newly covers is assigned training on the effective
    revisions of its documents (nobody loses a qualification by being taken off)."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
    curriculum = Curriculum.objects.select_for_update().get(pk=curriculum.pk)
    before, content_before = audit.snapshot(curriculum), _content(curriculum)
    for field, value in changes.items():
        setattr(curriculum, field, value)
    if roles is not None:
        curriculum.roles = list(dict.fromkeys(roles))
    listed_before = set(curriculum.documents.values_list("pk", flat=True))
    documents = list(curriculum.documents.all()) if documents is None else list(documents)
    members = list(curriculum.members.all()) if members is None else list(members)
    validated(curriculum)
    _check(curriculum, curriculum.roles, documents, members)
    _check_readable(documents, listed_before=listed_before, by=by)
    curriculum.save()
    curriculum.documents.set(documents)
    curriculum.members.set(members)
    diff = audit.diff(before, curriculum)
    for key, value in _content(curriculum).items():
        if value != content_before[key]:
            diff[key] = [content_before[key], value]
    if diff:
        audit.record(AuditAction.CHANGE, curriculum, by=by, changes=diff)
    if curriculum.is_active:
        _assign_effective(curriculum, documents, by=by)
    return curriculum
