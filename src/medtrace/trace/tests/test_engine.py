"""The trace engine against an independent reading of the same facts: a synthetic plant with
multi-level genealogy, repacking, nested containers, a case shipped empty, late uploads and
error declarations, recorded in shuffled batches; every lot, unit and container traced both
ways must give exactly what the oracle's graph walk gives."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medtrace.trace import engine
from medtrace.trace.models import Containment, TraceObject
from medtrace.trace.services.recording import record_events
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import corpus_events


def record_in_shuffled_batches(plant, organization, site, seed=3):
    events, declarations = corpus_events(plant.facts)
    rng = random.Random(seed)
    rng.shuffle(events)
    # Batches of uneven size, each recorded as it "arrives": later batches hold earlier events.
    cuts = sorted(rng.sample(range(1, len(events)), 5))
    for start, end in zip([0, *cuts], [*cuts, len(events)], strict=True):
        record_events(events[start:end], organization=organization, site=site, create_missing=True)
    record_events(declarations, organization=organization, site=site)


@pytest.fixture
def plant(organization, site_a):
    built = corpus.build()
    record_in_shuffled_batches(built, organization, site_a)
    return built


def identifiers(objects) -> set[str]:
    return {obj.identifier for obj in objects}


def as_sets(result) -> dict:
    return {
        "lots": identifiers(result.lots),
        "units": identifiers(result.units),
        "parties": identifiers(result.parties),
        "containers": identifiers(result.containers),
    }


def test_forward_from_every_object_matches_the_oracle(plant, organization):
    oracle = corpus.Oracle(plant)
    for identifier in plant.lots + plant.units + plant.containers:
        root = TraceObject.objects.get(organization=organization, identifier=identifier)
        assert as_sets(engine.trace_forward(root)) == oracle.forward(identifier), identifier


def test_backward_from_every_object_matches_the_oracle(plant, organization):
    oracle = corpus.Oracle(plant)
    for identifier in plant.lots + plant.units + plant.containers:
        root = TraceObject.objects.get(organization=organization, identifier=identifier)
        found = as_sets(engine.trace_backward(root))
        del found["containers"]
        assert found == oracle.backward(identifier), identifier


def test_forward_from_a_raw_lot_reaches_finished_units_and_hospitals(plant, organization):
    """A spot check with names, so a failure reads as the plant, not as set algebra."""
    raw = TraceObject.objects.get(
        organization=organization, identifier=corpus.lot_id(corpus.RAW_GTIN, "R4")
    )
    result = engine.trace_forward(raw)
    assert {unit.serial for unit in result.units} >= {"D000", "D001"}
    assert "F0" in {lot.lot_number for lot in result.lots}
    assert all(party.identifier.startswith("https://id.gs1.org/417/") for party in result.parties)
    assert result.elapsed_ms > 0


def test_the_retracted_transformation_and_shipment_are_not_traced(plant, organization):
    raw5 = TraceObject.objects.get(
        organization=organization, identifier=corpus.lot_id(corpus.RAW_GTIN, "R5")
    )
    sub0 = corpus.lot_id(corpus.SUB_GTIN, "B0")
    assert sub0 not in identifiers(engine.trace_forward(raw5).lots)
    pallet = TraceObject.objects.get(organization=organization, identifier=corpus.sscc_id(51))
    destinations = identifiers(engine.trace_forward(pallet).parties)
    assert corpus.party_id(104) not in destinations  # the declared-erroneous shipment
    assert corpus.party_id(105) in destinations  # its case, shipped on its own afterwards


def test_a_case_shipped_empty_sends_nothing_it_once_held(plant, organization):
    oracle = corpus.Oracle(plant)
    emptied = corpus.sscc_id(5)
    once_inside = oracle._ever_held(emptied)
    assert once_inside
    for identifier in once_inside:
        obj = TraceObject.objects.get(organization=organization, identifier=identifier)
        assert corpus.party_id(102) not in identifiers(engine.trace_forward(obj).parties)


def test_the_trace_is_a_fixed_number_of_queries_whatever_the_depth(plant, organization):
    def queries(identifier):
        root = TraceObject.objects.get(organization=organization, identifier=identifier)
        with CaptureQueriesContext(connection) as captured:
            result = engine.trace_forward(root)
        assert result.lots and result.units and result.containers and result.parties
        return len(captured)

    raw = corpus.lot_id(corpus.RAW_GTIN, "R0")  # three levels above the units
    oracle = corpus.Oracle(plant)
    sub = next(
        lot
        for lot in sorted(oracle.forward(raw)["lots"])
        if corpus.SUB_GTIN in lot and oracle.forward(lot)["parties"]
    )
    assert queries(raw) == queries(sub) <= 10


def test_max_depth_stops_the_walk(plant, organization):
    raw = TraceObject.objects.get(
        organization=organization, identifier=corpus.lot_id(corpus.RAW_GTIN, "R0")
    )
    one_step = {lot.identifier for lot in engine.trace_forward(raw, max_depth=1).lots}
    everything = {lot.identifier for lot in engine.trace_forward(raw).lots}
    assert one_step and all("/01/" + corpus.SUB_GTIN in lot for lot in one_step)
    assert one_step < everything


def test_as_of_sees_only_what_had_happened(plant, organization):
    raw = TraceObject.objects.get(
        organization=organization, identifier=corpus.lot_id(corpus.RAW_GTIN, "R0")
    )
    before_production = corpus.START
    result = engine.trace_forward(raw, as_of=before_production)
    assert result.lots == [] and result.units == [] and result.parties == []


def test_recording_the_same_corpus_twice_changes_no_trace(plant, organization, site_a):
    oracle = corpus.Oracle(plant)
    record_in_shuffled_batches(plant, organization, site_a, seed=11)
    for identifier in plant.lots[:3] + plant.containers:
        root = TraceObject.objects.get(organization=organization, identifier=identifier)
        assert as_sets(engine.trace_forward(root)) == oracle.forward(identifier)


def states(organization) -> dict:
    return {
        identifier: rest
        for identifier, *rest in TraceObject.objects.filter(organization=organization).values_list(
            "identifier", "disposition", "biz_location", "location_id", "last_event_time"
        )
    }


def intervals() -> list[tuple]:
    return sorted(
        Containment.objects.values_list(
            "container_id", "content_id", "valid_from", "valid_to", "packed_by_id",
            "unpacked_by_id",
        )
    )  # fmt: skip


@pytest.mark.parametrize("seed", [5, 11, 23])
@pytest.mark.parametrize("arrival", ["one by one in time order", "shuffled batches"])
def test_the_state_kept_while_recording_is_what_the_log_says(organization, site_a, arrival, seed):
    """Recording folds new events into each object's state and containment when they are
    the latest it has seen; a rebuild from the whole log must find exactly the same."""
    from medtrace.trace.services import derivation

    plant = corpus.build(seed=seed)
    events, declarations = corpus_events(plant.facts)
    if arrival == "shuffled batches":
        record_in_shuffled_batches(plant, organization, site_a, seed=seed + 1)
    else:
        for one in sorted(events, key=lambda event: event.event_time):
            record_events([one], organization=organization, site=site_a, create_missing=True)
        record_events(declarations, organization=organization, site=site_a)
    kept, kept_intervals = states(organization), intervals()
    containers = set(Containment.objects.values_list("container_id", flat=True))
    derivation.rebuild_containment(organization, containers)
    assert intervals() == kept_intervals
    derivation.rebuild_state(set(TraceObject.objects.values_list("pk", flat=True)))
    assert states(organization) == kept
