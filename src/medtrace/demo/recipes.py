"""Bills of materials and routings of the demo products, drafted by regulatory affairs and
approved by the QA manager's signature. The infusion set has an obsolete first version, an
effective second one (a longer needle-protection cap was dropped) and a draft third, so the
compare pages have something to show; its routing carries the EO sterilization cycle limits.

Process limits are typical published values for PVC extrusion, pouch sealing and EO cycles,
illustrative rather than validated parameters."""

from medtrace.catalog import services as catalog
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant

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

ROUTINGS = {"CP-TUBE": [EXTRUSION], "IS-2001": INFUSION_SET}


def _lines(versions):
    return [
        catalog.LineIn(component, quantity, unit, tolerance, traced)
        for component, quantity, unit, tolerance, traced in versions
    ]


def build_boms_and_routings(demo: DemoPlant) -> None:
    author, approver = demo.users["regulatory"], demo.users["qa"]
    for code, versions in BOMS.items():
        for number, lines in enumerate(versions, start=1):
            bom = catalog.create_bom_draft(item=demo.items[code], by=author)
            catalog.set_bom_lines(bom=bom, lines=_lines(lines), by=author)
            if number < 3:  # the infusion set's third version stays a draft
                catalog.approve_bom(bom=bom, by=approver, password=DEMO_PASSWORD)
    for code, operations in ROUTINGS.items():
        routing = catalog.create_routing_draft(item=demo.items[code], by=author)
        catalog.set_routing_operations(routing=routing, operations=operations, by=author)
        catalog.approve_routing(routing=routing, by=approver, password=DEMO_PASSWORD)
