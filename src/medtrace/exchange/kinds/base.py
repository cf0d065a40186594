"""What every kind of import shares: the parsed row, the problems a row can have, and the
Kind a module declares (its columns, permissions, how a row reaches the services, what an
export writes).

A kind never writes a record itself: each row (or group of rows, for a BOM) is handed to the
owning app's services, which enforce their rules and write the audit entries. A kind only
decides create-or-update by the record's natural key, leaves unchanged records alone (so no
audit entry is written for them), and names the column a refusal is about.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medtrace.core.errors import DomainError
from medtrace.exchange.cells import Column, as_text, choice
from medtrace.exchange.choices import ImportKind, RowAction
from medtrace.org.models import Organization, Site

YES_NO = gettext_lazy("yes / no (是 / 否)")
ISO_DATE = gettext_lazy("date, YYYY-MM-DD")
WHOLE_NUMBER = gettext_lazy("whole number")
NUMBER = gettext_lazy("number, '.' for decimals")


def label(model, name):
    return model._meta.get_field(name).verbose_name


def field_column(model, name, parse, required=False, help=""):
    """A column named like the model field it fills, labelled with the field's name."""
    return Column(name, label(model, name), parse, required=required, help=help)


def choice_column(model, name, choices, required=False):
    return Column(name, label(model, name), choice(choices), required=required, choices=choices)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class Row:
    """One data row: its number in the sheet, its raw cells and parsed values by column key
    (None for an empty cell or a column the file does not have)."""

    number: int
    raw: dict[str, Any]
    values: dict[str, Any]

    def __getitem__(self, key: str):
        return self.values.get(key)

    def text(self, key: str) -> str:
        return as_text(self.raw.get(key))

    def given(self, fields: Iterable[str]) -> dict[str, Any]:
        """The fields that have a value in this row (empty cells keep a record's value)."""
        return {name: self.values[name] for name in fields if self.values.get(name) is not None}


class RowError(Exception):
    """A kind's own refusal of a row (an unknown reference, a permission), with its problems."""

    def __init__(self, *problems: Problem):
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = list(problems)


@dataclass
class Context:
    organization: Organization
    user: Any
    reason: str = ""
    # Rows that failed so far, by natural key: a later row that refers to one (a package DI
    # containing it) says so instead of "not found".
    failed_keys: dict[tuple, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    row: int
    action: RowAction
    key: str


class Kind:
    kind: ClassVar[ImportKind]
    model: ClassVar[type[Model]]
    columns: ClassVar[tuple[Column, ...]]
    # A refusal naming a model field is shown in this column (default: the column of that name).
    field_columns: ClassVar[dict[str, str]] = {}

    # Permissions.

    @property
    def view_perm(self) -> str:
        return self._perm("view")

    @property
    def import_perms(self) -> tuple[str, str]:
        return self._perm("add"), self._perm("change")

    def _perm(self, action: str) -> str:
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

    # Rows.

    def key(self, row: Row) -> tuple | None:
        """The natural key of the row's record; two rows with one key are refused."""
        return None

    def key_columns(self) -> tuple[str, ...]:
        return ()

    def units(self, rows: list[Row]) -> list[list[Row]]:
        """The rows in the order they reach the services, grouped into what one call writes."""
        return [[row] for row in rows]

    def apply(self, context: Context, unit: list[Row]) -> list[Done]:
        raise NotImplementedError

    # Export.

    def export_rows(self, user) -> Iterator[dict]:
        raise NotImplementedError

    # Helpers for the kinds.

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def problems_from(self, error: DomainError, row: Row) -> list[Problem]:
        """A service's refusal as problems of `row`: one per field message when it names
        fields (each in its column), else one for the whole row."""
        keys = {column.key for column in self.columns}
        found = []
        for name, messages in (error.details.get("fields") or {}).items():
            column = self.field_columns.get(name, name)
            column = column if column in keys else ""
            for message in messages:
                found.append(
                    Problem(row.number, column, row.text(column), str(error.code), str(message))
                )
        return found or [Problem(row.number, "", "", str(error.code), str(error.message))]


def problem(row: Row, column: str, rule: str, message) -> Problem:
    return Problem(row.number, column, row.text(column), rule, str(message))


def unknown(row: Row, column: str, message) -> RowError:
    return RowError(problem(row, column, "unknown_reference", message))


def same(current, proposed) -> bool:
    """Whether a field's current value already is the row's (texts compared with the line
    endings a spreadsheet may have changed)."""
    if isinstance(current, str) and isinstance(proposed, str):
        return current.replace("\r\n", "\n").strip() == proposed.replace("\r\n", "\n").strip()
    return current == proposed


def changed(record: Model, proposed: dict[str, Any]) -> dict[str, Any]:
    """The proposed fields whose value differs from the record's; a related record is
    compared by its primary key."""
    changes = {}
    for name, value in proposed.items():
        current = getattr(record, name)
        if isinstance(value, Model) or isinstance(current, Model):
            if getattr(current, "pk", None) != getattr(value, "pk", None):
                changes[name] = value
        elif not same(current, value):
            changes[name] = value
    return changes


def site_of(context: Context, row: Row, perms: tuple[str, ...] = ()) -> Site:
    """The row's active site (column `site`), if the importer's roles there allow `perms`."""
    site = Site.objects.filter(
        organization=context.organization, code=row["site"], is_active=True
    ).first()
    if site is None:
        raise unknown(row, "site", _("There is no active site %(code)s.") % {"code": row["site"]})
    for perm in perms:
        require_at(context, row, perm, site)
    return site


def require_at(context: Context, row: Row, perm: str, site) -> None:
    """Refuse the row unless the importer's roles at `site` allow `perm`."""
    if not context.user.has_perm(perm, site):
        raise RowError(
            problem(
                row,
                "site",
                "permission_denied",
                _("Your roles at site %(site)s do not allow this (%(perm)s).")
                % {"site": site.code, "perm": perm},
            )
        )


def failed_reference(context: Context, key: tuple) -> str | None:
    row = context.failed_keys.get(key)
    if row is None:
        return None
    return _("row %(row)s, which has errors") % {"row": row}
