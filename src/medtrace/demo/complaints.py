"""Complaints on devices the demo plant really shipped to hospitals (found through the trace):
a catheter kit that injured a patient — a reportable adverse event in China and the EU, its
decision approved, the NMPA report drafted, the EU report still due in a few days, an NCR
opened from it; an infusion-set lot whose roller clamp stuck before use — not reportable,
answered with a closure letter and closed; and a cracked drip chamber reported by phone
yesterday, not investigated yet. Each carries its IMDRF device problem code, so the list can
be filtered by failure mode."""

from datetime import timedelta

from django.utils import timezone

from medtrace.catalog.choices import Tracking
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.partners.choices import CustomerKind
from medtrace.quality.choices import ComplaintChannel, Severity
from medtrace.quality.imdrf import DeviceProblem
from medtrace.quality.services import complaint_disclosures as disclosures
from medtrace.quality.services import complaints
from medtrace.trace.engine import trace_forward
from medtrace.trace.models import Containment, Lot, Unit

SITE = "SZ01"
CANDIDATES = 60  # how many packed devices are tried, in order, to find shipped ones


def _shipped_to_hospitals(objects, count: int) -> list:
    """The first `count` of `objects` (lots or units, packed into cases) that the trace shows
    shipped to a hospital, each to a different one: [(object, customer)]."""
    found, hospitals = [], set()
    for obj in objects[:CANDIDATES]:
        customers = {
            party.customer for party in trace_forward(obj).parties if party.customer is not None
        }
        hospital = next(
            (
                c
                for c in sorted(customers, key=lambda c: c.code)
                if c.kind == CustomerKind.HOSPITAL and c.code not in hospitals
            ),
            None,
        )
        if hospital is not None:
            found.append((obj, hospital))
            hospitals.add(hospital.code)
            if len(found) == count:
                break
    return found


def build_complaints(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    qa, regulatory, inspector = (demo.users[name] for name in ("qa", "regulatory", "inspector"))
    today = timezone.localdate()
    packed = Containment.objects.values("content_id")
    kits = Unit.objects.filter(
        site=site, item__tracking=Tracking.SERIAL, pk__in=packed
    ).select_related("item", "lot")
    sets = Lot.objects.filter(site=site, item__code="IS-2001", pk__in=packed).select_related("item")
    [(kit, kit_hospital)] = _shipped_to_hospitals(kits.order_by("-pk"), 1)
    (clamp_lot, clamp_hospital), (drip_lot, drip_hospital) = _shipped_to_hospitals(
        sets.order_by("pk"), 2
    )

    # A reportable adverse event: a patient injured three days ago.
    event = complaints.receive_complaint(
        site=site,
        by=regulatory,
        channel=ComplaintChannel.FIELD_SERVICE,
        description=(
            "拔管时导管尖端断裂, 断端滞留于锁骨下静脉, 经介入抓捕取出。\n"
            "The catheter tip separated on removal and stayed in the subclavian vein; it was "
            "retrieved by interventional snare."
        ),
        event_date=today - timedelta(days=4),
        aware_on=today - timedelta(days=3),
        code=kit.identifier,
        customer=kit_hospital,
        complainant_name="ICU 护士长 陈丽 / ICU head nurse Chen Li",
        complainant_contact="+86 21 6437 0045",
        outcomes=["serious_injury"],
        regions=["nmpa", "eu"],
        patient_involved=True,
        patient_age=58,
        patient_sex="female",
        patient_initials="L.M.",
        injury_description=(
            "导管断端进入血管, 需介入手术取出; 患者恢复良好。\n"
            "Fragment in the vessel, retrieved by an interventional procedure; recovering."
        ),
    )
    event = complaints.start_investigation(event, by=regulatory)
    event = complaints.update_complaint(
        event,
        by=regulatory,
        reason="退回样品检验 / returned sample examined",
        # The tip came off at a failed bond: the material gave way (Annex A, A04).
        problem_code=DeviceProblem.MATERIAL_INTEGRITY,
        investigation=(
            "退回导管断口位于导管座粘接处, 粘接层不连续。同批留样拉力试验 3/20 低于 15 N。\n"
            "The break is at the hub bond; the adhesive layer is discontinuous. Retained "
            "samples of the lot: 3 of 20 below 15 N pull force."
        ),
        root_cause="粘接固化时间不足 (2 号线) / bond cure time too short on line 2",
    )
    event = complaints.record_decision(
        event,
        reportable=True,
        justification=(
            "严重伤害, 与器械有关 (《医疗器械不良事件监测和再评价管理办法》第二十五条; "
            "MDR Art. 87(3)). Serious injury caused by the device."
        ),
        by=regulatory,
    )
    event = complaints.approve_decision(event, by=regulatory, password=DEMO_PASSWORD)
    disclosures.generate_report(event, region="nmpa", by=regulatory)
    complaints.open_nonconformance(
        event,
        by=qa,
        title="导管尖端断裂 (粘接) Catheter tip separation at the hub bond",
        severity=Severity.CRITICAL,
    )

    # Not reportable, answered and closed.
    closed = complaints.receive_complaint(
        site=site,
        by=qa,
        channel=ComplaintChannel.EMAIL,
        description=(
            "使用前发现 2 套输液器滚轮夹卡滞, 无法调节流速; 未用于患者。\n"
            "Two sets' roller clamps stuck before use; the flow could not be set. Not used on "
            "a patient."
        ),
        event_date=today - timedelta(days=31),
        aware_on=today - timedelta(days=30),
        code=clamp_lot.identifier,
        customer=clamp_hospital,
        complainant_name="输液中心 王敏 / infusion centre, Wang Min",
        complainant_contact="wang.min@example.com",
        outcomes=["non_serious"],
        regions=["nmpa"],
    )
    closed = complaints.start_investigation(closed, by=qa)
    closed = complaints.update_complaint(
        closed,
        by=qa,
        reason="留样检验完成 / retained samples checked",
        # The clamps stuck: a moving part would not move (Annex A, A05).
        problem_code=DeviceProblem.MECHANICAL,
        investigation=(
            "同批留样 50 套滚轮夹全部调节正常; 退回 2 套夹体有毛刺。\n"
            "All 50 retained sets of the lot adjust normally; the 2 returned clamps show flash."
        ),
        root_cause="个别夹体注塑飞边 / flash on individual molded clamps",
        closure_letter=(
            "王老师您好:\n感谢您反馈输液器滚轮夹卡滞问题。经检验, 原因为个别夹体注塑飞边; "
            "我们已加强注塑巡检并更换了退回产品。\n\n"
            "Dear Ms Wang,\nThank you for reporting the stuck roller clamps. We found flash on "
            "individual molded clamps, have tightened the molding patrol inspection, and "
            "replaced the returned sets."
        ),
    )
    closed = complaints.record_decision(
        closed,
        reportable=False,
        justification=(
            "发现于使用前, 未造成也不可能造成严重伤害 (第十八条). Found before use; could not "
            "cause serious injury."
        ),
        by=qa,
    )
    closed = complaints.approve_decision(closed, by=qa, password=DEMO_PASSWORD)
    complaints.close(closed, by=qa, password=DEMO_PASSWORD, reason="Letter sent.")

    # Just received by phone.
    complaints.receive_complaint(
        site=site,
        by=inspector,
        channel=ComplaintChannel.PHONE,
        description=(
            "开包后发现滴斗有裂纹, 未使用。\nA drip chamber was found cracked on opening; not used."
        ),
        aware_on=today - timedelta(days=1),
        # Cracked in the box, never used: an out-of-box problem (Annex A, A02), coded at intake.
        problem_code=DeviceProblem.MANUFACTURING_PACKAGING_SHIPPING,
        code=drip_lot.identifier,
        customer=drip_hospital,
        complainant_name="药剂科 / pharmacy",
        outcomes=["malfunction"],
        regions=["nmpa"],
    )
