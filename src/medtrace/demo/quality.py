"""Quality records on the demo plant's own lots. Inspection plans for incoming PVC resin and
for the routing operations that name a plan; an incoming inspection that accepted a resin lot,
one that rejected the latest (black specks) and so opened an NCR and held the lot, and a leak
test in progress. NCRs: one closed (molding flash found in process, reworked and scrapped, both
signatures), the rejected resin under MRB review (return to supplier proposed), one just
opened at final inspection."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from medtrace.demo import recipes
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.equipment.choices import EquipmentType
from medtrace.equipment.models import Equipment
from medtrace.quality.choices import (
    ActionKind,
    CharacteristicKind,
    Decision,
    DefectClass,
    DeviationKind,
    InspectionStage,
    NcrSource,
    RiskLevel,
    Severity,
)
from medtrace.quality.models import Nonconformance
from medtrace.quality.services import capa as capas
from medtrace.quality.services import deviation as deviations
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.quality.services import nonconformance as ncrs
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot

SITE = "SZ01"


def build_nonconformances(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    qa, inspector, supervisor = (demo.users[name] for name in ("qa", "inspector", "supervisor"))
    today = timezone.localdate()
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
    for row in closed.dispositions.all():
        ncrs.execute_disposition(
            row, note="按处置执行并复检。Done as decided, re-inspected.", by=qa
        )
    ncrs.close(closed, by=qa, password=DEMO_PASSWORD, reason="Rework verified by inspection.")

    # The resin NCR is opened by its rejected incoming inspection (see build_inspections).
    review = Nonconformance.objects.get(site=site, inspection__isnull=False)
    review = ncrs.start_review(review, by=qa)
    ncrs.add_disposition(
        review, decision=Decision.RETURN_TO_SUPPLIER, quantity=review.quantity, by=qa,
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


ATTRIBUTE, VARIABLE = CharacteristicKind.ATTRIBUTE, CharacteristicKind.VARIABLE
CRITICAL, MAJOR, MINOR = DefectClass.CRITICAL, DefectClass.MAJOR, DefectClass.MINOR

# (code, name, stage, item code or None, {class: AQL}, characteristics)
PLANS = [
    ("IP-PVC-IN", "PVC 粒料来料检验 Incoming PVC pellets", InspectionStage.INCOMING, "RM-PVC",
     {"major": "1.0", "minor": "4.0"}, [
         {"name": "黑点与杂质 Black specks, foreign matter", "kind": ATTRIBUTE,
          "defect_class": MAJOR, "method": "目视, 白色托盘 500 g / visual on a white tray"},
         {"name": "颗粒均匀 Pellet size uniform", "kind": ATTRIBUTE, "defect_class": MINOR},
         {"name": "包装完好, 标签清晰 Bag intact, label legible", "kind": ATTRIBUTE,
          "defect_class": MINOR},
     ]),
    ("IP-EXT-01", "管材挤出巡检 Tube extrusion patrol", InspectionStage.IN_PROCESS, None,
     {"major": "0.65", "minor": "2.5"}, [
         {"name": "外径 Outer diameter", "kind": VARIABLE, "defect_class": MAJOR, "unit": "mm",
          "lower_limit": Decimal("4.05"), "target": Decimal("4.10"),
          "upper_limit": Decimal("4.15")},
         {"name": "表面无气泡 No bubbles on the surface", "kind": ATTRIBUTE,
          "defect_class": MINOR},
     ]),
    ("IP-ASSY-01", "组装粘接检验 Assembly and bonding", InspectionStage.IN_PROCESS, None,
     {"critical": "0.065", "major": "0.65"}, [
         {"name": "粘接拉力 ≥ 15 N Bond pull force", "kind": ATTRIBUTE, "defect_class": CRITICAL},
         {"name": "无溢胶 No excess adhesive", "kind": ATTRIBUTE, "defect_class": MAJOR},
     ]),
    ("IP-LEAK-01", "密封性测试 Leak test", InspectionStage.IN_PROCESS, None,
     {"critical": "0.065", "minor": "2.5"}, [
         {"name": "压降 Pressure decay", "kind": VARIABLE, "defect_class": CRITICAL,
          "unit": "kPa", "upper_limit": Decimal("0.5"),
          "equipment_type": EquipmentType.LEAK_TESTER},
         {"name": "外观 Visual", "kind": ATTRIBUTE, "defect_class": MINOR},
     ]),
    ("IP-SEAL-01", "封口强度 Pouch seal", InspectionStage.IN_PROCESS, None,
     {"major": "0.65"}, [
         {"name": "封口完整, 无通道 Seal complete, no channels", "kind": ATTRIBUTE,
          "defect_class": MAJOR},
     ]),
    ("IP-STER-01", "灭菌放行检验 Sterilization release", InspectionStage.FINAL, None,
     {"critical": "0.065"}, [
         {"name": "生物指示剂无菌生长 BI shows no growth", "kind": ATTRIBUTE,
          "defect_class": CRITICAL},
         {"name": "化学指示剂变色 Chemical indicator turned", "kind": ATTRIBUTE,
          "defect_class": CRITICAL},
     ]),
]  # fmt: skip


def build_inspections(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    qa, inspector, supervisor = (demo.users[name] for name in ("qa", "inspector", "supervisor"))
    plans = {}
    for code, name, stage, item, aqls, characteristics in PLANS:
        plans[code] = inspection_plans.create_plan(
            organization=demo.organization,
            code=code,
            name=name,
            stage=stage,
            item=demo.items[item] if item else None,
            aql_critical=aqls.get("critical", ""),
            aql_major=aqls.get("major", ""),
            aql_minor=aqls.get("minor", ""),
            characteristics=characteristics,
            by=qa,
        )
    resin = Lot.objects.filter(site=site, item__code="RM-PVC").order_by("pk")
    accepted = inspections.start_inspection(
        site=site, plan=plans["IP-PVC-IN"], lot=resin[len(resin) - 2], lot_size=500, by=inspector
    )
    fill_samples(accepted, failing={"颗粒均匀 Pellet size uniform": 1}, by=inspector)
    inspections.complete_inspection(accepted, by=inspector, password=DEMO_PASSWORD)
    rejected = inspections.start_inspection(
        site=site, plan=plans["IP-PVC-IN"], lot=resin.last(), lot_size=500, by=inspector
    )
    fill_samples(rejected, failing={"黑点与杂质 Black specks, foreign matter": 4}, by=inspector)
    inspections.complete_inspection(rejected, by=inspector, password=DEMO_PASSWORD)
    kit = Lot.objects.filter(site=site, origin=LotOrigin.PRODUCED).order_by("pk").last()
    tester = Equipment.objects.get(site=site, equipment_type=EquipmentType.LEAK_TESTER)
    leak = inspections.start_inspection(
        site=site, plan=plans["IP-LEAK-01"], lot=kit, lot_size=1200, equipment=[tester],
        by=supervisor,
    )  # fmt: skip
    decay = leak.plan.characteristics.get(kind=VARIABLE)
    inspections.record_results(
        leak,
        [
            {
                "characteristic": decay,
                "sample": sample,
                "value": Decimal("0.1") + Decimal(sample) / 100,
            }
            for sample in range(1, 21)
        ],
        by=supervisor,
    )


def fill_samples(record, *, failing: dict[str, int], by) -> None:
    """Every sample of every characteristic; the first N samples of those named fail."""
    results = [
        {"characteristic": characteristic, "sample": sample,
         "passed": sample > failing.get(characteristic.name, 0)}
        for characteristic in record.plan.characteristics.all()
        for sample in range(1, inspections.sample_size_of(record, characteristic) + 1)
    ]  # fmt: skip
    inspections.record_results(record, results, by=by)


def build_deviations_and_capas(demo: DemoPlant) -> None:
    """An unplanned deviation on a sterilizer cycle (approved, its lot blocked from release
    until the biological indicators read), a planned one on the extruder's spare screw, and the
    supplier CAPA escalated from the rejected resin's NCR, its actions under way."""
    site = demo.sites[SITE]
    qa, supervisor = demo.users["qa"], demo.users["supervisor"]
    now = timezone.now()
    sterilizer = Equipment.objects.get(site=site, equipment_type=EquipmentType.EO_STERILIZER)
    kits = Lot.objects.filter(site=site, origin=LotOrigin.PRODUCED).order_by("-pk")
    cold_cycle = deviations.open_deviation(
        site=site,
        kind=DeviationKind.UNPLANNED,
        title="EO 灭菌周期温度偏低 Sterilizer cycle ran cold",
        description=(
            "灭菌周期 EO-2611-07 暴露阶段 48 °C 持续 20 分钟 (规定 50-60 °C)。\n"
            "Cycle EO-2611-07 held 48 °C for 20 min of its exposure phase (spec 50-60 °C)."
        ),
        lots=[kits[0]],
        equipment=sterilizer,
        operation="环氧乙烷灭菌 EO sterilization",
        window_start=now - timedelta(days=2, hours=6),
        window_end=now - timedelta(days=2),
        impact_assessment=(
            "BI 培养 7 天结果待出; 在此之前批次不得放行。"
            "Lethality may be short: the lot waits for the 7-day BI incubation."
        ),
        risk_level=RiskLevel.HIGH,
        by=supervisor,
    )
    deviations.approve(cold_cycle, by=qa, password=DEMO_PASSWORD)
    deviations.open_deviation(
        site=site,
        kind=DeviationKind.PLANNED,
        title="挤出机临时螺杆 Temporary screw on the extruder",
        description=(
            "原螺杆磨损, 使用同型号备用螺杆生产 3 批, 外径 100% 在线检测。"
            "Worn screw replaced by a same-model spare for 3 lots, outer diameter checked 100 %."
        ),
        operation="管材挤出 Tube extrusion",
        window_start=now + timedelta(days=1),
        window_end=now + timedelta(days=8),
        by=supervisor,
    )
    ncr = Nonconformance.objects.get(site=site, inspection__isnull=False)
    capa = capas.escalate_nonconformance(ncr, by=qa)
    capas.update_investigation(
        capa,
        containment="同一供应商在途及库存批次全部隔离。All lots of the supplier held at receiving.",
        five_whys=[
            "粒料含黑点 Pellets carry black specks",
            "供应商混入回料 Regrind was mixed into virgin resin",
            "回料未隔离 Regrind is stored beside virgin resin",
            "无回料管控程序 No procedure controls regrind",
        ],
        fishbone={
            "material": ["回料混入 regrind mixed in"],
            "method": ["供应商无回料管控 no regrind control at the supplier"],
            "measurement": ["来料未抽检黑点 specks were not in our incoming plan before"],
        },
        root_cause="供应商未隔离回料。The supplier does not segregate regrind from virgin resin.",
        effectiveness_criteria=(
            "后续 10 批来料黑点检验全部接收。The next 10 lots pass the speck check."
        ),
        due_on=timezone.localdate() + timedelta(days=45),
        owner=qa,
        by=qa,
    )
    capas.add_action(
        capa, kind=ActionKind.CORRECTIVE, owner=qa,
        description=(
            "供应商提交 8D 并实施回料隔离。The supplier answers with an 8D and segregates regrind."
        ),
        due_on=timezone.localdate() + timedelta(days=21), by=qa,
    )  # fmt: skip
    capas.add_action(
        capa, kind=ActionKind.PREVENTIVE, owner=demo.users["inspector"],
        description="来料检验计划增加黑点项。Specks added to the incoming plan (IP-PVC-IN).",
        due_on=timezone.localdate() - timedelta(days=1), by=qa,
    )  # fmt: skip
    capas.start_implementation(capa, by=qa)
    recipes.raise_change_for_capa(demo, capa)  # its preventive side, a change request
