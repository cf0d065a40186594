"""Import and export of master data sheets.

An import is two steps. `upload` reads the file, parses every row and then hands each row to
the owning app's services inside a transaction that is rolled back (a dry run): the report so
catches every rule those services enforce, for every row (each row runs in its own savepoint,
so one refusal does not hide the next). The file and its report are kept as an ImportBatch.
`apply_batch` then runs the same rows again in one transaction and commits only if none is
refused: all or nothing, and the data is re-validated at that moment, so a batch validated
against yesterday's data cannot slip through. The services write one audit entry per created
or changed record; the batch writes one more, in the same transaction.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.exchange import kinds, sheets
from medtrace.exchange.cells import CellError, is_empty
from medtrace.exchange.choices import (
    STATUS_TRANSITIONS,
    BatchStatus,
    FileFormat,
    ImportKind,
    RowAction,
)
from medtrace.exchange.kinds import Context, Done, Kind, Problem, Row, RowError
from medtrace.exchange.models import ImportBatch
from medtrace.org.models import Site

# The report keeps this many problems; the count says how many there were.
MAX_REPORTED_PROBLEMS = 1000


@dataclass
class Outcome:
    rows: int
    problems: list[Problem] = field(default_factory=list)
    done: list[Done] = field(default_factory=list)

    def report(self) -> dict:
        problems = sorted(self.problems, key=lambda problem: (problem.row, problem.column))
        counts = {action.value: 0 for action in RowAction}
        for done in self.done:
            counts[done.action] += 1
        return {
            "rows": self.rows,
            "problem_count": len(problems),
            "problems": [problem.as_dict() for problem in problems[:MAX_REPORTED_PROBLEMS]],
            "counts": counts,
            "actions": [[done.row, str(done.action), done.key] for done in self.done],
        }


def _refuse(code: ErrorCode, message):
    raise DomainError(code, message)


def require_import(user, kind: str) -> None:
    if getattr(user, "organization_id", None) is None or not kinds.can_import(user, kind):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow importing %(kind)s (%(perms)s).")
            % {"kind": ImportKind(kind).label, "perms": ", ".join(kinds.get(kind).import_perms)},
        )


def require_export(user, kind: str) -> None:
    if getattr(user, "organization_id", None) is None or not kinds.can_export(user, kind):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow exporting %(kind)s (%(perm)s).")
            % {"kind": ImportKind(kind).label, "perm": kinds.get(kind).view_perm},
        )


# Reading the rows.


def _header_problems(kind: Kind, headers: list[str]) -> list[Problem]:
    known = {column.key for column in kind.columns}
    problems, seen = [], set()
    for header in headers:
        if header and header not in known:
            problems.append(
                Problem(
                    1,
                    header,
                    header,
                    "unknown_column",
                    _("Unknown column %(column)s; the columns of %(kind)s are: %(known)s.")
                    % {
                        "column": header,
                        "kind": kind.kind.label,
                        "known": ", ".join(column.key for column in kind.columns),
                    },
                )
            )
        elif header and header in seen:
            problems.append(
                Problem(
                    1,
                    header,
                    header,
                    "duplicate_column",
                    _("Column %(column)s appears twice.") % {"column": header},
                )
            )
        seen.add(header)
    for column in kind.columns:
        if column.required and column.key not in seen:
            problems.append(
                Problem(
                    1,
                    column.key,
                    "",
                    "missing_column",
                    _("The required column %(column)s (%(label)s) is missing.")
                    % {"column": column.key, "label": column.label},
                )
            )
    return problems


def _parse(kind: Kind, sheet: sheets.Sheet) -> tuple[list[Row], list[Row], list[Problem]]:
    """(good rows, rows with problems, problems)."""
    problems = _header_problems(kind, sheet.headers)
    if problems:
        return [], [], problems
    present = [column for column in kind.columns if column.key in sheet.headers]
    good, bad = [], []
    for number, cells in sheet.rows:
        raw = dict(zip(sheet.headers, cells, strict=True))
        row = Row(number=number, raw=raw, values={})
        row_problems = []
        for column in present:
            try:
                row.values[column.key] = column.read(raw[column.key])
            except CellError as error:
                row_problems.append(
                    Problem(
                        number, column.key, row.text(column.key), error.rule, str(error.message)
                    )
                )
        unnamed = any(
            not header and not is_empty(cell)
            for header, cell in zip(sheet.headers, cells, strict=True)
        )
        if unnamed or number in sheet.overflow:
            row_problems.append(
                Problem(
                    number,
                    "",
                    "",
                    "no_header",
                    _("This row has a value in a column without a name in row 1."),
                )
            )
        problems.extend(row_problems)
        (bad if row_problems else good).append(row)
    return good, bad, problems


def _run(kind: Kind, sheet: sheets.Sheet, context: Context) -> Outcome:
    """Every row through the services, each unit (a row, or a BOM's rows) in a savepoint, in
    the caller's transaction. Returns what was done and every problem found."""
    good, bad, problems = _parse(kind, sheet)
    outcome = Outcome(rows=len(sheet.rows), problems=problems)
    for row in bad:
        _mark_failed(kind, context, row)
    first_row: dict[tuple, int] = {}
    unique = []
    for row in good:
        key = kind.key(row)
        if key is not None and key in first_row:
            column = kind.key_columns()[-1]
            outcome.problems.append(
                Problem(
                    row.number,
                    column,
                    row.text(column),
                    "duplicate_in_file",
                    _("The same record is already on row %(row)s; each record may appear once.")
                    % {"row": first_row[key]},
                )
            )
            continue
        if key is not None:
            first_row[key] = row.number
        unique.append(row)
    for unit in kind.units(unique):
        try:
            with transaction.atomic():
                outcome.done.extend(kind.apply(context, unit))
        except RowError as error:
            outcome.problems.extend(error.problems)
        except DomainError as error:
            outcome.problems.extend(kind.problems_from(error, unit[0]))
        else:
            continue
        for row in unit:
            _mark_failed(kind, context, row)
    return outcome


def _mark_failed(kind: Kind, context: Context, row: Row) -> None:
    key = kind.key(row)
    if key is not None:
        context.failed_keys.setdefault(key, row.number)


def _dry_run(kind: Kind, sheet: sheets.Sheet, context: Context) -> Outcome:
    with transaction.atomic():
        outcome = _run(kind, sheet, context)
        transaction.set_rollback(True)
    return outcome


def _sites_named(sheet: sheets.Sheet, organization) -> list[Site]:
    """The organization's sites named in the sheet's `site` column (the kinds of site records:
    equipment, opening stock, genealogy)."""
    if "site" not in sheet.headers:
        return []
    column = sheet.headers.index("site")
    codes = {str(cells[column]).strip().upper() for _number, cells in sheet.rows if cells[column]}
    return list(Site.objects.filter(organization=organization, code__in=codes))


def _status(outcome: Outcome) -> BatchStatus:
    return BatchStatus.ERRORS if outcome.problems else BatchStatus.READY


# The batch's operations.


def upload(*, user, kind: str, file_name: str, content: bytes, reason: str = "") -> ImportBatch:
    """Validate the file as `kind` (nothing is written but the batch) and keep it for apply."""
    kind = ImportKind(kind)
    require_import(user, kind)
    fmt = sheets.file_format(file_name)
    sheet = sheets.read(content, fmt)
    context = Context(organization=user.organization, user=user, reason=reason.strip())
    outcome = _dry_run(kinds.get(kind), sheet, context)
    digest = hashlib.sha256(content).hexdigest()
    report = outcome.report()
    earlier = (
        ImportBatch.objects.filter(
            organization=user.organization, kind=kind, sha256=digest, status=BatchStatus.APPLIED
        )
        .order_by("-applied_at")
        .values_list("pk", flat=True)
        .first()
    )
    if earlier:
        report["applied_before"] = earlier
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            organization=user.organization,
            kind=kind,
            file_name=file_name[:255],
            file_format=fmt,
            sha256=digest,
            size=len(content),
            content=content,
            row_count=outcome.rows,
            reason=reason.strip(),
            status=_status(outcome),
            report=report,
            created_by=user,
            validated_at=timezone.now(),
        )
        batch.sites.set(_sites_named(sheet, user.organization))
    return batch


def _locked(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().get(pk=batch.pk)


def _require_status(batch: ImportBatch, new: BatchStatus) -> None:
    if new in STATUS_TRANSITIONS[batch.status]:
        return
    messages = {
        BatchStatus.APPLIED: _(
            "Import batch #%(id)s was already applied; a batch is applied once."
        ),
        BatchStatus.DISCARDED: _("Import batch #%(id)s was discarded; upload the file again."),
        BatchStatus.ERRORS: _(
            "Import batch #%(id)s has problems; correct the file and upload it again, or "
            "validate it again once the data it needs exists."
        ),
    }
    _refuse(ErrorCode.INVALID_STATE, messages[batch.status] % {"id": batch.pk})


def _sheet(batch: ImportBatch) -> sheets.Sheet:
    content = bytes(batch.content)
    if hashlib.sha256(content).hexdigest() != batch.sha256:
        _refuse(
            ErrorCode.CONFLICT,
            _("The stored file of import batch #%(id)s no longer matches its SHA-256.")
            % {"id": batch.pk},
        )
    return sheets.read(content, batch.file_format)


def revalidate_batch(*, batch: ImportBatch, user) -> ImportBatch:
    """Validate the kept file again against today's data (e.g. after importing the items a
    BOM refers to)."""
    require_import(user, batch.kind)
    _require_status(batch, BatchStatus.READY)
    context = Context(organization=batch.organization, user=user, reason=batch.reason)
    sheet = _sheet(batch)
    outcome = _dry_run(kinds.get(batch.kind), sheet, context)
    with transaction.atomic():
        batch = _locked(batch)
        _require_status(batch, _status(outcome))
        batch.status = _status(outcome)
        batch.report = outcome.report()
        batch.validated_at = timezone.now()
        batch.save(update_fields=["status", "report", "validated_at"])
        batch.sites.set(_sites_named(sheet, batch.organization))  # sites made since upload
    return batch


class _Stale(Exception):
    def __init__(self, outcome: Outcome):
        super().__init__("refused rows at apply time")
        self.outcome = outcome


def apply_batch(*, batch: ImportBatch, user) -> ImportBatch:
    """Write every row of a ready batch in one transaction, or nothing. The rows are validated
    again inside that transaction; if one is refused now, nothing is written, the batch goes
    back to "has errors" with the new report, and the refusal says so."""
    require_import(user, batch.kind)
    try:
        with transaction.atomic():
            batch = _locked(batch)
            _require_status(batch, BatchStatus.APPLIED)
            context = Context(organization=batch.organization, user=user, reason=batch.reason)
            outcome = _run(kinds.get(batch.kind), _sheet(batch), context)
            if outcome.problems:
                raise _Stale(outcome)
            now = timezone.now()
            report = outcome.report()
            batch.status = BatchStatus.APPLIED
            batch.report = report
            batch.validated_at = now
            batch.applied_by = user
            batch.applied_at = now
            batch.save(
                update_fields=["status", "report", "validated_at", "applied_by", "applied_at"]
            )
            audit.record(
                AuditAction.TRANSITION,
                batch,
                by=user,
                changes={
                    "status": [BatchStatus.READY, BatchStatus.APPLIED],
                    "kind": batch.kind,
                    "file_name": batch.file_name,
                    "sha256": batch.sha256,
                    "rows": batch.row_count,
                    **report["counts"],
                },
                reason=batch.reason,
            )
    except _Stale as stale:
        with transaction.atomic():
            batch = _locked(batch)
            batch.status = BatchStatus.ERRORS
            batch.report = stale.outcome.report()
            batch.validated_at = timezone.now()
            batch.save(update_fields=["status", "report", "validated_at"])
        raise DomainError(
            ErrorCode.CONFLICT,
            _(
                "Nothing was imported: %(count)s problem(s) were found when applying import "
                "batch #%(id)s (the data changed since it was validated). See the new report."
            )
            % {"count": stale.outcome.report()["problem_count"], "id": batch.pk},
        ) from None
    return batch


@transaction.atomic
def discard_batch(*, batch: ImportBatch, user) -> ImportBatch:
    require_import(user, batch.kind)
    batch = _locked(batch)
    _require_status(batch, BatchStatus.DISCARDED)
    previous = batch.status
    batch.status = BatchStatus.DISCARDED
    batch.discarded_at = timezone.now()
    batch.save(update_fields=["status", "discarded_at"])
    audit.record(
        AuditAction.TRANSITION,
        batch,
        by=user,
        changes={"status": [previous, BatchStatus.DISCARDED]},
    )
    return batch


# Export.


def export(*, user, kind: str, fmt: str) -> bytes:
    """The user's visible records of `kind` as a file in the columns the import reads. The
    export is audited (what, in which format, how many rows)."""
    kind, fmt = ImportKind(kind), FileFormat(fmt)
    require_export(user, kind)
    spec = kinds.get(kind)
    rows = list(spec.export_rows(user))
    content = sheets.write(fmt, spec.columns, rows, title=kind)
    audit.record(
        AuditAction.EXPORT,
        by=user,
        object_type="exchange.export",
        object_id=str(kind),
        object_repr=f"{kind} ({fmt})",
        changes={"kind": kind, "format": fmt, "rows": len(rows)},
    )
    return content


def template(*, kind: str, fmt: str) -> bytes:
    """An empty sheet of `kind`: the header row (and, in .xlsx, a sheet explaining columns)."""
    spec = kinds.get(ImportKind(kind))
    return sheets.write(FileFormat(fmt), spec.columns, [], title=kind)
