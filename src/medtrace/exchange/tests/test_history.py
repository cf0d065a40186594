"""Switching to medtrace without losing history: opening balances (lots and units with their
quantities and locations) and historical genealogy, imported through the same batches."""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind, Tracking
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.exchange import services
from medtrace.exchange.choices import BatchStatus
from medtrace.exchange.tests.conftest import read_back, upload
from medtrace.inventory.models import Stock
from medtrace.inventory.statuses import status_of
from medtrace.trace.engine import trace_backward, trace_forward
from medtrace.trace.models import Lot, TraceEvent, Unit

pytestmark = pytest.mark.django_db

BALANCE_HEADER = [
    "site",
    "location",
    "item",
    "lot_number",
    "serial",
    "quantity",
    "status",
    "expires_on",
    "manufactured_on",
    "supplier",
    "supplier_lot_number",
    "as_of",
]
GENEALOGY_HEADER = [
    "site",
    "made_at",
    "output_item",
    "output_lot",
    "output_serial",
    "output_quantity",
    "input_item",
    "input_lot",
    "input_serial",
    "input_quantity",
    "work_order",
]


@pytest.fixture
def items(organization, qa_a):
    def make(code, kind, tracking, unit="EA"):
        return catalog.create_item(
            organization=organization, code=code, name=code, kind=kind, tracking=tracking,
            unit=unit, shelf_life_days=1095, by=qa_a,
        )  # fmt: skip

    return {
        "RM-PVC": make("RM-PVC", ItemKind.RAW_MATERIAL, Tracking.LOT, unit="KG"),
        "IS-2001": make("IS-2001", ItemKind.FINISHED_DEVICE, Tracking.LOT),
        "CVC-3001": make("CVC-3001", ItemKind.FINISHED_DEVICE, Tracking.SERIAL),
        "PK-CARTON": make("PK-CARTON", ItemKind.PACKAGING, Tracking.NONE),
    }


def applied(batch, user):
    assert batch.status == BatchStatus.READY, batch.report["problems"]
    return services.apply_batch(batch=batch, user=user)


BALANCES = [
    BALANCE_HEADER,
    ["A1", "STK", "IS-2001", "L2409", "", "1200", "available", "2027-09-30", "2024-09-30", "", "",
     "2026-11-30"],
    ["A1", "QUA", "RM-PVC", "P-77", "", "250.5", "quarantine", "2026-12-31", "", "", "", ""],
    ["A1", "STK", "CVC-3001", "C2410", "SN0001", "", "available", "2027-10-31", "", "", "", ""],
    ["A1", "STK", "CVC-3001", "C2410", "SN0002", "", "on_hold", "2027-10-31", "", "", "", ""],
]  # fmt: skip


def test_opening_balances_put_lots_and_units_in_stock_with_their_status(qa_a, site_a, items):
    batch = upload(qa_a, "opening_balances", BALANCES, reason="Take-on from the old ERP")
    assert batch.counts == {"create": 4, "update": 0, "unchanged": 0}
    assert Stock.objects.count() == 0  # the dry run wrote nothing
    applied(batch, qa_a)
    sets = Stock.objects.get(lot__lot_number="L2409")
    assert sets.quantity == Decimal("1200") and sets.location.code == "STK"
    assert Stock.objects.get(lot__lot_number="P-77").quantity == Decimal("250.5")
    assert Stock.objects.filter(lot__lot_number="C2410").count() == 2
    lot = Lot.objects.get(lot_number="L2409")
    assert str(lot.expires_on) == "2027-09-30"
    assert status_of(lot).status == "available"
    assert status_of(Lot.objects.get(lot_number="P-77")).status == "quarantine"
    assert status_of(Unit.objects.get(serial="SN0002")).status == "on_hold"
    event = TraceEvent.objects.get(touched__object=lot)
    taken_on = event.event_time.astimezone(ZoneInfo(site_a.time_zone))
    assert (taken_on.date(), taken_on.hour) == (date(2026, 11, 30), 0)  # as_of, local midnight
    assert event.biz_step == "urn:medtrace:bizstep:opening_balance" and event.reason


def test_the_same_sheet_again_changes_nothing_and_a_new_quantity_is_refused(qa_a, items):
    applied(upload(qa_a, "opening_balances", BALANCES), qa_a)
    again = upload(qa_a, "opening_balances", BALANCES)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 4}
    changed = [BALANCE_HEADER, [*BALANCES[1][:5], "1300", *BALANCES[1][6:]]]
    refused = upload(qa_a, "opening_balances", changed)
    assert refused.status == BatchStatus.ERRORS
    [problem] = refused.report["problems"]
    assert problem["column"] == "quantity" and "quantity 1200)" in problem["message"]


def test_opening_balance_rows_name_their_problems(qa_a, items):
    rows = [
        BALANCE_HEADER,
        ["A1", "NOWHERE", "IS-2001", "L1", "", "5", "available", "", "", "", "", ""],
        ["A1", "STK", "CVC-3001", "C1", "", "", "available", "", "", "", "", ""],
        ["A1", "STK", "PK-CARTON", "X1", "", "5", "available", "", "", "", "", ""],
        ["A1", "STK", "IS-2001", "L2", "", "", "available", "", "", "", "", ""],
        ["A1", "STK", "IS-2001", "L3", "", "5", "released", "", "", "", "", ""],
        ["A1", "STK", "IS-2001", "L4", "", "5", "available", "", "", "NOSUCH", "", ""],
    ]
    batch = upload(qa_a, "opening_balances", rows)
    by_row = {p["row"]: (p["column"], p["rule"]) for p in batch.report["problems"]}
    assert by_row == {
        2: ("location", "unknown_reference"),
        3: ("serial", "required"),
        4: ("item", "invalid_state"),
        5: ("quantity", "required"),
        6: ("status", "choice"),
        7: ("supplier", "unknown_reference"),
    }


def test_opening_balances_need_a_stock_approver_at_the_site(make_user, site_a, qa_b, items):
    clerk = make_user("clerk", (site_a, Role.WAREHOUSE_CLERK))
    with pytest.raises(DomainError) as refused:
        upload(clerk, "opening_balances", BALANCES)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    elsewhere = upload(qa_b, "opening_balances", BALANCES)  # a QA manager of site B only
    assert {(p["column"], p["rule"]) for p in elsewhere.report["problems"]} == {
        ("site", "permission_denied")
    }


def test_opening_balances_export_round_trips_unchanged(qa_a, items):
    applied(upload(qa_a, "opening_balances", BALANCES), qa_a)
    content = services.export(user=qa_a, kind="opening_balances", fmt="csv")
    rows = read_back("csv", content)
    assert rows[0] == BALANCE_HEADER and len(rows) == 5
    again = services.upload(
        user=qa_a, kind="opening_balances", file_name="again.csv", content=content
    )
    assert again.counts == {"create": 0, "update": 0, "unchanged": 4}, again.report["problems"]


GENEALOGY = [
    GENEALOGY_HEADER,
    ["A1", "2025-03-02 08:00", "IS-2001", "L2503", "", "5000", "RM-PVC", "P-10", "", "12.5",
     "WO-OLD-17"],
    ["A1", "2025-03-02 08:00", "IS-2001", "L2503", "", "5000", "RM-PVC", "P-11", "", "3", ""],
    ["A1", "2025-04-10 09:30", "CVC-3001", "C2504", "SN9", "", "RM-PVC", "P-11", "", "0.2", ""],
]  # fmt: skip


def test_historical_genealogy_makes_the_trace_reach_back(qa_a, items):
    batch = upload(qa_a, "genealogy", GENEALOGY, reason="History from the old MES")
    assert batch.counts == {"create": 3, "update": 0, "unchanged": 0}, batch.report["problems"]
    applied(batch, qa_a)
    made = Lot.objects.get(lot_number="L2503")
    assert {lot.lot_number for lot in trace_backward(made).lots} == {"P-10", "P-11"}
    forward = trace_forward(Lot.objects.get(lot_number="P-11"))
    assert {lot.lot_number for lot in forward.lots} >= {"L2503", "C2504"}
    assert "SN9" in {unit.serial for unit in forward.units}
    assert Stock.objects.count() == 0  # history moves no stock
    event = TraceEvent.objects.get(touched__object=made)
    assert event.biz_step == "urn:medtrace:bizstep:historical_genealogy"
    again = upload(qa_a, "genealogy", GENEALOGY)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3}


def test_genealogy_export_round_trips_and_a_changed_history_is_a_conflict(qa_a, items):
    applied(upload(qa_a, "genealogy", GENEALOGY), qa_a)
    content = services.export(user=qa_a, kind="genealogy", fmt="xlsx")
    again = services.upload(user=qa_a, kind="genealogy", file_name="g.xlsx", content=content)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3}, again.report["problems"]
    changed = [GENEALOGY_HEADER, [*GENEALOGY[1][:9], "13", *GENEALOGY[1][10:]], GENEALOGY[2]]
    conflict = upload(qa_a, "genealogy", changed)
    assert conflict.status == BatchStatus.ERRORS
    assert conflict.report["problems"][0]["rule"] == "conflict"


def test_genealogy_rows_name_their_problems(qa_a, items):
    rows = [
        GENEALOGY_HEADER,
        ["A1", "2025-03-02", "IS-2001", "L1", "", "", "PK-CARTON", "X", "", "", ""],
        ["A1", "2099-01-01 00:00", "IS-2001", "L2", "", "", "RM-PVC", "P", "", "", ""],
        ["A1", "03/02/2025", "IS-2001", "L3", "", "", "RM-PVC", "P", "", "", ""],
        ["A1", "2025-03-02", "IS-2001", "L4", "", "", "IS-2001", "L4", "", "", ""],
    ]
    batch = upload(qa_a, "genealogy", rows)
    by_row = {p["row"]: (p["column"], p["rule"]) for p in batch.report["problems"]}
    assert by_row == {
        2: ("input_item", "invalid_state"),
        3: ("made_at", "invalid_state"),
        4: ("made_at", "datetime"),
        5: ("input_lot", "invalid_state"),
    }


def test_a_purchased_lot_taken_on_traces_back_to_its_supplier(organization, qa_a, items):
    from medtrace.partners.services.suppliers import create_supplier

    supplier = create_supplier(organization=organization, code="SUP-PVC", name="康塑", by=qa_a)
    rows = [
        BALANCE_HEADER,
        ["A1", "STK", "RM-PVC", "P-88", "", "40", "available", "", "", "SUP-PVC", "ZK-2511-7", ""],
    ]
    applied(upload(qa_a, "opening_balances", rows), qa_a)
    lot = Lot.objects.get(lot_number="P-88")
    assert (lot.origin, lot.supplier_lot_number) == ("received", "ZK-2511-7")
    assert [party.supplier_id for party in trace_backward(lot).parties] == [supplier.pk]
