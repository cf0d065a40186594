"""Work orders at the Suzhou plant: infusion sets and catheter kits released to the floor with
their BOM and routing snapshotted (kitting lists from the stores), and next week's kits
planned. Needs the recipes (BOMs and routings in force) and the stores."""

from datetime import timedelta

from medtrace.demo.plant import DemoPlant
from medtrace.production import services

SITE = "SZ01"
LINES = {"IS-2001": "CR-L1", "CVC-3001": "CR-L2"}

# (item, quantity, starts in days, takes days, released, note)
ORDERS = [
    ("IS-2001", 2000, 0, 2, True, "本周输液器 / This week's infusion sets"),
    ("CVC-3001", 200, 1, 3, True, "导管包补货 / Catheter kit replenishment"),
    ("CVC-3001", 300, 7, 3, False, "下周计划 / Next week's plan"),
]


def build_production(demo: DemoPlant) -> None:
    site = demo.sites[SITE]
    supervisor = demo.users["supervisor"]
    today = site.local_date()
    for code, quantity, starts_in, takes, release, note in ORDERS:
        order = services.create_work_order(
            site=site,
            item=demo.items[code],
            quantity=quantity,
            planned_start=today + timedelta(days=starts_in),
            planned_end=today + timedelta(days=starts_in + takes),
            note=note,
            line=demo.locations[(SITE, LINES[code])],
            by=supervisor,
        )
        if release:
            services.release(order, by=supervisor)
