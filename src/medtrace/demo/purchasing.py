"""The demo plant's purchase orders at SZ01, placed by the buyer and received by the warehouse:

- PVC resin and TOTM from SUP-ZJPVC: released, the resin partly received (its incoming
  inspection IP-PVC-IN started on receipt, waiting on the inspector), the TOTM overdue.
- IV needles from SUP-JSNDL: released, half received by scanning the supplier's GS1 label,
  released by QA (no incoming plan for needles) and put away to WH-A01; the rest is expected.
- Tyvek pouches from SUP-SHTYV, a conditionally approved source: the QA manager signed the
  exception for the line (full incoming inspection until its audit finding is closed), then
  the order was released.
- ABS resin from SUP-NBABS, conditional since its certificate was suspended: a draft waiting
  for QA's decision.

Run after the suppliers' qualification and the inspection plans ("inspection plans and
records"): `build_purchasing` is the step the plant's STEPS list calls.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from medtrace.demo.catalog import GS1_COMPANY_PREFIX
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.org.models import Location
from medtrace.partners.models import Supplier
from medtrace.purchasing.services import orders, receiving
from medtrace.purchasing.services import release as releasing
from medtrace.scan.checks import gs1_check_digit

SITE = "SZ01"


def supplier_gtin(reference: str) -> str:
    """A supplier's GTIN-14 under GS1's documentation prefix (indicator 0)."""
    body = f"0{GS1_COMPANY_PREFIX}{reference}"
    return body + gs1_check_digit(body)


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def build_purchasing(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    buyer, clerk, qa = demo.users["buyer"], demo.users["warehouse"], demo.users["qa"]
    suppliers = {s.code: s for s in Supplier.objects.filter(organization=demo.organization)}
    items = demo.items

    resin = orders.create_order(
        site=site, supplier=suppliers["SUP-ZJPVC"], by=buyer,
        note="月度原料补货 / monthly raw-material replenishment",
        lines=[
            {"item": items["RM-PVC"], "quantity": Decimal(1000), "expected_on": _days(-1),
             "supplier_gtin": supplier_gtin("71001"), "tolerance_percent": Decimal(5),
             "min_remaining_days": 365},
            {"item": items["RM-TOTM"], "quantity": Decimal(400), "expected_on": _days(-2),
             "min_remaining_days": 365},
        ],
    )  # fmt: skip
    orders.release(resin, by=buyer)
    pvc = resin.lines.get(position=1)
    made = _days(-20)
    receiving.receive(
        pvc, by=clerk, quantity=Decimal(500),
        code=f"01{pvc.supplier_gtin}11{made:%y%m%d}17{made + datetime.timedelta(days=730):%y%m%d}"
        f"10KS{made:%y%m%d}-07",
    )  # fmt: skip

    needles = orders.create_order(
        site=site, supplier=suppliers["SUP-JSNDL"], by=buyer,
        lines=[{"item": items["CP-NDL07"], "quantity": Decimal(16000), "expected_on": _days(-6),
                "supplier_gtin": supplier_gtin("72007"), "min_remaining_days": 730}],
    )  # fmt: skip
    orders.release(needles, by=buyer)
    line = needles.lines.get()
    made = _days(-40)
    receipt = receiving.receive(
        line, by=clerk, quantity=Decimal(8000),
        code=f"01{line.supplier_gtin}11{made:%y%m%d}17{made + datetime.timedelta(days=1825):%y%m%d}"
        f"10JZ{made:%y%m}A031",
    )  # fmt: skip
    releasing.release(
        receipt, by=qa, password=DEMO_PASSWORD,
        reason="CoA 与出厂检验报告已核对 / CoA and release report checked",
        location=Location.objects.get(site=site, code="WH-A01"),
    )  # fmt: skip

    tyvek = orders.create_order(
        site=site, supplier=suppliers["SUP-SHTYV"], by=buyer,
        lines=[{"item": items["PK-TYVEK"], "quantity": Decimal(10000), "expected_on": _days(7),
                "supplier_item_code": "JB-TY-300"}],
    )  # fmt: skip
    orders.grant_exception(
        tyvek.lines.get(), by=qa, password=DEMO_PASSWORD,
        reason="唯一合格来源; 每批 100% 来料检验直至 CAPA 关闭 / only qualified source; every lot "
        "inspected in full until the CAPA is closed",
    )  # fmt: skip
    orders.release(tyvek, by=buyer)

    orders.create_order(
        site=site, supplier=suppliers["SUP-NBABS"], by=buyer,
        note="等待 QA 对条件供应商的决定 / waiting for QA's decision on a conditional supplier",
        lines=[{"item": items["RM-ABS"], "quantity": Decimal(300), "expected_on": _days(14)}],
    )  # fmt: skip
