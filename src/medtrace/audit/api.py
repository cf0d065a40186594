"""The audit trail over the REST API: the filtered log, one entry, a record's history, and
chain verification. Reads are scoped like the audit log page (selectors.visible_entries).
The periodic reviews of the trail are in review_api, mounted here."""

from datetime import date, datetime
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from medtrace.audit import selectors, services
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.audit.review_api import router as review_router
from medtrace.audit.selectors import NO_SITE, VERIFY_PERM, VIEW_PERM
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm

router = Router(tags=["audit trail"])
router.add_router("", review_router)


class EntryOut(Schema):
    id: int
    chain: str
    sequence: int
    at: datetime
    site: str | None = Field(None, description="Site code; null for organization-level entries")
    actor_id: int | None
    actor_name: str
    action: AuditAction
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    reason: str
    request_id: str
    client_ip: str
    api_token: str
    previous_hash: str
    entry_hash: str

    @staticmethod
    def resolve_chain(entry: AuditEntry) -> str:
        return entry.chain.key

    @staticmethod
    def resolve_site(entry: AuditEntry) -> str | None:
        return entry.site.code if entry.site_id else None


class EntryQuery(Schema):
    date_from: date | None = Field(None, description="From this day (in the server's time zone)")
    date_to: date | None = Field(None, description="Up to and including this day")
    user: int | None = Field(None, description="Id of the user who acted")
    site: str | None = Field(None, description=f"Site code, or '{NO_SITE}' for entries of no site")
    object_type: str | None = Field(None, description="e.g. org.location")
    object_id: str | None = None
    action: AuditAction | None = None
    q: str | None = Field(None, description="Text in the object, object id, reason or user name")


class HeadOut(Schema):
    chain: str
    sequence: int
    hash: str


class ProblemOut(Schema):
    chain: str
    sequence: int
    reason: str


class VerifyOut(Schema):
    ok: bool
    entries: int = Field(..., description="Entries verified (before the problem, if any)")
    checkpoints: int = Field(..., description="Signed checkpoints the chains were checked against")
    heads: list[HeadOut] = Field(..., description="Heads of your organization's chains")
    problem: str | None = Field(None, description="The first problem found, in words")
    problem_at: ProblemOut | None = Field(None, description="Where that problem is")


def _filters(request, query: EntryQuery) -> selectors.EntryFilters:
    site_id, without_site = None, False
    if query.site == NO_SITE:
        without_site = True
    elif query.site:
        site = selectors.viewable_sites(request.user).filter(code=query.site).first()
        site_id = site.pk if site else 0  # an unknown or hidden site matches nothing
    return selectors.EntryFilters(
        date_from=query.date_from,
        date_to=query.date_to,
        actor_id=query.user,
        site_id=site_id,
        without_site=without_site,
        object_type=query.object_type or "",
        object_id=query.object_id or "",
        action=query.action or "",
        text=query.q or "",
    )


def _entries(request):
    return selectors.visible_entries(request.user).select_related("chain", "site")


@router.get("/entries", response={200: list[EntryOut], **READ_ERRORS})
@paginate(Pages)
def list_entries(request, filters: Query[EntryQuery]):
    """Audit entries the caller may see, newest first."""
    require_perm(request, VIEW_PERM)
    return selectors.newest_first(selectors.filtered(_entries(request), _filters(request, filters)))


@router.get("/entries/{entry_id}", response={200: EntryOut, **READ_ERRORS})
def get_entry(request, entry_id: int):
    require_perm(request, VIEW_PERM)
    return get_object_or_404(_entries(request), pk=entry_id)


@router.get("/history/{object_type}/{object_id}", response={200: list[EntryOut], **READ_ERRORS})
@paginate(Pages)
def record_history(request, object_type: str, object_id: str):
    """One record's entries, newest first; 404 when the record is not visible to the caller."""
    require_perm(request, VIEW_PERM)
    record = selectors.scoped_record(request.user, object_type, object_id)
    if record is not None and not selectors.may_see_history(request.user, record):
        raise Http404
    entries = _entries(request).filter(object_type=object_type, object_id=object_id)
    return selectors.newest_first(entries)


@router.post("/verify", response={200: VerifyOut, **WRITE_ERRORS})
def verify(request):
    """Recompute every chain against the signed checkpoints; the check is itself audited."""
    require_perm(request, VERIFY_PERM)
    check = services.verify_chains(by=request.user)
    problem = check.result.problem
    return {
        "ok": check.ok,
        "entries": check.result.entries,
        "checkpoints": check.checkpoints,
        "heads": [
            {"chain": key, "sequence": sequence, "hash": digest}
            for key, (sequence, digest) in services.own_heads(check, request.user).items()
        ],
        "problem": check.problem or None,
        "problem_at": (
            {"chain": problem.chain, "sequence": problem.sequence, "reason": problem.reason}
            if problem
            else None
        ),
    }
