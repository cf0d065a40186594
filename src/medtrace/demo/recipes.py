"""Bills of materials and routings of the demo products, drafted by regulatory affairs and
released by change requests that QA, production and regulatory affairs approved by signature.
The infusion set has an obsolete first version, an effective second one (a longer
needle-protection cap was dropped) and a draft third in a change under review, so the compare
pages have something to show; its routing carries the EO sterilization cycle limits.

Process limits are typical published values for PVC extrusion, pouch sealing and EO cycles,
illustrative rather than validated parameters."""

from datetime import timedelta

from medtrace.catalog import services as catalog
from medtrace.changes.choices import ChangeKind
from medtrace.changes.services import changes
from medtrace.changes.services.opening import open_with_scope
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.quality.choices import RiskLevel

# product: versions, each a list of (component, quantity, unit, tolerance %, traced)
BOMS = {
    "CP-TUBE": [[("RM-PVC", "0.018", "KG", "5", True), ("RM-TOTM", "0.009", "KG", "5", True)]],
    "SA-LINE": [[("CP-DRIP", 1, "", 0, True), ("CP-TUBE", "1.5", "M", "2", True),
                 ("CP-CLAMP", 1, "", 0, True)]],
    "IS-2001": [
        [("SA-LINE", 1, "", 0, True), ("CP-NDL07", 1, "", 0, True), ("CP-HUB", 1, "", 0, False),
         ("PK-TYVEK", 1, "", 0, True)],
        [("SA-LINE", 1, "", 0, True), ("CP-NDL07", 1, "", 0, True), ("PK-TYVEK", 1, "", 0, True)],
        [("SA-LINE", 1, "", 0, True), ("CP-NDL07", 1, "", 0, True), ("PK-TYVEK", 1, "", 0, True),
         ("PK-CARTON", "0.002", "", 0, False)],
    ],
    "CVC-3001": [[("CP-HUB", 2, "", 0, True), ("CP-TUBE", "0.4", "M", "2", True),
                  ("PK-TYVEK", 1, "", 0, True)]],
    "ST-1001": [[("RM-ABS", "0.006", "KG", "3", True), ("PK-TYVEK", "0.02", "", 0, True)]],
}  # fmt: skip

EXTRUSION = {
    "name": "管材挤出 Tube extrusion",
    "work_center": "EXT-1",
    "equipment_type": "extruder",
    "inspection_plan": "IP-EXT-01",
    "instructions": "WI-EXT-001 rev C",
    "parameters": [
        {"name": "熔体温度 Melt temperature", "unit": "°C", "lower_limit": 175, "target": 185,
         "upper_limit": 195},
        {"name": "牵引速度 Line speed", "unit": "m/min", "lower_limit": 28, "target": 30,
         "upper_limit": 32},
        {"name": "外径 Outer diameter", "unit": "mm", "lower_limit": "4.05", "target": "4.10",
         "upper_limit": "4.15"},
    ],
}  # fmt: skip

INFUSION_SET = [
    {
        "name": "组装粘接 Assembly and bonding",
        "work_center": "ASSY-C7",
        "equipment_type": "assembly_station",
        "inspection_plan": "IP-ASSY-01",
        "documents": ["WI-0002"],  # whoever assembles must be trained on it
        "instructions": "WI-ASSY-014 rev B; 10 万级洁净区 / ISO 8 clean room",
        "parameters": [
            {"name": "UV 固化时间 UV cure time", "unit": "s", "lower_limit": 8, "target": 10,
             "upper_limit": 12},
        ],
    },
    {
        "name": "密封性测试 Leak test",
        "work_center": "ASSY-C7",
        "equipment_type": "leak_tester",
        "inspection_plan": "IP-LEAK-01",
        "documents": ["WI-0003"],
        "parameters": [
            {"name": "测试压力 Test pressure", "unit": "kPa", "lower_limit": 48, "target": 50,
             "upper_limit": 52},
            {"name": "压降 Pressure decay", "unit": "kPa", "upper_limit": "0.5"},
        ],
    },
    {
        "name": "封口 Pouch sealing",
        "work_center": "PACK-1",
        "equipment_type": "other",
        "inspection_plan": "IP-SEAL-01",
        "parameters": [
            {"name": "封口温度 Seal temperature", "unit": "°C", "lower_limit": 140, "target": 150,
             "upper_limit": 160},
            {"name": "封口时间 Dwell time", "unit": "s", "lower_limit": "0.8", "target": "1.0",
             "upper_limit": "1.2"},
            {"name": "封口强度 Seal strength", "unit": "N/15mm", "lower_limit": 15},
        ],
    },
    {
        "name": "环氧乙烷灭菌 EO sterilization",
        "work_center": "STER-1",
        "equipment_type": "eo_sterilizer",
        "inspection_plan": "IP-STER-01",
        "documents": ["WI-0004"],
        "instructions": "GB 18279.1 / ISO 11135; 生物指示剂 / biological indicators per load",
        "parameters": [
            {"name": "EO 浓度 EO concentration", "unit": "mg/L", "lower_limit": 550,
             "target": 600, "upper_limit": 650},
            {"name": "温度 Temperature", "unit": "°C", "lower_limit": 50, "target": 55,
             "upper_limit": 60},
            {"name": "相对湿度 Relative humidity", "unit": "%RH", "lower_limit": 40,
             "upper_limit": 80},
            {"name": "灭菌时间 Exposure time", "unit": "min", "lower_limit": 240},
        ],
    },
]  # fmt: skip

# The infusion line (drip chamber, tubing, roller clamp): bonded and leak tested on line 1
# before it goes into the sets.
INFUSION_LINE = [
    {
        "name": "管路粘接 Line bonding",
        "work_center": "ASSY-C7",
        "equipment_type": "assembly_station",
        "documents": ["WI-0002"],
        "instructions": "WI-ASSY-011 rev A; 滴斗-管路-调节器 / drip chamber, tubing, clamp",
        "parameters": [
            {"name": "UV 固化时间 UV cure time", "unit": "s", "lower_limit": 8, "target": 10,
             "upper_limit": 12},
        ],
    },
    {
        "name": "管路密封性测试 Line leak test",
        "work_center": "ASSY-C7",
        "equipment_type": "leak_tester",
        "documents": ["WI-0003"],
        "parameters": [
            {"name": "压降 Pressure decay", "unit": "kPa", "upper_limit": "0.5"},
        ],
    },
]  # fmt: skip

# The catheter kit: assembled (each kit's hubs, tubing and pouch recorded against its serial),
# leak tested, pouched and EO sterilized.
CATHETER_KIT = [
    {"name": "组装 Kit assembly", "work_center": "ASSY-C2", "equipment_type": "assembly_station",
     "per_unit": True},
    {
        "name": "密封性测试 Leak test",
        "work_center": "ASSY-C2",
        "equipment_type": "leak_tester",
        "parameters": [
            {"name": "测试压力 Test pressure", "unit": "kPa", "lower_limit": 48, "target": 50,
             "upper_limit": 52},
        ],
    },
    {
        "name": "环氧乙烷灭菌 EO sterilization",
        "work_center": "STER-1",
        "equipment_type": "eo_sterilizer",
        "documents": ["WI-0004"],
        "parameters": [
            {"name": "温度 Temperature", "unit": "°C", "lower_limit": 50, "target": 55,
             "upper_limit": 60},
        ],
    },
]  # fmt: skip

ROUTINGS = {
    "CP-TUBE": [EXTRUSION],
    "SA-LINE": INFUSION_LINE,
    "IS-2001": INFUSION_SET,
    "CVC-3001": CATHETER_KIT,
}


def _lines(versions):
    return [
        catalog.LineIn(component, quantity, unit, tolerance, traced)
        for component, quantity, unit, tolerance, traced in versions
    ]


def build_boms_and_routings(demo: DemoPlant) -> None:
    """Each version is drafted by regulatory affairs and released by a change request: the
    first release of every product, then the infusion set's second BOM; its third stays a
    draft, named by a change request in review."""
    author = demo.users["regulatory"]
    drafts = {}
    for code, versions in BOMS.items():
        for number, lines in enumerate(versions, start=1):
            bom = catalog.create_bom_draft(item=demo.items[code], by=author)
            catalog.set_bom_lines(bom=bom, lines=_lines(lines), by=author)
            drafts[code, number] = bom
    routings = []
    for code, operations in ROUTINGS.items():
        routing = catalog.create_routing_draft(item=demo.items[code], by=author)
        catalog.set_routing_operations(routing=routing, operations=operations, by=author)
        routings.append(routing)
    _release(
        demo,
        title="产品首次发布 / First release of the infusion-set product family",
        reason="新产品设计转换完成 / Design transfer completed.",
        boms=[bom for (code, number), bom in drafts.items() if number == 1],
        routings=routings,
    )
    _release(
        demo,
        title="取消针头保护帽加长件 / Drop the long needle-protection cap",
        reason="投诉分析: 加长件易脱落 / Complaints: the extension comes loose.",
        boms=[drafts["IS-2001", 2]],
    )
    pending = changes.open_change(
        site=demo.sites["SZ01"],
        by=demo.users["engineer"],
        title="输液器 BOM 第 3 版 / Infusion set BOM version 3",
        kind=ChangeKind.STANDARD,
        reason="降低成本 / Cost reduction.",
        description="见 BOM 第 3 版 / See BOM version 3.",
        risk_level=RiskLevel.MEDIUM,
        risk_assessment="材料等同性已验证 / Material equivalence verified.",
    )
    changes.set_scope(pending, by=demo.users["engineer"], boms=[drafts["IS-2001", 3]])
    changes.submit(pending, by=demo.users["engineer"], password=DEMO_PASSWORD)
    changes.approve(pending, by=demo.users["qa"], password=DEMO_PASSWORD)
    _plan_tasks(demo, pending)


def _plan_tasks(demo: DemoPlant, change) -> None:
    """The change in review: its equivalence test done, the work instruction still open."""
    today, engineer = demo.sites["SZ01"].local_date(), demo.users["engineer"]
    tested = changes.add_task(
        change, by=engineer, owner=demo.users["supervisor"], due_on=today - timedelta(days=3),
        description="新针座材料等效性测试 / Equivalence test of the new needle-hub material",
    )  # fmt: skip
    changes.complete_task(
        tested, by=demo.users["supervisor"],
        evidence="报告 TR-2026-014: 拉脱力与密封性合格 / Report TR-2026-014: pull-off, leak pass.",
    )  # fmt: skip
    changes.add_task(
        change, by=engineer, owner=engineer, due_on=today + timedelta(days=10),
        description="更新装配作业指导书 / Update the assembly work instruction",
    )  # fmt: skip


def raise_change_for_capa(demo: DemoPlant, capa) -> None:
    """The supplier CAPA's preventive side as a change request (a draft): the PVC pellets'
    specification gets a speck limit, affecting the pellets and what is made of them."""
    open_with_scope(
        site=demo.sites["SZ01"],
        by=demo.users["engineer"],
        title="PVC 粒料规格增加黑点限值 / PVC pellet specification: add a speck limit",
        kind=ChangeKind.FAST_TRACK,
        reason=f"{capa.number}: 粒料含黑点 / Black specks in the pellets.",
        description="来料规格与检验计划增加黑点限值。Speck limit added to the spec and the "
        "incoming plan.",
        risk_level=RiskLevel.LOW,
        capa=capa,
        items=[demo.items["RM-PVC"]],
    )


def _release(demo: DemoPlant, *, title: str, reason: str, boms=(), routings=()) -> None:
    """A standard change raised by the process engineer, approved by QA, production and
    regulatory affairs, released at once."""
    engineer = demo.users["engineer"]
    change = changes.open_change(
        site=demo.sites["SZ01"],
        by=engineer,
        title=title,
        kind=ChangeKind.STANDARD,
        reason=reason,
        description=reason,
        risk_level=RiskLevel.LOW,
    )
    changes.set_scope(change, by=engineer, boms=boms, routings=routings)
    changes.submit(change, by=engineer, password=DEMO_PASSWORD)
    for approver in ("qa", "supervisor", "regulatory"):
        changes.approve(change, by=demo.users[approver], password=DEMO_PASSWORD)
    changes.release(change, by=demo.users["qa"], password=DEMO_PASSWORD)
