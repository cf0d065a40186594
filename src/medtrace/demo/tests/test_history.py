"""The demo plant's year of history: every lot has a trace, a serialized kit traces back to the
suppliers and forward to a hospital, the return and the held lot are there, and the same seed
gives the same events."""

import pytest
from django.db import transaction

from medtrace import demo
from medtrace.demo import generate
from medtrace.demo.history import RETURN_REASON
from medtrace.partners.choices import CustomerKind
from medtrace.partners.models import Customer
from medtrace.production.choices import WorkOrderStatus
from medtrace.production.models import WorkOrder
from medtrace.trace.choices import LotOrigin, ObjectKind, PartyRole
from medtrace.trace.engine import trace_backward, trace_forward
from medtrace.trace.models import Consignment, Containment, Lot, TraceEvent, Unit

pytestmark = pytest.mark.django_db


def test_every_demo_lot_has_a_trace_and_a_kit_goes_from_suppliers_to_a_hospital(demo_plant):
    plant = demo_plant
    lots = list(Lot.objects.filter(organization=plant.organization).select_related("item"))
    assert 50 <= len(lots) <= 200
    assert {lot.origin for lot in lots} == {
        LotOrigin.RECEIVED,
        LotOrigin.PRODUCED,
        LotOrigin.UNKNOWN,
    }
    # Only the Shenzhen plant's lots taken on from its former system have no known origin.
    unknown = {lot.lot_number for lot in lots if lot.origin == LotOrigin.UNKNOWN}
    assert unknown and all(number.startswith("SZ2-") for number in unknown)
    # A work order names its lot when it is released, before anything of it is made.
    unstarted = set(
        WorkOrder.objects.filter(status=WorkOrderStatus.RELEASED).values_list("lot", flat=True)
    )
    for lot in lots:
        if lot.pk in unstarted:
            continue
        forward, backward = trace_forward(lot), trace_backward(lot)
        reached = [*forward.lots, *forward.units, *forward.parties, *backward.lots]
        assert reached or backward.parties, f"{lot} has no trace"
        if lot.origin == LotOrigin.RECEIVED:
            assert [party.supplier_id for party in backward.parties] == [lot.supplier_id]
    assert 200 <= Unit.objects.filter(lot__isnull=False).count() <= 600
    assert 20 <= TraceEvent.objects.filter(biz_step="shipping").count() <= 100

    # A kit in a case shipped to a hospital.
    to_hospitals = Consignment.objects.filter(
        role=PartyRole.DESTINATION,
        party__customer__kind=CustomerKind.HOSPITAL,
        object__kind=ObjectKind.CONTAINER,
    ).values("object_id")
    held = Containment.objects.filter(container_id__in=to_hospitals, content__kind="unit")
    unit = Unit.objects.get(pk=held.values_list("content_id", flat=True).first())
    backward, forward = trace_backward(unit), trace_forward(unit)
    assert unit.lot in backward.lots
    assert {"CP-TUBE", "CP-HUB", "PK-TYVEK"} <= {lot.item.code for lot in backward.lots}
    assert any(party.supplier_id for party in backward.parties)
    assert any(
        party.customer and party.customer.kind == CustomerKind.HOSPITAL for party in forward.parties
    )


def test_the_return_and_the_held_lot(demo_plant):
    returned = TraceEvent.objects.get(biz_step="receiving", reason=RETURN_REASON)
    assert returned.reason and returned.recorded_by.username == "warehouse"
    # A return names the hospital as its source but is no source of the goods.
    assert not Consignment.objects.filter(event=returned).exists()
    ruijin = Customer.objects.get(code="H-RUIJIN")
    [source] = [s for s in returned.document["sourceList"] if s["type"] == "owning_party"]
    assert source["source"] == f"https://id.gs1.org/417/{ruijin.gln}"
    # It arrives in the returns area: the stock ledger has it there, in quarantine.
    assert {"type": "location", "destination": "urn:medtrace:location:SZ01:RET"} in (
        returned.document["destinationList"]
    )
    [unit] = Unit.objects.filter(pk__in=returned.touched.values("object_id"))
    assert unit.location.code == "RET" and unit.disposition == "returned"
    hospitals = {party.customer.code for party in trace_forward(unit.lot).parties}
    assert "H-RUIJIN" in hospitals
    assert "H-RUIJIN" not in {
        party.customer.code for party in trace_backward(unit).parties if party.customer
    }

    [held] = Lot.objects.filter(disposition="non_sellable_other")
    assert held.item.code == "IS-2001" and held.location.code == "MRB"
    assert trace_forward(held).parties == []
    assert trace_backward(held).lots


class Rollback(Exception):
    pass


HISTORY_STEP = "a year of trace history"


def _history_event_ids() -> list[tuple[str, str, str]]:
    """The events the history step recorded, in a generation stopped (and rolled back) right
    after it: the later steps record through services whose event IDs are random, as in real
    use, and need not run."""
    seen = {}

    def step(done, total, label):
        if "history" in seen:
            seen["ids"] = list(
                TraceEvent.objects.order_by("pk").values_list("event_id", "event_type", "biz_step")
            )
            raise Rollback
        if label == HISTORY_STEP:
            seen["history"] = True

    try:
        with transaction.atomic():
            generate(seed=7, on_step=step)
    except Rollback:
        return seen["ids"]
    raise AssertionError(f"the demo has no step {HISTORY_STEP!r}")


def test_same_seed_same_history():
    first = _history_event_ids()
    assert first == _history_event_ids()
    assert len({event_id for event_id, _type, _step in first}) == len(first) > 200


def test_each_step_is_reported_before_it_runs_and_the_end_after_the_last(monkeypatch):
    ran = []
    steps = [(f"step {n}", lambda demo, n=n: ran.append(n)) for n in range(3)]
    monkeypatch.setattr(demo, "STEPS", steps)
    reported = []
    generate(on_step=lambda done, total, label: reported.append((done, total, label, [*ran])))
    assert reported == [
        (0, 3, "step 0", []),
        (1, 3, "step 1", [0]),
        (2, 3, "step 2", [0, 1]),
        (3, 3, "", [0, 1, 2]),
    ]
