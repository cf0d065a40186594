"""The stores after the year: last month's cycle count of raw-material bin A01 posted with a
small, explained difference; this month's count of bin A02 under way; lots past their expiry
date marked expired by the job."""

from decimal import Decimal

from medtrace.demo.plant import DemoPlant
from medtrace.inventory.choices import AdjustmentReason
from medtrace.inventory.services import counts, expiry

SITE = "SZ01"


def build_inventory(demo: DemoPlant) -> None:
    clerk = demo.users["warehouse"]
    posted = counts.start_count(
        location=demo.locations[(SITE, "WH-A01")], by=clerk, note="月度盘点 Monthly count"
    )
    for number, line in enumerate(posted.lines.select_related("object", "location")):
        short = line.expected > 100 and number == 0
        counts.record_counted(
            posted,
            obj=line.object,
            location=line.location,
            # One bag of the first lot was damaged by the forklift: 0.5 % of the books.
            counted=line.expected - Decimal(1) if short else line.expected,
            reason=AdjustmentReason.DAMAGED if short else "",
            note="叉车刺破 1 袋 / one bag punctured by a forklift" if short else "",
            by=clerk,
        )
    counts.post(posted, by=clerk)
    under_way = counts.start_count(
        location=demo.locations[(SITE, "WH-A02")], by=clerk, note="月度盘点 Monthly count"
    )
    first = under_way.lines.select_related("object", "location").first()
    if first is not None:
        counts.record_counted(
            under_way, obj=first.object, location=first.location, counted=first.expected, by=clerk
        )
    expiry.mark_expired()
