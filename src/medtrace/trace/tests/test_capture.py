"""EPCIS documents in and out: the standard's own examples capture and export, a document
with one bad event records nothing, an export re-imports to the same traces elsewhere, and
the `medtrace epcis` / `medtrace trace` commands."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medtrace.audit.models import AuditEntry
from medtrace.cli import app
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis import codec
from medtrace.org import services as org_services
from medtrace.trace import engine
from medtrace.trace.models import Lot, TraceEvent, TraceObject, Unit
from medtrace.trace.services import capture
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import corpus_events

EXAMPLES = Path(__file__).resolve().parents[2] / "epcis" / "tests" / "examples"
runner = CliRunner()


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.jsonld")), ids=lambda p: p.stem)
def test_the_standard_examples_capture_and_export(path, organization, site_a):
    result = capture.capture(
        path.read_bytes(), organization=organization, site=site_a, create_missing=True
    )
    assert result.new == len(result.events) >= 1
    exported = capture.export_document(capture.events_for_export(organization))
    again = codec.parse_document(exported)  # validates against GS1's schema
    assert [event.event_id for event in again.events] == [event.event_id for event in result.events]
    assert capture.capture(exported, organization=organization, site=site_a).new == 0


def test_the_transformation_example_links_inputs_to_outputs(organization, site_a):
    capture.capture(
        example("Example_9.6.4-TransformationEvent.jsonld"),
        organization=organization,
        site=site_a,
        create_missing=True,
    )
    lot = Lot.objects.get(lot_number="4444")
    outputs = {unit.serial for unit in engine.trace_forward(lot).units}
    assert outputs == {"25", "26", "27", "28"}


def test_a_document_with_one_bad_event_records_nothing(organization, site_a):
    document = json.loads(example("Example_9.6.1-ObjectEvent.jsonld"))
    document["epcisBody"]["eventList"][1]["eventTime"] = "yesterday"
    with pytest.raises(DomainError) as refused:
        capture.capture(document, organization=organization, site=site_a, create_missing=True)
    assert refused.value.code == ErrorCode.VALIDATION
    paths = [error["path"] for error in refused.value.details["errors"]]
    assert "/epcisBody/eventList/1/eventTime" in paths
    assert not TraceEvent.objects.exists()


def test_an_unknown_object_is_refused_with_its_event(organization, site_a):
    with pytest.raises(DomainError) as refused:
        capture.capture(
            example("Example_9.6.1-ObjectEvent.jsonld"), organization=organization, site=site_a
        )
    assert refused.value.code == ErrorCode.NOT_FOUND
    assert refused.value.details["event_index"] == 0
    assert refused.value.details["identifier"].startswith("https://id.gs1.org/01/")
    assert not TraceEvent.objects.exists()


def test_a_capture_is_audited_as_one_entry(organization, site_a, qa_a):
    result = capture.capture(
        example("Example_9.6.3-AggregationEvent.jsonld"),
        organization=organization,
        site=site_a,
        by=qa_a,
        create_missing=True,
        source="9.6.3.jsonld",
    )
    entry = AuditEntry.objects.get(object_type="trace.capture", object_id=result.capture_id)
    assert entry.actor == qa_a
    assert entry.changes["events"] == [None, len(result.events)]
    assert entry.object_repr == "9.6.3.jsonld"


def test_an_export_re_imports_to_the_same_traces_elsewhere(organization, site_a):
    plant = corpus.build()
    events, declarations = corpus_events(plant.facts)
    document = codec.to_document(events + declarations)
    capture.capture(document, organization=organization, site=site_a, create_missing=True)

    exported = capture.export_document(capture.events_for_export(organization))
    elsewhere, _created = org_services.ensure_organization(name="另一家", name_en="Other Co.")
    site = org_services.create_site(organization=elsewhere, code="X1", name="X", name_en="X")
    capture.capture(exported, organization=elsewhere, site=site, create_missing=True)

    def traces(org, identifier):
        root = TraceObject.objects.get(organization=org, identifier=identifier)
        result = engine.trace_forward(root)
        return (
            {obj.identifier for obj in result.lots + result.units + result.containers},
            {party.identifier for party in result.parties},
        )

    for identifier in plant.lots + plant.units[:4] + plant.containers:
        assert traces(organization, identifier) == traces(elsewhere, identifier), identifier


def write_corpus(tmp_path) -> Path:
    plant = corpus.build()
    events, declarations = corpus_events(plant.facts)
    path = tmp_path / "plant.jsonld"
    path.write_text(json.dumps(codec.to_document(events + declarations)))
    return path


def test_cli_import_then_export_round_trips(tmp_path, site_a, qa_a):
    path = write_corpus(tmp_path)
    refused = runner.invoke(app, ["epcis", "import", str(path)])
    assert refused.exit_code == 1
    assert "nothing imported" in refused.output
    assert not TraceEvent.objects.exists()

    imported = runner.invoke(app, ["epcis", "import", str(path), "--create-missing"])
    assert imported.exit_code == 0, imported.output
    count = TraceEvent.objects.count()
    assert f"{count} events, {count} new" in imported.output
    assert "events/s" in imported.output

    out = tmp_path / "export.jsonld"
    exported = runner.invoke(app, ["epcis", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert len(codec.parse_document(out.read_bytes()).events) == count
    again = runner.invoke(app, ["epcis", "import", str(out)])
    assert again.exit_code == 0 and f"0 new, {count} already recorded" in again.output


def test_cli_trace_prints_the_contract(tmp_path, site_a, qa_a):
    runner.invoke(app, ["epcis", "import", str(write_corpus(tmp_path)), "--create-missing"])
    unit = Unit.objects.filter(serial="S0001").get()
    scanned = f"(01){unit.gtin}(21){unit.serial}"
    backward = runner.invoke(app, ["trace", "backward", scanned, "--user", "qa-a", "--json"])
    assert backward.exit_code == 0, backward.output
    data = json.loads(backward.output)
    root = data["root"]
    assert (root["kind"], root["id"], root["serial"], root["lot"]) == (
        "unit",
        unit.identifier,
        "S0001",
        "F0",
    )
    assert "F0" in {lot["lot"] for lot in data["lots"]}
    assert data["sources"] and all(s.startswith("https://id.gs1.org/417/") for s in data["sources"])

    missing = runner.invoke(app, ["trace", "forward", "NO-SUCH-LOT", "--user", "qa-a", "--json"])
    assert missing.exit_code == 2
    assert json.loads(missing.output)["error"]["code"] == "not_found"


def test_cli_export_since_leaves_out_what_was_recorded_before(tmp_path, site_a, qa_a):
    from datetime import timedelta

    from django.utils import timezone

    runner.invoke(app, ["epcis", "import", str(write_corpus(tmp_path)), "--create-missing"])
    out = tmp_path / "later.jsonld"
    later = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    result = runner.invoke(app, ["epcis", "export", "--since", later, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert codec.parse_document(out.read_bytes()).events == ()
    everything = runner.invoke(app, ["epcis", "export", "--site", "A1", "--out", str(out)])
    assert everything.exit_code == 0
    assert len(codec.parse_document(out.read_bytes()).events) == TraceEvent.objects.count()
