"""Serialized output: serials generated from the pattern (unique per item, GS1 AI 21 rules) or
read from pre-printed labels; an operation the routing records per serial links each component
to the unit it went into, not to every unit of the lot; each unit has its own DHR."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medtrace.catalog.services import LineIn, OperationIn
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.production import services
from medtrace.production.choices import SerialSource
from medtrace.production.services import consumption, operations, outputs
from medtrace.production.tests.fixtures import make_bom, make_effective, op_of
from medtrace.scan.gs1 import CHARSETS
from medtrace.trace.models import GenealogyLink, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit_order(catheter, components, site_a, engineer_a, qa_a, supervisor_a):
    """CVC-9 (serialized): one tube per kit, assembled per serial at operation 10."""
    from medtrace.catalog import services as catalog

    bom = make_bom(catheter, engineer_a, [LineIn("CMP-TUBE", 1)])
    routing = catalog.create_routing_draft(item=catheter, by=engineer_a)
    catalog.set_routing_operations(
        routing=routing, operations=[OperationIn(name="组装", per_unit=True)], by=engineer_a
    )
    make_effective(site_a, engineer_a, qa_a, boms=[bom], routings=[routing])
    order = services.create_work_order(site=site_a, item=catheter, quantity=3, by=supervisor_a)
    return services.release(order, by=supervisor_a)


def test_generated_serials_follow_the_pattern_and_never_repeat(kit_order, operator_a):
    made = outputs.record(kit_order, generate=2, by=operator_a)
    serials = [output.unit.serial for output in made.outputs]
    year_day = kit_order.site.local_date().strftime("%y%j")
    assert serials == [f"{year_day}0000001", f"{year_day}0000002"]
    assert {output.serial_source for output in made.outputs} == {SerialSource.GENERATED}
    assert all(output.unit.lot == kit_order.lot for output in made.outputs)
    more = outputs.record(kit_order, generate=1, by=operator_a)
    assert more.outputs[0].unit.serial == f"{year_day}0000003"
    assert made.event.event_type == "ObjectEvent" and made.event.biz_step == "commissioning"


def test_scanned_serials_are_checked(kit_order, operator_a):
    outputs.record(kit_order, serials=["PP-0001"], by=operator_a)
    with pytest.raises(DomainError) as duplicate:
        outputs.record(kit_order, serials=["PP-0001"], by=operator_a)
    assert duplicate.value.code == ErrorCode.CONFLICT
    with pytest.raises(DomainError, match="character"):
        outputs.record(kit_order, serials=["PP 0002"], by=operator_a)
    with pytest.raises(DomainError, match="at most 20"):
        outputs.record(kit_order, serials=["X" * 21], by=operator_a)
    with pytest.raises(DomainError, match="not a quantity"):
        outputs.record(kit_order, quantity="1", by=operator_a)
    assert Unit.objects.filter(lot=kit_order.lot).count() == 1


def test_components_go_into_the_unit_being_built(kit_order, operator_a, components):
    first, second = outputs.record(kit_order, generate=2, by=operator_a).outputs
    operations.start(op_of(kit_order, 10), by=operator_a)
    with pytest.raises(DomainError, match="scan the unit being built"):
        consumption.consume(kit_order, scanned=components["tube"], quantity=1, by=operator_a)
    consumption.consume(
        kit_order, scanned=components["tube"], quantity=1, into_unit=first.unit, by=operator_a
    )
    targets = set(
        GenealogyLink.objects.filter(source=components["tube"], kind="transformation").values_list(
            "target_id", flat=True
        )
    )
    assert targets == {first.unit.pk}
    assert second.unit.pk not in targets


def test_each_unit_has_its_own_record(kit_order, operator_a, components, client, qa_a):
    first, second = outputs.record(kit_order, generate=2, by=operator_a).outputs
    operations.start(op_of(kit_order, 10), by=operator_a)
    consumption.consume(
        kit_order, scanned=components["tube"], quantity=1, into_unit=first.unit, by=operator_a
    )
    client.force_login(qa_a)
    mine = client.get(reverse("production:dhr-unit", args=[kit_order.pk, first.unit.serial]))
    theirs = client.get(reverse("production:dhr-unit", args=[kit_order.pk, second.unit.serial]))
    assert "T-001" in mine.content.decode()
    assert "T-001" not in theirs.content.decode()
    missing = client.get(reverse("production:dhr-unit", args=[kit_order.pk, "NOPE"]))
    assert missing.status_code == 404


SERIAL_RULE = CHARSETS["X"]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=25))
def test_a_serial_passes_only_under_gs1_rules(text):
    try:
        serial = outputs.check_serial(text, 2026)
    except DomainError as error:
        assert error.code == ErrorCode.VALIDATION
    else:
        assert serial == text.strip() and 1 <= len(serial) <= 20
        assert SERIAL_RULE.fullmatch(serial) and not re.search(r"\s", serial)


def test_a_units_trace_page_links_its_own_record(kit_order, operator_a, client, qa_a):
    unit = outputs.record(kit_order, generate=1, by=operator_a).outputs[0].unit
    client.force_login(qa_a)
    page = client.get(reverse("trace:object", args=[unit.pk])).content.decode()
    assert reverse("production:dhr-unit", args=[kit_order.pk, unit.serial]) in page


def test_a_units_record_prints_with_its_serial(kit_order, operator_a, components, client, qa_a):
    from medtrace.documents.tests.generation_fixtures import pdf_text

    first = outputs.record(kit_order, generate=1, by=operator_a).outputs[0].unit
    operations.start(op_of(kit_order, 10), by=operator_a)
    consumption.consume(
        kit_order, scanned=components["tube"], quantity=1, into_unit=first, by=operator_a
    )
    client.force_login(qa_a)
    response = client.get(reverse("production:dhr-unit-pdf", args=[kit_order.pk, first.serial]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'-{first.serial}.pdf"')
    text = pdf_text(response.content)
    assert first.serial in text and "T-001" in text
