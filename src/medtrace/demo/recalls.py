"""Recalls at the Suzhou plant, safe for the rest of the living plant (nothing held):

- a mock recall (drill) of the needle supplier's lot that went into the most shipped sets,
  scoped and approved by QA: its scope shows where the sets are, at which hospitals and in our
  stock, and the regulators' clocks as they would run;
- a draft recall of the infusion-set lot held after its positive biological indicator, opened
  by regulatory affairs and waiting for QA's decision."""

from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.recall.services import recalls
from medtrace.trace.engine import trace_forward
from medtrace.trace.models import Lot

SITE = "SZ01"


def build_recalls(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    needles = Lot.objects.filter(site=site, item__code="CP-NDL07").exclude(supplier=None)
    widest = max(needles.order_by("pk"), key=lambda lot: len(trace_forward(lot).parties))
    drill = recalls.open_recall(
        site=site,
        title="演练: 针头供应商批次召回 / Drill: recall of a needle supplier lot",
        reason="年度模拟召回演练 (ISO 13485 8.3.3) / Annual mock recall.",
        hazard="假设针尖毛刺可致穿刺部位损伤 / Assumed: burred needle tips may injure the "
        "puncture site.",
        depth="user",
        strategy="removal",
        nmpa_class="II",
        drill=True,
        roots=recalls.supplier_lots(site.organization, widest.supplier,
                                    widest.supplier_lot_number),
        by=demo.users["regulatory"],
    )  # fmt: skip
    recalls.approve(drill, by=demo.users["qa"], password=DEMO_PASSWORD,
                    reason="演练开始 / Drill started.")  # fmt: skip
    held = Lot.objects.get(site=site, item__code="IS-2001", disposition="non_sellable_other")
    recalls.open_recall(
        site=site,
        title="输液器批次生物指示剂阳性 / Infusion-set lot: positive biological indicator",
        reason="灭菌失败的可能无法排除 / Sterilization failure cannot be ruled out.",
        hazard="非无菌产品可致感染 / A non-sterile set may cause infection.",
        depth="user",
        strategy="removal",
        nmpa_class="II",
        fda_class="II",
        roots=[held],
        by=demo.users["regulatory"],
    )
