"""What a scanned or typed code names: every form of one object's identifier finds it, and no
input (however malformed) does anything but find objects or refuse with a named rule."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.trace import selectors
from medtrace.trace.services.recording import record_events
from medtrace.trace.tests import corpus
from medtrace.trace.tests.builders import corpus_events


@pytest.fixture
def plant(organization, site_a, qa_a):
    built = corpus.build()
    events, _declarations = corpus_events(built.facts)
    record_events(events, organization=organization, site=site_a, create_missing=True)
    return built


def ids(found):
    return [obj.identifier for obj in found]


def test_every_form_of_a_lot_finds_it(plant, qa_a):
    lot = corpus.lot_id(corpus.RAW_GTIN, "R2")
    company, reference = corpus.RAW_GTIN[1:8], corpus.RAW_GTIN[0] + corpus.RAW_GTIN[8:13]
    for code in (
        lot,
        f"https://brand.example.com/01/{corpus.RAW_GTIN}/10/R2?17=270101",
        f"urn:epc:class:lgtin:{company}.{reference}.R2",
        f"(01){corpus.RAW_GTIN}(10)R2",
        f"]d201{corpus.RAW_GTIN}10R2",
    ):
        assert ids(selectors.find(qa_a, code)) == [lot], code


def test_a_bare_number_finds_every_object_using_it(plant, qa_a):
    assert ids(selectors.find(qa_a, "R2")) == [corpus.lot_id(corpus.RAW_GTIN, "R2")]
    sscc = corpus.sscc_id(1).rsplit("/", 1)[1]
    assert ids(selectors.find(qa_a, sscc)) == [corpus.sscc_id(1)]


def test_find_one_names_the_rule(plant, qa_a):
    with pytest.raises(DomainError) as none:
        selectors.find_one(qa_a, "NOT-A-LOT")
    assert none.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as empty:
        selectors.find_one(qa_a, "   ")
    assert empty.value.code == ErrorCode.VALIDATION


def test_objects_of_a_site_the_user_cannot_see_are_not_found(plant, qa_b):
    assert selectors.find(qa_b, corpus.lot_id(corpus.RAW_GTIN, "R2")) == []


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=60),
        st.from_regex(r"\(01\)\d{14}\(10\)[A-Z0-9]{1,22}", fullmatch=True),
        st.from_regex(
            r"https://id\.gs1\.org/0[01]/\d{14,18}(/(10|21)/[A-Za-z0-9%]{1,25})?", fullmatch=True
        ),
        st.from_regex(
            r"urn:epc:(id|class):(sgtin|lgtin|sscc):[0-9.]{5,20}\.[A-Za-z0-9*]{0,8}", fullmatch=True
        ),
    )
)
def test_any_input_finds_objects_or_refuses_by_rule(plant, qa_a, code):
    try:
        found = selectors.find(qa_a, code)
    except DomainError as error:
        assert error.code in (ErrorCode.VALIDATION, ErrorCode.NOT_FOUND)
    else:
        assert all(obj.organization_id == qa_a.organization_id for obj in found)


def test_audit_entries_of_traced_objects_link_to_their_page(plant, qa_a, qa_b):
    from django.http import Http404
    from django.urls import reverse

    from medtrace.audit.selectors import record_url, scoped_record
    from medtrace.trace.models import Lot

    lot = Lot.objects.get(identifier=corpus.lot_id(corpus.RAW_GTIN, "R2"))
    assert record_url("trace.lot", str(lot.pk)) == reverse("trace:object", args=[lot.pk])
    assert scoped_record(qa_a, "trace.lot", str(lot.pk)).pk == lot.pk
    with pytest.raises(Http404):
        scoped_record(qa_b, "trace.lot", str(lot.pk))


def test_a_nul_character_is_refused_by_rule(qa_a):
    with pytest.raises(DomainError) as refused:
        selectors.find(qa_a, "LOT\x0042")
    assert refused.value.code == ErrorCode.VALIDATION and "NUL" in refused.value.message
