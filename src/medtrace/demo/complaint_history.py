"""A year of complaints before the recent ones, so the complaint trends have a baseline: a few
complaints a quarter about the infusion sets and catheter kits the plant shipped, each about a
lot shipped before the day the complaint came in, coded with its IMDRF device problem,
investigated, found not reportable and closed. In the last two months the infusion sets' roller
clamps stuck again and again (with the clamp complaint of build_complaints), which the complaint
trend of IS-2001 flags as a signal; the latest of those are still being investigated.

Drawn from its own generator seeded from the plant's, so the steps after it stay as they were."""

import random
from datetime import date, timedelta

from django.utils import timezone

from medtrace.analytics import exposure, risk_store
from medtrace.catalog.models import Item
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.quality.choices import ComplaintChannel
from medtrace.quality.imdrf import DeviceProblem
from medtrace.quality.services import complaints
from medtrace.trace.models import Lot
from medtrace.trace.shipped import Shipped, shipments

SITE = "SZ01"
SHIPPED_WITHIN_DAYS = 120  # a complaint names a lot shipped in the months before it
# The current period of the trend is at least the last 60 days whatever today's date: the
# signal's complaints fall inside it, the baseline's before 92 days.
CLOSED, INVESTIGATING, RECEIVED = "closed", "investigating", "received"

# (days before today, item, problem, channel, what happened, the investigation, state)
HISTORY = [
    (330, "IS-2001", DeviceProblem.MECHANICAL, ComplaintChannel.EMAIL,
     "滚轮夹推动费力。/ The roller clamp was hard to move.",
     "留样正常; 退回样品夹体偏紧, 在公差内。/ Retained samples normal; the returned clamp was "
     "tight but within tolerance.", CLOSED),
    (285, "CVC-3001", DeviceProblem.ACTIVATION_POSITIONING_SEPARATION, ComplaintChannel.PHONE,
     "导丝回撤时有阻力。/ Resistance felt when withdrawing the guidewire.",
     "退回导丝及穿刺针尺寸合格; 与操作角度有关。/ The returned guidewire and needle are within "
     "specification; related to the insertion angle.", CLOSED),
    (250, "IS-2001", DeviceProblem.INFUSION_OR_FLOW, ComplaintChannel.EMAIL,
     "滴速不稳, 时快时慢。/ The drip rate kept changing.",
     "流量调节器留样测试合格; 退回样品调节器有划痕。/ Flow regulators of the retained samples "
     "pass; the returned one is scratched.", CLOSED),
    (205, "IS-2001", DeviceProblem.MANUFACTURING_PACKAGING_SHIPPING, ComplaintChannel.FIELD_SERVICE,
     "一个单包装封口开裂, 未使用。/ One pouch seal was open on arrival; not used.",
     "同批封口强度留样合格; 判断为运输挤压。/ Seal strength of the lot's retained samples "
     "passes; crushed in transport.", CLOSED),
    (170, "IS-2001", DeviceProblem.LABELLING, ComplaintChannel.EMAIL,
     "说明书中滴系数字体过小。/ The drop factor in the instructions is printed too small.",
     "已提交说明书变更评审。/ An instructions-for-use change is under review.", CLOSED),
    (130, "IS-2001", DeviceProblem.INFUSION_OR_FLOW, ComplaintChannel.PHONE,
     "输液过程中空气进入管路。/ Air entered the line during the infusion.",
     "排气操作不当; 已培训。/ Priming was not done as instructed; the ward was trained.",
     CLOSED),
    (110, "CVC-3001", DeviceProblem.CONNECTION, ComplaintChannel.EMAIL,
     "肝素帽与导管座连接处渗液。/ Leak at the needle-free connector on the hub.",
     "连接扭矩过大导致; 无器械缺陷。/ Over-tightened; no device defect.", CLOSED),
    (52, "IS-2001", DeviceProblem.MECHANICAL, ComplaintChannel.EMAIL,
     "滚轮夹无法完全关闭。/ The roller clamp would not close completely.",
     "退回夹体有注塑飞边。/ The returned clamp shows molding flash.", CLOSED),
    (40, "IS-2001", DeviceProblem.MECHANICAL, ComplaintChannel.FIELD_SERVICE,
     "三套输液器滚轮夹卡住。/ Three sets' roller clamps jammed.",
     "夹体飞边; 与 2 号模具有关。/ Flash on the clamps; tool 2 suspected.", INVESTIGATING),
    (24, "IS-2001", DeviceProblem.MECHANICAL, ComplaintChannel.PHONE,
     "滚轮夹滑动后回弹。/ The roller clamp slid back after being set.",
     "", INVESTIGATING),
    (12, "IS-2001", DeviceProblem.MECHANICAL, ComplaintChannel.EMAIL,
     "滚轮夹卡滞, 无法调节流速。/ Roller clamp stuck; the flow could not be set.",
     "", RECEIVED),
]  # fmt: skip


def _shipped_lot(rng: random.Random, shipped: list[Shipped], item: Item, before: date) -> Lot:
    """A lot of the item that the plant shipped in the months before `before`."""
    since = before - timedelta(days=SHIPPED_WITHIN_DAYS)
    lot_ids = sorted(
        {
            row.lot_id
            for row in shipped
            if row.item_id == item.pk
            and since <= timezone.localtime(row.event_time).date() < before
        }
    )
    return Lot.objects.get(pk=rng.choice(lot_ids))


def build_complaint_history(demo: DemoPlant) -> None:
    rng = random.Random(f"{demo.seed}-complaint-history")  # nosec B311 # demo data
    site = demo.sites[SITE]
    qa = demo.users["qa"]
    today = timezone.localdate()
    shipped = [row for row in shipments(demo.organization.pk) if row.site_id == site.pk]
    for days, item_code, problem, channel, description, investigation, state in HISTORY:
        aware_on = today - timedelta(days=days)
        item = Item.objects.get(organization=demo.organization, code=item_code)
        lot = _shipped_lot(rng, shipped, item, aware_on)
        complaint = complaints.receive_complaint(
            site=site,
            by=qa,
            channel=channel,
            description=description,
            event_date=aware_on - timedelta(days=rng.randint(0, 3)),
            aware_on=aware_on,
            code=lot.identifier,
            problem_code=problem,
            complainant_name="护理部 / nursing department",
            outcomes=["malfunction"],
            regions=["nmpa"],
        )
        if state == RECEIVED:
            continue
        complaint = complaints.start_investigation(complaint, by=qa)
        complaint = complaints.update_complaint(
            complaint,
            by=qa,
            reason="调查记录 / investigation recorded",
            investigation=investigation,
        )
        if state == INVESTIGATING:
            continue
        complaint = complaints.record_decision(
            complaint,
            reportable=False,
            justification=(
                "未造成也不可能造成严重伤害 (第十八条). Could not cause serious injury."
            ),
            by=qa,
        )
        complaint = complaints.approve_decision(complaint, by=qa, password=DEMO_PASSWORD)
        complaints.close(complaint, by=qa, password=DEMO_PASSWORD, reason="已回复 / answered.")


def count_for_the_dashboards(demo: DemoPlant) -> None:
    """What the hourly jobs keep for the dashboards: the units shipped and the lot risks."""
    exposure.count(demo.organization)
    risk_store.assess_all(demo.organization, timezone.localdate())
