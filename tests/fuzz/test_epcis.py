"""Fuzzing the EPCIS importer: the standard's examples and a plant's own document, mutated;
any JSON; any bytes, XML among them (the importer reads JSON only, so an XML entity bomb or an
external entity is refused as not JSON, never expanded or fetched). The codec reads a document
or refuses it with DomainError(VALIDATION); capture records all of it or, on refusal, nothing:
no row of any table changes."""

import json
from urllib.parse import quote

import pytest
from django.apps import apps
from hypothesis import event, example, given
from hypothesis import strategies as st

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.epcis import codec
from medtrace.epcis.tests.documents import EXAMPLES
from medtrace.trace.services.capture import capture
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import corpus_events
from tests.fuzz.budget import database_fuzzing, fuzzing, inputs
from tests.fuzz.strategies import (
    deep_json_text,
    hostile_text,
    json_values,
    mutated,
    without_surrogates,
)


def _billion_laughs() -> str:
    """Ten to the ninth "lol"s from a document of a few hundred bytes, if a parser expands it."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE d [{"".join(entities)}]><d>&lol9;</d>'


BILLION_LAUGHS = _billion_laughs()
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2">&x;</epcis:EPCISDocument>'
)
XML_FRAGMENTS = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<!DOCTYPE d [",
    '<!ENTITY e SYSTEM "http://127.0.0.1/">',
    '<!ENTITY % p SYSTEM "file:///etc/shadow">',
    "%p;",
    "]>",
    '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0">',
    "<EPCISBody><EventList><ObjectEvent>",
    "&e;",
    "<![CDATA[",
    "]]>",
    "</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>",
]


def _plant_document() -> dict:
    """A plant's own shapes: receipts, making, commissioning with ILMD, packing, shipping."""
    events, _declarations = corpus_events(corpus.build(finished_lots=1, units_per_lot=2).facts)
    return codec.to_document(events[:14])


SEEDS = [json.loads(path.read_bytes()) for path in sorted(EXAMPLES.glob("*.jsonld"))]
SEEDS.append(_plant_document())
PLANT_TEXT = json.dumps(SEEDS[-1])
FIRST_LOT = "/10/R0"


def _with_lot(lot: str) -> dict:
    """The plant's document with its first raw lot renamed: a valid document whose lot
    number is anything a Digital Link can carry, percent-encoded (%00 among it)."""
    return json.loads(PLANT_TEXT.replace(FIRST_LOT, "/10/" + quote(lot, safe="")))


documents = st.one_of(
    st.sampled_from(SEEDS).flatmap(mutated),
    st.one_of(hostile_text.map(without_surrogates), st.text(max_size=30)).map(_with_lot),
)
any_input = st.one_of(
    documents,
    documents.map(lambda document: json.dumps(document).encode()),
    json_values.map(json.dumps),
    st.dictionaries(st.text(max_size=12), json_values, max_size=5),
    st.binary(max_size=2_000),
    deep_json_text,
    st.lists(st.sampled_from(XML_FRAGMENTS), min_size=1, max_size=12).map("".join),
    st.sampled_from([BILLION_LAUGHS, EXTERNAL_ENTITY]),
)


def _with_member(name: str, value) -> dict:
    """The first example with `value` as its second event's member `name`."""
    document = json.loads(json.dumps(SEEDS[0]))
    document["epcisBody"]["eventList"][1][name] = value
    return document


def _with_text(value: str) -> dict:
    return _with_member("example:myField", value)


def read(data):
    inputs["epcis"] += 1
    try:
        document = codec.parse_document(data)
    except DomainError as refusal:
        assert refusal.code == ErrorCode.VALIDATION
        assert refusal.details["errors"], refusal
        return None
    return document


@fuzzing
@given(data=any_input)
@example(data=BILLION_LAUGHS)
@example(data=EXTERNAL_ENTITY)
@example(data="[" * 100_000 + "]" * 100_000)
@example(data='{"type": "EPCISDocument", "x": ' + "[" * 900 + "]" * 900 + "}")
@example(data=_with_member("bizTransactionList", True))  # was a TypeError before validation
def test_a_document_reads_or_is_refused_never_crashes(data):
    event("refused" if read(data) is None else "read")


def test_xml_is_refused_as_not_json_before_any_entity_is_read():
    for attack in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        with pytest.raises(DomainError) as refused:
            codec.parse_document(attack.encode())
        assert refused.value.details["errors"][0]["message"].startswith("Not valid JSON")


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
@database_fuzzing
@given(data=st.one_of(documents, documents.map(lambda document: json.dumps(document))))
@example(data=_with_text("a\x00b"))
@example(data=_with_text("a\ud800b"))
@example(data=json.dumps(_with_text("a\x00b")))
@example(data=_with_lot("R\x00"))
@example(data=_with_lot("R" * 5_000))
def test_a_capture_records_everything_or_nothing(data, site_a, qa_a):
    inputs["epcis-capture"] += 1
    before = row_counts()
    try:
        result = capture(
            data, organization=site_a.organization, site=site_a, by=qa_a, create_missing=True
        )
    except DomainError as refusal:
        assert refusal.code in set(ErrorCode)
        assert row_counts() == before
        event(f"refused {refusal.code}")
    else:
        event("recorded")
        assert all(event.pk is not None for event in result.events)
