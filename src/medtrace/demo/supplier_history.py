"""A year of incoming inspections of the Tyvek pouches, so supplier quality has quarters to
compare. SUP-SHTYV is approved under conditions: its audit found a major gap in its sealing
process, and every lot is inspected in full until that CAPA is closed (demo.purchasing). So QA
wrote the incoming plan IP-TYV-IN and inspected each lot the year's history received, on the
day it came in. The earlier lots were clean (one smudged print); the lot of this quarter was
accepted with 4 pouches with pinholes in 200, within its acceptance number but a defect rate
far above the earlier quarters', so SUP-SHTYV drifts on the supplier dashboard.

The services sign each record with the system time, as they must; this step then dates the
record on the delivery day, as the trace history dates its events."""

from datetime import timedelta

from django.utils import timezone

from medtrace.analytics.supplier_trends import quarters
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.demo.quality import fill_samples
from medtrace.quality.choices import DefectClass, InspectionStage
from medtrace.quality.models import InspectionRecord
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.trace.choices import PartyRole
from medtrace.trace.models import Consignment, Lot

SITE, SUPPLIER, ITEM = "SZ01", "SUP-SHTYV", "PK-TYVEK"
SEAL = "密封区完整 Seal area intact"
PINHOLES = "无针孔 No pinholes"
PRINT = "印刷清晰 Print legible"
LOT_SIZE = 8000  # the usual order
EARLIER_FAILING = [{}, {PRINT: 1}, {}, {}]  # by delivery, oldest first
THIS_QUARTER_FAILING = {PINHOLES: 4}


def build_supplier_history(demo: DemoPlant) -> None:
    site, qa, inspector = demo.sites[SITE], demo.users["qa"], demo.users["inspector"]
    plan = inspection_plans.create_plan(
        organization=demo.organization, code="IP-TYV-IN",
        name="透析纸袋来料检验 Incoming Tyvek pouches", stage=InspectionStage.INCOMING,
        item=demo.items[ITEM], aql_major="1.0", aql_minor="2.5",
        characteristics=[
            {"name": SEAL, "kind": "attribute", "defect_class": DefectClass.MAJOR},
            {"name": PINHOLES, "kind": "attribute", "defect_class": DefectClass.MAJOR},
            {"name": PRINT, "kind": "attribute", "defect_class": DefectClass.MINOR},
        ],
        by=qa,
    )  # fmt: skip
    this_quarter = quarters(4, site.local_date())[-1].first_day
    earlier = iter(EARLIER_FAILING)
    for lot, delivered_at in _deliveries(site):
        latest = timezone.localtime(delivered_at).date() >= this_quarter
        record = inspections.start_inspection(
            site=site, plan=plan, lot=lot, lot_size=LOT_SIZE, by=inspector
        )
        failing = THIS_QUARTER_FAILING if latest else next(earlier, {})
        fill_samples(record, failing=failing, by=inspector)
        inspections.complete_inspection(record, by=inspector, password=DEMO_PASSWORD)
        InspectionRecord.objects.filter(pk=record.pk).update(
            started_at=delivered_at + timedelta(hours=1),
            completed_at=delivered_at + timedelta(hours=5),
        )


def _deliveries(site):
    """The supplier's lots the trace history received, oldest first, with when each came in."""
    lots = Lot.objects.filter(site=site, item__code=ITEM, supplier__code=SUPPLIER)
    received = dict(
        Consignment.objects.filter(object__in=lots, role=PartyRole.SOURCE).values_list(
            "object", "event_time"
        )
    )
    return sorted(
        ((lot, received[lot.pk]) for lot in lots if lot.pk in received), key=lambda pair: pair[1]
    )
