"""The audit trail's pages: the filtered log (a full page, or its table for htmx), the CSV
export of the same filter (itself audited), and the chain verification button."""

import csv
import json
from datetime import UTC

from django.db.models import Max
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.audit import selectors, services
from medtrace.audit.choices import AuditAction
from medtrace.audit.forms import AuditFilterForm
from medtrace.audit.models import AuditEntry
from medtrace.audit.selectors import VERIFY_PERM, VIEW_PERM
from medtrace.core.csv_export import BOM, safe_cell
from medtrace.core.decorators import perm_required
from medtrace.core.paging import paginate

CSV_BATCH = 500


def _filter_form(request, *, with_choices: bool) -> AuditFilterForm:
    data = request.GET.copy()
    data.pop("page", None)
    if not data and request.site is not None:
        # Lists narrow to the site chosen in the header until the reader filters otherwise.
        data["site"] = str(request.site.pk)
    return AuditFilterForm(data, user=request.user, with_choices=with_choices)


def _log_context(request, form: AuditFilterForm, **extra) -> dict:
    entries = selectors.filtered(selectors.visible_entries(request.user), form.filters())
    page = paginate(request, selectors.newest_first(entries.select_related("site")))
    page.object_list = selectors.with_record_urls(page.object_list)
    filter_query = form.data.urlencode()
    return {
        "form": form,
        "page": page,
        "filter_query": filter_query,
        "page_prefix": f"{filter_query}&" if filter_query else "",
        "can_verify": request.user.has_perm(VERIFY_PERM),
        **extra,
    }


@vary_on_headers("HX-Request")
@perm_required(VIEW_PERM)
def audit_log(request):
    """The log, newest first; for the filter form's htmx requests, only the results."""
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    form = _filter_form(request, with_choices=not fragment)
    template = "audit/audit_log_table.html" if fragment else "audit/audit_log.html"
    return render(request, template, _log_context(request, form))


@perm_required(VIEW_PERM)
def audit_export(request):
    """The current filter's entries as CSV, streamed. The export is audited first, with the
    filter and the row count; rows written after that count are not part of the file."""
    filters = _filter_form(request, with_choices=False).filters()
    last = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    entries = selectors.filtered(selectors.visible_entries(request.user), filters)
    entries = entries.filter(pk__lte=last)
    rows = entries.count()
    services.record(
        AuditAction.EXPORT,
        by=request.user,
        object_type="audit.auditentry",
        object_repr="audit trail CSV",
        changes={"filters": filters.as_dict(), "rows": rows},
    )
    # Streaming runs after the view returns, when the request's time zone and language are
    # no longer active: take what the rows need now.
    lines = _csv_lines(
        selectors.newest_first(entries.select_related("chain", "site")),
        zone=timezone.get_current_timezone(),
        header=_csv_header(),
        actions={value: str(label) for value, label in AuditAction.choices},
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response


def _csv_header() -> list[str]:
    return [
        _("Time"),
        _("Time (UTC)"),
        _("Chain"),
        _("Sequence"),
        _("User"),
        _("Site"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
        _("Reason"),
        _("Request id"),
        _("Client IP"),
        _("API token"),
        _("Entry hash"),
    ]


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value):
        return value


def _csv_lines(entries, *, zone, header, actions):
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    batch = []
    for entry in entries.iterator(chunk_size=2000):
        batch.append(
            writer.writerow(
                [
                    entry.at.astimezone(zone).isoformat(timespec="seconds"),
                    entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
                    entry.chain.key,
                    entry.sequence,
                    safe_cell(entry.actor_name),
                    entry.site.code if entry.site_id else "",
                    actions.get(entry.action, entry.action),
                    entry.object_type,
                    safe_cell(entry.object_id),
                    safe_cell(entry.object_repr),
                    json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
                    safe_cell(entry.reason),
                    entry.request_id,
                    entry.client_ip,
                    entry.api_token,
                    entry.entry_hash,
                ]
            )
        )
        if len(batch) >= CSV_BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


@require_POST
@perm_required(VERIFY_PERM)
def audit_verify(request):
    """Recompute every chain now (inline: it checks tens of thousands of entries a second)."""
    check = services.verify_chains(by=request.user)
    result = {"check": check, "heads": services.own_heads(check, request.user)}
    if request.htmx:
        return render(request, "audit/audit_verify_result.html", result)
    form = _filter_form(request, with_choices=True)
    return render(request, "audit/audit_log.html", _log_context(request, form, **result))
