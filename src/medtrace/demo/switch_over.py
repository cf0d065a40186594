"""The Shenzhen plant's switch to medtrace: its QA manager took on the stock counted at the
switch (opening balances) and the genealogy of the stopcock lots made before it from the
former ERP and MES exports, through Import and export, so a trace from an ABS resin lot reaches
stopcocks made in 2025 and the stores show what was on the shelves."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from medtrace.demo.plant import DemoPlant
from medtrace.exchange import services

# (location, item, lot, quantity, status, expires in days (None: no expiry), supplier)
BALANCES = [
    ("WH-A01", "RM-ABS", "SZ2-ABS-2509", "180", "available", 420, "SUP-NBABS"),
    ("QUA-01", "RM-ABS", "SZ2-ABS-2511", "250", "quarantine", 700, "SUP-NBABS"),
    ("FG", "ST-1001", "SZ2-ST-2510", "4800", "available", 1500, None),
    ("FG", "ST-1001", "SZ2-ST-2511", "6000", "available", 1530, None),
    ("MRB", "ST-1001", "SZ2-ST-2508", "350", "on_hold", 1440, None),
]
# (days before the switch, stopcock lot, quantity made, [(resin lot, kg used)], former order)
HISTORY = [
    (160, "SZ2-ST-2506", "5000", [("SZ2-ABS-2505", "41.5")], "MO-250611"),
    (95, "SZ2-ST-2508", "5000", [("SZ2-ABS-2505", "20.0"), ("SZ2-ABS-2509", "21.5")], "MO-250817"),
    (40, "SZ2-ST-2510", "4800", [("SZ2-ABS-2509", "40.1")], "MO-251009"),
    (12, "SZ2-ST-2511", "6000", [("SZ2-ABS-2509", "49.8")], "MO-251108"),
]
BALANCE_HEADER = [
    "site", "location", "item", "lot_number", "serial", "quantity", "status", "expires_on",
    "manufactured_on", "supplier", "supplier_lot_number", "as_of",
]  # fmt: skip
GENEALOGY_HEADER = [
    "site", "made_at", "output_item", "output_lot", "output_serial", "output_quantity",
    "input_item", "input_lot", "input_serial", "input_quantity", "work_order",
]  # fmt: skip


def build_switch_over(demo: DemoPlant) -> None:
    by = demo.users["sz-qa"]
    site = demo.sites["SZ02"]
    switched_on = site.local_date() - timedelta(days=10)
    # The lots on the shelves first: their expiry dates are on the count sheet, not in the MES.
    balances = [BALANCE_HEADER]
    for location, item, lot, quantity, status, expires_in, supplier in BALANCES:
        balances.append([
            "SZ02", location, item, lot, "", quantity, status,
            (switched_on + timedelta(days=expires_in)).isoformat(), "", supplier or "", "",
            switched_on.isoformat(),
        ])  # fmt: skip
    _import(by, "opening_balances", balances, "切换时盘点的期初库存 / Stock counted at the switch")
    history = [GENEALOGY_HEADER]
    for days, lot, made, inputs, order in HISTORY:
        made_at = timezone.localtime(timezone.now() - timedelta(days=10 + days))
        for resin, used in inputs:
            history.append([
                "SZ02", made_at.strftime("%Y-%m-%d 09:30"), "ST-1001", lot, "", made,
                "RM-ABS", resin, "", used, order,
            ])  # fmt: skip
    _import(by, "genealogy", history, "深圳厂原 MES 生产记录（2025 年起）/ Former MES history")


def _import(by, kind: str, rows: list[list], reason: str) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    batch = services.upload(
        user=by,
        kind=kind,
        file_name=f"sz02-{kind}.csv",
        content=out.getvalue().encode(),
        reason=reason,
    )
    services.apply_batch(batch=batch, user=by)
