"""CBV values arrive bare, as EPCIS 1.x URNs, as GS1 Web URIs or as CURIEs; the model holds
the bare name, and the JSON written out is the bare name again."""

import pytest

from medtrace.epcis import cbv
from medtrace.epcis.codec import event_to_dict, parse_document

from .documents import event_document, object_event

FORMS = {
    "bizStep": ("shipping", "urn:epcglobal:cbv:bizstep:", "BizStep-"),
    "disposition": ("in_progress", "urn:epcglobal:cbv:disp:", "Disp-"),
    "bizTransaction type": ("po", "urn:epcglobal:cbv:btt:", "BTT-"),
    "source type": ("owning_party", "urn:epcglobal:cbv:sdt:", "SDT-"),
    "error reason": ("incorrect_data", "urn:epcglobal:cbv:er:", "ER-"),
}


def spellings(name: str, urn: str, web: str) -> list[str]:
    return [name, urn + name, "https://ref.gs1.org/cbv/" + web + name, "cbv:" + web + name]


def event_with(member: str, value: str) -> dict:
    if member == "bizStep":
        return object_event(bizStep=value)
    if member == "disposition":
        return object_event(disposition=value, persistentDisposition={"set": [value]})
    if member == "bizTransaction type":
        return object_event(
            bizTransactionList=[{"type": value, "bizTransaction": "urn:example:po:1"}]
        )
    if member == "source type":
        return object_event(
            sourceList=[{"type": value, "source": "urn:epc:id:pgln:4012345.00225"}],
            destinationList=[{"type": value, "destination": "urn:example:party:2"}],
        )
    return object_event(
        errorDeclaration={"declarationTime": "2026-01-06T08:00:00Z", "reason": value}
    )


@pytest.mark.parametrize("member", FORMS)
@pytest.mark.parametrize("form", range(4))
def test_every_spelling_reads_as_the_bare_name(member, form):
    name, urn, web = FORMS[member]
    value = spellings(name, urn, web)[form]
    [event] = parse_document(event_document(event_with(member, value))).events
    read = {
        "bizStep": lambda: event.biz_step,
        "disposition": lambda: (event.disposition, *event.persistent_disposition["set"]),
        "bizTransaction type": lambda: event.biz_transactions[0].type,
        "source type": lambda: (event.sources[0].type, event.destinations[0].type),
        "error reason": lambda: event.error_declaration.reason,
    }[member]()
    assert set(read if isinstance(read, tuple) else (read,)) == {name}
    written = event_to_dict(event)
    assert value not in str(written) or form == 0


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com/bizstep/sterilising",  # another vocabulary's URI
        "urn:example:bizstep:sterilising",
        "https://ref.gs1.org/cbv/BizStep-sterilising",  # in the CBV namespace but not a CBV term
    ],
)
def test_other_uris_stay_as_given(value):
    [event] = parse_document(event_document(event_with("bizStep", value))).events
    assert event.biz_step == value


@pytest.mark.parametrize(
    ("vocabulary", "name", "web"),
    [
        (cbv.BIZ_STEP, "commissioning", "https://ref.gs1.org/cbv/BizStep-commissioning"),
        (cbv.DISPOSITION, "non_conformant", "https://ref.gs1.org/cbv/Disp-non_conformant"),
        (cbv.BIZ_TRANSACTION_TYPE, "rma", "https://ref.gs1.org/cbv/BTT-rma"),
        (cbv.SOURCE_DESTINATION_TYPE, "location", "https://ref.gs1.org/cbv/SDT-location"),
        (cbv.ERROR_REASON, "did_not_occur", "https://ref.gs1.org/cbv/ER-did_not_occur"),
    ],
)
def test_code_lists_come_from_the_schema(vocabulary, name, web):
    assert name in vocabulary.names()
    assert vocabulary.web_uri(name) == web
    assert vocabulary.bare(web) == name


def test_there_is_no_transforming_business_step():
    assert "transforming" not in cbv.BIZ_STEP.names()
    assert cbv.BIZ_STEP.bare("urn:epcglobal:cbv:bizstep:transforming") == (
        "urn:epcglobal:cbv:bizstep:transforming"
    )
