"""The catalog of a maker of disposable infusion sets and catheters: raw materials, components,
packaging and three finished devices with their UDI device identifiers (the catheter kit
tracked by serial number), entered by regulatory affairs.

GTINs use GS1's example company prefix 950 6000 (reserved for documentation, never a real
product) with computed check digits: indicator 0 for the unit, 1 for the box, 2 for the case.
Registration numbers follow the NMPA format; they and the classification codes are
illustrative, not real certificates.
"""

from medtrace.catalog import services as catalog
from medtrace.catalog.choices import (
    IssuingAgency,
    ItemKind,
    MriSafety,
    PackagingLevel,
    SterilizationMethod,
    Tracking,
)
from medtrace.demo.plant import DemoPlant
from medtrace.scan.checks import gs1_check_digit, gs1_check_pair

GS1_COMPANY_PREFIX = "9506000"

# (code, name, English name, kind, unit, tracking, shelf life days, storage conditions)
ITEMS = [
    ("RM-PVC", "医用级聚氯乙烯粒料", "Medical-grade PVC pellets", ItemKind.RAW_MATERIAL, "KG",
     Tracking.LOT, 730, "阴凉干燥处 / cool and dry"),
    ("RM-TOTM", "无 DEHP 增塑剂 (TOTM)", "DEHP-free plasticizer (TOTM)", ItemKind.RAW_MATERIAL,
     "KG", Tracking.LOT, 730, "密封, 阴凉处 / sealed, cool place"),
    ("RM-ABS", "医用 ABS 树脂", "Medical ABS resin", ItemKind.RAW_MATERIAL, "KG", Tracking.LOT,
     1095, "干燥处 / dry"),
    ("CP-TUBE", "PVC 输液管路 (内径 3.0 mm)", "PVC tubing, 3.0 mm ID", ItemKind.COMPONENT, "M",
     Tracking.LOT, 1095, ""),
    ("CP-DRIP", "滴斗 (20 滴/mL)", "Drip chamber, 20 drops/mL", ItemKind.COMPONENT, "EA",
     Tracking.LOT, 1095, ""),
    ("CP-CLAMP", "流量调节器 (滚轮夹)", "Roller clamp", ItemKind.COMPONENT, "EA", Tracking.LOT,
     None, ""),
    ("CP-NDL07", "静脉输液针 0.7 mm", "IV needle, 0.7 mm", ItemKind.COMPONENT, "EA", Tracking.LOT,
     1825, "干燥处 / dry"),
    ("CP-HUB", "导管座", "Catheter hub", ItemKind.COMPONENT, "EA", Tracking.LOT, None, ""),
    ("SA-LINE", "输液管路组件 (滴斗 + 管路 + 调节器)",
     "Infusion line (drip chamber, tubing, clamp)", ItemKind.SUB_ASSEMBLY, "EA", Tracking.LOT,
     1095, ""),
    ("PK-TYVEK", "Tyvek 透析纸袋", "Tyvek pouch", ItemKind.PACKAGING, "EA", Tracking.LOT, 1825,
     ""),
    ("PK-CARTON", "瓦楞纸箱", "Shipping carton", ItemKind.PACKAGING, "EA", Tracking.NONE, None,
     ""),
    ("IS-2001", "一次性使用输液器 带针", "Single-use infusion set with needle",
     ItemKind.FINISHED_DEVICE, "EA", Tracking.LOT, 1095,
     "常温, 避光, 干燥 / room temperature, dry, away from light"),
    ("CVC-3001", "中心静脉导管包 (双腔 7Fr)", "Central venous catheter kit, double lumen 7Fr",
     ItemKind.FINISHED_DEVICE, "SET", Tracking.SERIAL, 1095, "常温, 干燥 / room temperature, dry"),
    ("ST-1001", "一次性使用三通阀", "Single-use three-way stopcock", ItemKind.FINISHED_DEVICE,
     "EA", Tracking.LOT, 1825, "常温, 干燥 / room temperature, dry"),
]  # fmt: skip

STERILE_DEVICE = {
    "sterile": True,
    "sterilization_method": SterilizationMethod.ETHYLENE_OXIDE,
    "single_use": True,
    "contains_latex": False,
    "prescription": True,
    "label_has_lot": True,
    "label_has_expiry": True,
    "label_has_manufacturing_date": True,
}

# item code: (GS1 item reference, base-unit attributes, [(level, quantity of the level below)])
GS1_DEVICES = {
    "IS-2001": (
        "10011",
        {
            "brand": "康滴 KangDrip",
            "model_number": "IS-2001 (0.7 mm, 150 cm)",
            "registration_number": "国械注准20213140123",
            "risk_class_cn": "III",
            "risk_class_eu": "IIa",
            "risk_class_us": "II",
            "nmpa_classification_code": "14-02",
            "mri_safety": MriSafety.NOT_LABELLED,
            "description": "一次性使用输液器, 重力输液式, 带 0.7 mm 静脉输液针, 管路 150 cm, "
            "药液过滤器 15 µm / Gravity infusion set with 0.7 mm needle, 150 cm tubing, "
            "15 µm filter.",
            "catalog_number": "IS-2001-150",
            "gmdn_code": "35163",
            "fda_product_code": "FPA",
            "fda_premarket_number": "K213456",
            "emdn_code": "C0301",
            "insurance_code_cn": "C1402010010100305001",
        },
        [(PackagingLevel.INNER_PACK, 25), (PackagingLevel.CASE, 20)],
    ),
    "CVC-3001": (
        "10028",
        {
            "brand": "康脉 KangVein",
            "model_number": "CVC-3001 (7Fr, 20 cm, double lumen)",
            "registration_number": "国械注准20223140456",
            "risk_class_cn": "III",
            "risk_class_eu": "III",
            "risk_class_us": "II",
            "nmpa_classification_code": "14-02",
            "mri_safety": MriSafety.CONDITIONAL,
            "label_has_serial": True,  # each kit is serialized (it is a class III device)
            "description": "中心静脉导管包, 双腔 7Fr, 20 cm, 含导丝、扩张器、穿刺针 / Central "
            "venous catheter kit, double lumen 7Fr, 20 cm, with guidewire, dilator and needle.",
            "catalog_number": "CVC-3001-7F20",
            "kit": True,
            "gmdn_code": "47735",
            "fda_product_code": "FOZ",
            "fda_premarket_number": "K221987",
            # No EMDN code yet: regulatory affairs still has to choose it, so EUDAMED names it.
        },
        [(PackagingLevel.CASE, 10)],
    ),
}

INDICATORS = {
    PackagingLevel.BASE_UNIT: "0",
    PackagingLevel.INNER_PACK: "1",
    PackagingLevel.CASE: "2",
}


def gtin14(item_reference: str, level: PackagingLevel) -> str:
    """The GTIN-14 of a packaging level: its indicator digit, the unit's GTIN-13 without its
    check digit, and the check digit of the whole."""
    digits = INDICATORS[level] + GS1_COMPANY_PREFIX + item_reference
    return digits + gs1_check_digit(digits)


def gmn(model: str) -> str:
    """A GS1 Global Model Number used as the EU Basic UDI-DI."""
    data = GS1_COMPANY_PREFIX + model
    return data + gs1_check_pair(data)


def build_catalog(demo: DemoPlant) -> None:
    by = demo.users["regulatory"]
    for code, name, name_en, kind, unit, tracking, shelf_life, storage in ITEMS:
        demo.items[code] = catalog.create_item(
            organization=demo.organization,
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            unit=unit,
            tracking=tracking,
            shelf_life_days=shelf_life,
            storage_conditions=storage,
            by=by,
        )
    for code, (reference, attributes, packages) in GS1_DEVICES.items():
        item = demo.items[code]
        inner = catalog.create_device_identifier(
            item=item,
            issuing_agency=IssuingAgency.GS1,
            value=gtin14(reference, PackagingLevel.BASE_UNIT),
            basic_udi_di=gmn(code.replace("-", "")),
            by=by,
            **STERILE_DEVICE,
            **attributes,
        )
        for level, quantity in packages:
            inner = catalog.create_device_identifier(
                item=item,
                issuing_agency=IssuingAgency.GS1,
                value=gtin14(reference, level),
                packaging_level=level,
                contains=inner,
                quantity_per_package=quantity,
                basic_udi_di=gmn(code.replace("-", "")),
                by=by,
                **STERILE_DEVICE,
                **attributes,
            )
    # China's MA code (IDcode) for the domestic-only stopcock, with a box of 50.
    unit = catalog.create_device_identifier(
        item=demo.items["ST-1001"],
        issuing_agency=IssuingAgency.MA,
        value="MA.156.M0.100234.ST1001A",
        brand="康通 KangFlow",
        model_number="ST-1001 (Luer lock)",
        registration_number="苏械注准20232140123",
        risk_class_cn="II",
        nmpa_classification_code="14-02",
        description="一次性使用三通阀, 鲁尔锁接头 / Single-use three-way stopcock, Luer lock.",
        catalog_number="ST-1001-LL",
        by=by,
        **STERILE_DEVICE,
    )
    catalog.create_device_identifier(
        item=demo.items["ST-1001"],
        issuing_agency=IssuingAgency.MA,
        value="MA.156.M0.100234.ST1001B50",
        packaging_level=PackagingLevel.INNER_PACK,
        contains=unit,
        quantity_per_package=50,
        brand="康通 KangFlow",
        model_number="ST-1001 (Luer lock)",
        registration_number="苏械注准20232140123",
        risk_class_cn="II",
        nmpa_classification_code="14-02",
        by=by,
        **STERILE_DEVICE,
    )
