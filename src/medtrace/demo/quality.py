"""Nonconformance reports on the demo plant's own lots: one closed (molding defects found in
process, reworked and scrapped, both signatures), one under MRB review (a received resin lot
with black specks, held, return to supplier proposed), one just opened at final inspection."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.equipment.choices import EquipmentType
from medtrace.equipment.models import Equipment
from medtrace.quality.choices import Decision, NcrSource, Severity
from medtrace.quality.services import nonconformance as ncrs
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot

SITE = "SZ01"


def build_nonconformances(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    qa, inspector, supervisor = (demo.users[name] for name in ("qa", "inspector", "supervisor"))
    today = timezone.localdate()
    received = Lot.objects.filter(site=site, origin=LotOrigin.RECEIVED).order_by("pk")
    produced = Lot.objects.filter(site=site, origin=LotOrigin.PRODUCED).order_by("pk")
    molder = Equipment.objects.filter(
        site=site, equipment_type=EquipmentType.INJECTION_MOLDING
    ).first()

    early = produced.first()
    closed = ncrs.open_nonconformance(
        site=site,
        title="注塑件飞边超标 Flash on molded housings",
        description=(
            "首件检验合格后第 3 小时巡检发现飞边 0.3 mm (规格 ≤ 0.1 mm), 隔离 120 件。\n"
            "Patrol inspection 3 h after first-article approval found 0.3 mm flash "
            "(spec ≤ 0.1 mm); 120 pieces segregated."
        ),
        source=NcrSource.IN_PROCESS,
        severity=Severity.MAJOR,
        lot=early,
        quantity=Decimal(120),
        uom=early.item.unit,
        equipment=molder,
        due_on=today - timedelta(days=20),
        hold=False,
        by=supervisor,
    )
    closed = ncrs.start_review(closed, by=qa)
    ncrs.add_disposition(
        closed, decision=Decision.REWORK, quantity=Decimal(112), by=qa,
        justification="去飞边后 100% 目检 (WI-MOLD-07)。Deflash, then 100 % visual (WI-MOLD-07).",
    )  # fmt: skip
    ncrs.add_disposition(
        closed, decision=Decision.SCRAP, quantity=Decimal(8), by=qa,
        justification="飞边位于密封面, 不可返工。Flash on the sealing face cannot be reworked.",
    )  # fmt: skip
    closed = ncrs.approve_dispositions(closed, by=qa, password=DEMO_PASSWORD)
    ncrs.close(closed, by=qa, password=DEMO_PASSWORD, reason="Rework verified by inspection.")

    resin = received.filter(item__code="RM-PVC").last()
    review = ncrs.open_nonconformance(
        site=site,
        title="来料黑点 Black specks in incoming lot",
        description=(
            "抽样 80 件 (AQL 1.0, Ac 2 Re 3) 发现 4 件黑点, 判定拒收。\n"
            "Sample of 80 (AQL 1.0, Ac 2 Re 3): 4 with black specks; lot rejected."
        ),
        source=NcrSource.INCOMING,
        severity=Severity.MAJOR,
        lot=resin,
        quantity=Decimal(500),
        uom="KG",
        due_on=today + timedelta(days=10),
        by=inspector,
    )
    review = ncrs.start_review(review, by=qa)
    ncrs.add_disposition(
        review, decision=Decision.RETURN_TO_SUPPLIER, quantity=Decimal(500), by=qa,
        justification="整批退回, 供应商回复 8D。Return the lot; the supplier answers with an 8D.",
    )  # fmt: skip

    ncrs.open_nonconformance(
        site=site,
        title="外箱标签错印 Misprinted case label",
        description=(
            "终检发现 1 箱 UDI 标签有效期与批记录不符。\n"
            "One case label shows an expiry date other than the batch record's."
        ),
        source=NcrSource.FINAL,
        severity=Severity.MINOR,
        lot=produced.last(),
        quantity=Decimal(1),
        uom="BOX",
        due_on=today + timedelta(days=5),
        hold=False,
        by=inspector,
    )
