"""Reading inspection plans and records: what a user may see (the plans of their own
organization, the records of the sites where they may view them), a record's results as a
grid of samples by characteristic, and the audit-trail links."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from medtrace.core.numbers import plain
from medtrace.org import access
from medtrace.quality import selectors as ncr_selectors
from medtrace.quality.models import (
    Characteristic,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    Nonconformance,
)
from medtrace.quality.services import inspection as inspections

RECORD_RELATED = (
    "site", "plan", "plan__item", "lot", "lot__item", "supplier", "inspector",
)  # fmt: skip


def visible_plans(user) -> QuerySet[InspectionPlan]:
    """Organization-wide master data: whoever may view plans anywhere sees all of their
    organization's, nothing of another's."""
    if (
        not user.is_authenticated
        or user.organization_id is None
        or not user.has_perm("quality.view_inspectionplan")
    ):
        return InspectionPlan.objects.none()
    return InspectionPlan.objects.filter(organization_id=user.organization_id).select_related(
        "item"
    )


def get_plan_or_404(user, pk: int) -> InspectionPlan:
    return get_object_or_404(visible_plans(user), pk=pk)


def visible_inspections(user, *, perm: str | None = None) -> QuerySet[InspectionRecord]:
    return access.scoped(InspectionRecord.objects.select_related(*RECORD_RELATED), user, perm=perm)


def get_inspection_or_404(user, pk: int, *, perm: str | None = None) -> InspectionRecord:
    return access.get_scoped_or_404(
        InspectionRecord.objects.select_related(*RECORD_RELATED), user, perm=perm, pk=pk
    )


def nonconformance_of(user, record: InspectionRecord) -> Nonconformance | None:
    """The NCR the record's rejection opened, if the user may see it."""
    return (
        ncr_selectors.visible_nonconformances(user).filter(inspection=record).order_by("pk").first()
    )


# --- the results grid ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    characteristic: Characteristic
    sample: int
    enabled: bool  # within the sample size of the characteristic's defect class
    result: InspectionResult | None
    typed: str | None = None  # what a refused save of the grid held in the cell

    @property
    def original(self) -> str:
        """The stored value, which the grid sends back beside the cell (see parse_grid)."""
        return shown_value(self.result)

    @property
    def name(self) -> str:
        return cell_name(self.characteristic.pk, self.sample)

    @property
    def shown(self) -> str:
        """The value as the grid's input holds it: "pass" / "fail", or the number."""
        return self.typed.strip() if self.typed is not None else shown_value(self.result)

    @property
    def nonconforming(self) -> bool:
        return self.result is not None and not self.result.conforming


@dataclass(frozen=True)
class Column:
    characteristic: Characteristic
    sample_size: int
    recorded: int


@dataclass(frozen=True)
class Row:
    sample: int
    cells: list[Cell]


def cell_name(characteristic_id: int, sample: int) -> str:
    return f"r-{characteristic_id}-{sample}"


def shown_value(result: InspectionResult | None) -> str:
    if result is None:
        return ""
    if result.value is not None:
        return plain(result.value)
    return "pass" if result.passed else "fail"


def results_grid(record: InspectionRecord, *, typed=None) -> tuple[list[Column], list[Row]]:
    """One column per characteristic, one row per sampled unit (1 to the units drawn); a cell
    is open up to its characteristic's class sample size. Two queries, however large. `typed`
    (a refused POST of the grid) fills the cells with what was typed in them."""
    characteristics = list(record.plan.characteristics.all())
    results = {(row.characteristic_id, row.sample): row for row in record.results.all()}
    sizes = {c.pk: inspections.sample_size_of(record, c) for c in characteristics}
    columns = [
        Column(
            characteristic=c,
            sample_size=sizes[c.pk],
            recorded=sum(1 for key in results if key[0] == c.pk),
        )
        for c in characteristics
    ]
    rows = [
        Row(
            sample=sample,
            cells=[
                Cell(
                    characteristic=c,
                    sample=sample,
                    enabled=sample <= sizes[c.pk],
                    result=results.get((c.pk, sample)),
                    typed=typed.get(cell_name(c.pk, sample)) if typed is not None else None,
                )
                for c in characteristics
            ],
        )
        for sample in range(1, record.sample_size + 1)
    ]
    return columns, rows


# --- audit-trail links (audit.selectors.register_record_type, see apps.py) -------------------


def plan_url(object_id: str, site) -> str | None:
    return reverse("quality:plan-detail", args=[int(object_id)]) if object_id.isdigit() else None


def plan_for_history(user, object_id: str) -> InspectionPlan:
    return get_plan_or_404(user, int(object_id) if object_id.isdigit() else 0)


def inspection_url(object_id: str, site) -> str | None:
    if not object_id.isdigit():
        return None
    return reverse("quality:inspection-detail", args=[int(object_id)])


def inspection_for_history(user, object_id: str) -> InspectionRecord:
    return get_inspection_or_404(user, int(object_id) if object_id.isdigit() else 0)
