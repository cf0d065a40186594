"""The scope of what was shipped in cases and pallets: each consignee gets what the case held
at the time of shipping (a lot split over two cases, each its packed quantity; a case inside a
pallet opened; a unit taken out before shipping not sent), and the notices list the same lines
in the same order as their text."""

from dataclasses import replace

import pytest

from medtrace.core.numbers import plain
from medtrace.epcis.model import TypedId
from medtrace.recall.choices import Place
from medtrace.recall.services import notices
from medtrace.trace.models import TraceObject
from medtrace.trace.services.recording import record_events
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import event
from medtrace.trace.tests.test_recording import (
    CASE,
    HOSPITAL,
    RAW,
    SUB,
    at,
    commissioning,
    making,
    receipt,
    shipping,
)

pytestmark = pytest.mark.django_db

OTHER_CASE, PALLET = corpus.sscc_id(2), corpus.sscc_id(3)
CLINIC = corpus.party_id(101)


def _unit(serial: str) -> str:
    return f"https://id.gs1.org/01/{corpus.SUB_GTIN}/21/{serial}"


@pytest.fixture
def shipped_in_cases(organization, site_a):
    """50 of lot B1 made from raw lot R1 and units U1, U2 of it; 25 of B1 and both units
    packed in a case, put on a pallet; U2 taken out again; the pallet shipped to a hospital,
    a second case with the other 25 to a clinic."""

    def aggregation(event_id, minutes, parent, action="ADD", **children):
        return event("AggregationEvent", event_id, at(minutes), action=action, parent=parent,
                     **children)  # fmt: skip

    to_clinic = replace(
        shipping("urn:uuid:ship-2", minutes=41, epcs=[OTHER_CASE]),
        destinations=(TypedId("owning_party", CLINIC),),
    )
    record_events(
        [
            receipt(), making(), commissioning(["U1", "U2"], minutes=15),
            aggregation("urn:uuid:case-1", 20, CASE, quantities=[(SUB, "25")],
                        epcs=[_unit("U1"), _unit("U2")]),
            aggregation("urn:uuid:case-2", 21, OTHER_CASE, quantities=[(SUB, "25")]),
            aggregation("urn:uuid:pallet", 22, PALLET, epcs=[CASE]),
            aggregation("urn:uuid:out", 25, CASE, action="DELETE", epcs=[_unit("U2")]),
            shipping("urn:uuid:ship-1", minutes=40, epcs=[PALLET]), to_clinic,
        ],
        organization=organization, site=site_a, create_missing=True,
    )  # fmt: skip


def test_each_consignee_gets_what_its_case_held_when_shipped(shipped_in_cases, open_from):
    raw = TraceObject.objects.get(identifier=RAW)
    scope = open_from([raw]).current_scope()
    sent = sorted(
        (entry.party.identifier, entry.object.identifier, plain(entry.quantity), entry.uom)
        for entry in scope.entries.filter(place=Place.CONSIGNEE).select_related("party", "object")
    )
    uom = sent[0][3]
    assert sent == sorted(
        [
            (HOSPITAL, SUB, "25", uom),
            (HOSPITAL, _unit("U1"), "1", uom),
            (CLINIC, SUB, "25", uom),
        ]
    )
    assert scope.summary["consignees"] == 2
    assert set(scope.summary["objects"]) == {RAW, SUB, _unit("U1"), _unit("U2")}


def test_notice_lines_follow_the_entries_in_the_order_of_the_text(
    shipped_in_cases, open_from, qa_a
):
    recall = open_from([TraceObject.objects.get(identifier=RAW)])
    prepared = notices.prepare(recall, by=qa_a)
    hospital = next(n for n in prepared.created if n.party.identifier == HOSPITAL)
    lines = list(hospital.lines.order_by("pk"))
    assert [(line.serial, plain(line.quantity)) for line in lines] == [("", "25"), ("U1", "1")]
    listed = [row for row in hospital.body.splitlines() if row.startswith("  - ")]
    assert len(listed) == 2 and "U1" not in listed[0] and "U1" in listed[1]
