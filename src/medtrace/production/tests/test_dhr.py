"""The device history record: assembled from the records of a made and released lot, shown as
a page and a PDF (read back with pdftotext, as an inspector's reader would), per lot and per
serialized unit; printing is recorded; other sites' orders are not found."""

import pytest
from django.urls import reverse

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.documents.tests.generation_fixtures import pdf_text
from medtrace.production import dhr
from medtrace.production.services import lot_release, readings
from medtrace.production.tests.fixtures import op_of, run_through

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(released, operator_a, molder, qa_a, bins):
    run_through(released, operator_a, molder)
    first = op_of(released, 10)
    readings.record(
        first, parameter="熔体温度", value="241", at=first.finished_at, by=operator_a
    )  # a late machine reading, out of limits: a deviation
    return released


def test_the_record_lists_what_was_made_from_what_by_whom(made, operator_a):
    record = dhr.build(made)
    assert [row.consumption.lot.lot_number for row in record.components] == ["T-001", "S-001"]
    first = record.operations[0]
    assert first.operation.started_by == operator_a and first.operation.equipment.code == "IM-01"
    assert [str(r.value) for r in first.readings] == ["230.000000", "241.000000"]
    assert record.out_of_limit == 1
    assert any("Deviation DEV-" in line for line in record.missing)
    assert not record.complete


def test_the_page_and_the_pdf_carry_every_component_operator_equipment_and_parameter(
    made, client, operator_a, qa_a
):
    client.force_login(qa_a)
    page = client.get(reverse("production:dhr", args=[made.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    for text in ("T-001", "S-001", "IM-01", "熔体温度", operator_a.printed_name, "out of limits"):
        assert text in body
    response = client.get(reverse("production:dhr-pdf", args=[made.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("T-001", "S-001", "IM-01", "熔体温度", "230", "241", made.lot.lot_number):
        assert expected in text, expected
    assert operator_a.printed_name in text
    assert AuditEntry.objects.filter(
        object_id=str(made.pk), action="export", changes__record="dhr"
    ).exists()


def test_a_released_lot_shows_the_signature(made, client, qa_a, operator_a, supervisor_a):
    from medtrace.quality.models import Deviation

    lot_release.complete(made, by=supervisor_a)
    Deviation.objects.update(status="closed")
    lot_release.release_lot(made, by=qa_a, password=PASSWORD, reason="DHR 已审核")
    client.force_login(qa_a)
    text = pdf_text(client.get(reverse("production:dhr-pdf", args=[made.pk])).content)
    assert qa_a.printed_name in text and "DHR 已审核" in text


def test_another_sites_order_is_not_found(made, client, make_user, site_b):
    from medtrace.accounts.roles import Role

    client.force_login(make_user("qa-b2", (site_b, Role.QA_MANAGER)))
    assert client.get(reverse("production:dhr", args=[made.pk])).status_code == 404
    assert client.get(reverse("production:dhr-pdf", args=[made.pk])).status_code == 404


def test_more_readings_and_scans_cost_no_more_queries(made, operator_a, components):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from medtrace.production.services import consumption

    with CaptureQueriesContext(connection) as before:
        dhr.build(made)
    first = op_of(made, 10)
    for value in ("231", "232", "233"):
        readings.record(
            first, parameter="熔体温度", value=value, at=first.finished_at, by=operator_a
        )
    for _each in range(3):
        consumption.consume(made, scanned=components["tube"], quantity="1", by=operator_a)
    with CaptureQueriesContext(connection) as after:
        dhr.build(made)
    assert len(after.captured_queries) == len(before.captured_queries) <= 30


def test_the_lots_trace_page_links_its_record(made, client, qa_a):
    client.force_login(qa_a)
    page = client.get(reverse("trace:object", args=[made.lot.pk])).content.decode()
    assert "data-made-by" in page and reverse("production:dhr", args=[made.pk]) in page
    component = client.get(reverse("trace:object", args=[made.consumptions.first().lot_id]))
    assert "data-made-by" not in component.content.decode()
