"""The demo plants' equipment: molding, extrusion, assembly, EO sterilization and the measuring
instruments QA calibrates. At each plant one instrument's calibration is overdue and one
machine is out of service, so the due list and the status badges show something."""

from datetime import timedelta

from django.utils import timezone

from medtrace.demo.plant import DemoPlant
from medtrace.equipment import services as equipment
from medtrace.equipment.choices import EquipmentStatus, EquipmentType
from medtrace.org.choices import SiteKind

# (code, name, English name, type, model, manufacturer, location code, calibration interval
#  in days or None, days since the last calibration, maintenance plan)
EQUIPMENT = [
    ("IMM-01", "注塑机 1 号", "Injection molding machine 1", EquipmentType.INJECTION_MOLDING,
     "HTF120X", "海天塑机 Haitian", "CR", None, None, "每周清洁模具, 每季度保养液压系统"),
    ("EXT-01", "挤出机 1 号 (PVC 管路)", "Extruder 1 (PVC tubing)", EquipmentType.EXTRUDER,
     "SJ-45", "金纬机械 Jwell", "CR", None, None, "每月检查螺杆和加热圈"),
    ("EOS-01", "EO 灭菌柜", "EO sterilizer", EquipmentType.EO_STERILIZER, "HMQ-10",
     "山东新华 Shinva", "STER", 365, 200, "年度再确认 (ISO 11135), 每季度检查密封"),
    ("LT-01", "泄漏测试仪", "Leak tester", EquipmentType.LEAK_TESTER, "ATEQ F520", "ATEQ",
     "CR-L1", 180, 30, "每日开机点检"),
    ("BAL-01", "电子天平", "Electronic balance", EquipmentType.BALANCE, "ME204E",
     "梅特勒-托利多 Mettler Toledo", "RCV", 365, 400, "每日用砝码核查"),
    ("DL-01", "温度记录仪 (冷藏库)", "Temperature data logger (cold store)",
     EquipmentType.THERMOMETER, "testo 184 T3", "德图 Testo", "WH-C01", 365, 100, ""),
]  # fmt: skip


def build_equipment(demo: DemoPlant) -> None:
    today = timezone.localdate()
    by = demo.users["qa"]
    for site_code, site in demo.sites.items():
        if site.kind != SiteKind.PLANT:
            continue
        for code, name, name_en, kind, model, maker, location, interval, age, plan in EQUIPMENT:
            calibrated = today - timedelta(days=age) if interval else None
            item = equipment.create_equipment(
                site=site,
                code=code,
                name=name,
                name_en=name_en,
                equipment_type=kind,
                model_number=model,
                manufacturer=maker,
                serial_number=f"{site_code}-{code}-{demo.rng.randint(10000, 99999)}",
                location=demo.locations[(site_code, location)],
                calibration_required=interval is not None,
                calibration_interval_days=interval,
                last_calibrated_on=calibrated,
                maintenance_plan=plan,
                by=by,
            )
            if code == "EXT-01":
                equipment.change_equipment_status(
                    equipment=item,
                    status=EquipmentStatus.OUT_OF_SERVICE,
                    reason="螺杆磨损, 等待备件 / worn screw, waiting for the spare part",
                    by=by,
                )
