"""The demo plants' equipment: molding, extrusion, assembly (a UV-curing workstation), pouch
sealing, EO sterilization and the measuring instruments QA calibrates. At each plant one
instrument's calibration is overdue, another's falls due within the month, and one machine is
out of service, so the due list and the status badges show something.

After the year of history (build_calibration_history): Suzhou's calibration records (by the
metrology institute, verified by QA; Shenzhen's calibrations were registered from paper with
the equipment), maintenance plans (the extruder's monthly check
overdue while it waits for its screw) and records, and at Suzhou the leak tester's failed
calibration 40 days ago: it was out of tolerance as found, so everything leak-tested on it since
its last pass is in an open impact review; it was repaired and passed again since."""

import random
from datetime import timedelta

from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.equipment import services as equipment
from medtrace.equipment.calibration_forms import READING_COLUMNS
from medtrace.equipment.choices import (
    CalibrationResult,
    EquipmentStatus,
    EquipmentType,
    MaintenanceKind,
    MaintenanceResult,
)
from medtrace.equipment.models import Equipment, ImpactReview
from medtrace.equipment.services import calibration, impact, maintenance
from medtrace.equipment.services.usability import site_day
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
     EquipmentType.THERMOMETER, "testo 184 T3", "德图 Testo", "WH-C01", 365, 350, ""),
]  # fmt: skip
# The clean room's assembly and packing stations, which the routings' bonding and pouch-sealing
# operations need (added later: their serial numbers come from their own generator, so the
# draws above and the history after them stay as they were).
LINE_EQUIPMENT = [
    ("ASM-01", "UV 固化装配工作台", "Assembly workstation with UV curing",
     EquipmentType.ASSEMBLY_STATION, "BlueWave 200 + 层流工作台", "Dymax", "CR", None, None,
     "每班用辐照计点检 UV 强度 / UV intensity checked with a radiometer every shift"),
    ("PS-01", "医用连续封口机", "Medical pouch sealer (rotary band)", EquipmentType.OTHER,
     "hm 3010 DC-V", "hawo", "CR-L1", 365, 120,
     "每日封口强度点检, 年度再确认 (ISO 11607-2) / daily seal-strength check, yearly "
     "requalification (ISO 11607-2)"),
]  # fmt: skip


def build_equipment(demo: DemoPlant) -> None:
    """The ledger. At Suzhou the last calibrations come from the records
    (build_calibration_history); Shenzhen's were registered with the equipment, from paper."""
    plants = [(code, site) for code, site in demo.sites.items() if site.kind == SiteKind.PLANT]
    for site_code, site in plants:
        _register(demo, site_code, site, EQUIPMENT, demo.rng)
    own = random.Random(f"{demo.seed}-line-equipment")  # nosec B311 # demo data
    for site_code, site in plants:
        _register(demo, site_code, site, LINE_EQUIPMENT, own)


def _register(demo: DemoPlant, site_code: str, site, listed, rng: random.Random) -> None:
    by = demo.users["qa"]
    today = site_day(demo.sites[RECORDS_SITE])
    for code, name, name_en, kind, model, maker, location, interval, age, plan in listed:
        on_paper = interval and site_code != RECORDS_SITE
        item = equipment.create_equipment(
            site=site,
            code=code,
            name=name,
            name_en=name_en,
            equipment_type=kind,
            model_number=model,
            manufacturer=maker,
            serial_number=f"{site_code}-{code}-{rng.randint(10000, 99999)}",
            location=demo.locations[(site_code, location)],
            calibration_required=interval is not None,
            calibration_interval_days=interval,
            last_calibrated_on=today - timedelta(days=age) if on_paper else None,
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


RECORDS_SITE = "SZ01"
LAB = "苏州市计量测试院 Suzhou Institute of Metrology"
# code: (reference standard, its certificate, as found, as left, measured values)
CALIBRATION = {
    "EOS-01": (
        "温度验证系统 Kaye ValProbe RT (12 探头)", "JZ2025-T-0441",
        "12 点温度偏差 ≤ 0.4 °C", "未调整 / not adjusted",
        [("55 °C", "55.0", "0.5", "55.3", "55.3", "°C")],
    ),
    "LT-01": (
        "标准漏孔 Reference leak SL-10, S/N 7781", "JL2025-0311",
        "泄漏率 0.52 Pa/s @10 kPa", "未调整 / not adjusted",
        [("10 kPa", "0.50", "0.05", "0.52", "0.52", "Pa/s")],
    ),
    "BAL-01": (
        "F1 级砝码组 F1 weight set 1 mg-200 g, S/N W-2231", "JZ2024-M-1178",
        "200 g 示值 200.0002 g", "未调整 / not adjusted",
        [("200 g", "200.0000", "0.0005", "200.0002", "200.0002", "g")],
    ),
    "DL-01": (
        "标准铂电阻温度计 SPRT Fluke 5615, S/N 4471", "JZ2025-T-0963",
        "5 °C 示值 5.1 °C", "未调整 / not adjusted",
        [("5 °C", "5.0", "0.5", "5.1", "5.1", "°C")],
    ),
    "PS-01": (
        "表面温度校准仪 + 热电偶 Fluke 724, S/N 5521; 测力计 Imada DS2-50N", "JZ2025-T-0512",
        "150 °C 示值 151.2 °C; 封口压力 0.35 MPa", "未调整 / not adjusted",
        [("150 °C", "150", "2", "151.2", "151.2", "°C")],
    ),
}  # fmt: skip
TRACEABILITY = "溯源至中国计量科学研究院 (NIM), CNAS 认可实验室 L0123 / NIM-traceable, CNAS L0123"
LEAK_FAILURE_AGE = 40
LEAK_REPAIR_AGE = 36
LEAK_RECALIBRATION_AGE = 30
# (code, task, interval in days, days until due: negative is overdue)
PLANS = [
    ("IMM-01", "清洁模具 Clean the mold", 7, 4),
    ("IMM-01", "液压系统保养 Hydraulic service", 90, 35),
    ("EXT-01", "检查螺杆和加热圈 Check screw and heater bands", 30, -12),
    ("EOS-01", "检查门封 Check the door seal", 90, 20),
    ("LT-01", "开机点检 Start-up check with the reference leak", 1, 1),
]


def build_calibration_history(demo: DemoPlant) -> None:
    """Suzhou's calibration records (each signature costs a password check: the leak tester
    has a year of history, the other instruments their last calibration) and both plants'
    maintenance."""
    qa = demo.users["qa"]
    for site_code, site in demo.sites.items():
        if site.kind != SiteKind.PLANT:
            continue
        machines = {e.code: e for e in Equipment.objects.filter(site=site).select_related("site")}
        recorder = demo.users["supervisor" if site_code == RECORDS_SITE else "sz-qa"]
        today = site_day(site)
        if site_code == RECORDS_SITE:
            for code, _name, _en, _kind, _model, _maker, _loc, interval, age, _plan in (
                EQUIPMENT + LINE_EQUIPMENT
            ):
                if not interval:
                    continue
                ages = [age]
                if code == "LT-01":
                    ages = [age + 2 * interval, age + interval, LEAK_FAILURE_AGE]
                for days in ages:
                    _calibrate(machines[code], today - timedelta(days=days), recorder, qa)
            _leak_tester_failure(demo, machines, today, recorder, qa)
        _maintenance(demo, machines, today, recorder)


def _calibrate(machine, day, recorder, verifier, result=CalibrationResult.PASS, **changes):
    standard, certificate, found, left, readings = CALIBRATION[machine.code]
    values = {
        "reference_standard": standard,
        "reference_certificate": certificate,
        "as_found": found,
        "as_left": left,
        "readings": [dict(zip(READING_COLUMNS, row, strict=True)) for row in readings],
        "certificate_number": f"JZ{day:%y%m}-{machine.code}",
    } | changes
    record = calibration.record_calibration(
        equipment=machine, performed_on=day, result=result, external_lab=LAB,
        traceability=TRACEABILITY, by=recorder, **values,
    )  # fmt: skip
    return calibration.verify(record, by=verifier, password=DEMO_PASSWORD)


def _leak_tester_failure(demo, machines, today, recorder, qa) -> None:
    """LT-01 found leaking 0.71 Pa/s against 0.50 ± 0.05: out of service, its impact review
    open (the lines leak-tested on it since its last pass), the sensor replaced, passed again,
    back in service."""
    tester = machines["LT-01"]
    # The failure was recorded when found (its record is already in the history above): here
    # it is replaced by the record of what was found.
    failed = tester.calibrations.get(performed_on=today - timedelta(days=LEAK_FAILURE_AGE))
    correction = calibration.record_calibration(
        equipment=tester, performed_on=failed.performed_on, result=CalibrationResult.FAIL,
        external_lab=LAB, traceability=TRACEABILITY, by=recorder,
        reference_standard=CALIBRATION["LT-01"][0], reference_certificate=CALIBRATION["LT-01"][1],
        as_found="泄漏率 0.71 Pa/s @10 kPa, 超差 / out of tolerance",
        as_left="压力传感器漂移, 无法调整, 停用待修 / pressure sensor drifted: removed from use",
        readings=[dict(zip(READING_COLUMNS, ("10 kPa", "0.50", "0.05", "0.71", "", "Pa/s"),
                           strict=True))],
        certificate_number=f"JZ{failed.performed_on:%y%m}-LT-01-R",
        corrects=failed,
        correction_reason="结果抄错, 按检定证书更正 / result copied wrongly; per the certificate",
    )  # fmt: skip
    calibration.verify(correction, by=qa, password=DEMO_PASSWORD)
    maintenance.record_maintenance(
        equipment=tester, kind=MaintenanceKind.CORRECTIVE,
        performed_on=today - timedelta(days=LEAK_REPAIR_AGE), external_party="ATEQ 中国服务部",
        work_done="更换压力传感器 / pressure sensor replaced", parts="压力传感器 P/N 22-0417 x1",
        result=MaintenanceResult.COMPLETED, by=recorder,
    )  # fmt: skip
    passed = _calibrate(tester, today - timedelta(days=LEAK_RECALIBRATION_AGE), recorder, qa)
    equipment.change_equipment_status(
        equipment=tester, status=EquipmentStatus.IN_SERVICE, by=qa,
        reason=f"传感器更换后复校合格 {passed.number} / re-calibrated after the sensor replacement",
    )  # fmt: skip
    review = ImpactReview.objects.get(calibration=correction)
    impact.record_assessment(
        review, by=qa,
        assessment=(
            "超差 0.21 Pa/s 可能漏判微漏; 期间装配的输液管路和输液器需评估密封性。"
            "Leaks up to 0.21 Pa/s may have passed: the infusion lines and sets assembled on "
            "this line since the last pass are assessed for seal integrity."
        ),
    )  # fmt: skip


def _maintenance(demo, machines, today, recorder) -> None:
    for code, task, interval, due_in in PLANS:
        plan = maintenance.create_plan(
            equipment=machines[code], task=task, interval_days=interval, by=recorder,
            next_due_on=today + timedelta(days=due_in),
        )  # fmt: skip
        if code == "IMM-01" and interval == 7:
            maintenance.record_maintenance(
                equipment=machines[code], kind=MaintenanceKind.PREVENTIVE, plan=plan,
                performed_on=today - timedelta(days=3), performed_by=recorder,
                work_done="模具清洁, 顶针润滑 / mold cleaned, ejector pins greased",
                result=MaintenanceResult.COMPLETED, by=recorder,
            )  # fmt: skip
    maintenance.record_maintenance(
        equipment=machines["EXT-01"], kind=MaintenanceKind.CORRECTIVE,
        performed_on=today - timedelta(days=50), performed_by=recorder,
        work_done="螺杆磨损 0.6 mm 超限, 已订备件 / screw worn 0.6 mm: spare ordered",
        result=MaintenanceResult.FOLLOW_UP, by=recorder,
    )  # fmt: skip
