"""Executing a work order through the pages: the office (the order's page: operations,
readings, labels, completion, QA's signed release of the lot) and the floor (a scan station per
order: components by scan, operations, readings and output). Every form calls the service;
a refusal shows its message with status 422 and writes nothing; only users allowed to work
on the order act on it (403), and other sites see nothing of it (404)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import IssuingAgency, PackagingLevel
from medtrace.production import services
from medtrace.production.choices import OperationStatus, WorkOrderStatus
from medtrace.production.models import Consumption, Output, ParameterReading, WorkOrder
from medtrace.production.services import consumption, lot_release, operations, readings
from medtrace.production.services import outputs as services_outputs
from medtrace.production.tests.fixtures import lot_of, op_of, run_through
from medtrace.quality.models import Deviation
from medtrace.scan.checks import gs1_check_digit

pytestmark = pytest.mark.django_db

STATION = {"HTTP_X_SCAN_STATION": "1"}


def url(order, tail=""):
    return f"/production/{order.pk}/{tail}"


def state(order):
    return (
        AuditEntry.objects.count(),
        Consumption.objects.count(),
        Output.objects.count(),
        ParameterReading.objects.count(),
        WorkOrder.objects.get(pk=order.pk).status,
        list(order.operations.order_by("position").values_list("status", flat=True)),
    )


@pytest.fixture
def unit_di(released, engineer_a):
    """A GS1 base-unit DI of FG-IV-01 whose label carries the lot only."""
    return catalog.create_device_identifier(
        item=released.item,
        issuing_agency=IssuingAgency.GS1,
        value="0690000000001" + gs1_check_digit("0690000000001"),
        packaging_level=PackagingLevel.BASE_UNIT,
        brand="康滴",
        model_number="FG-IV-01",
        label_has_expiry=False,
        label_has_manufacturing_date=False,
        by=engineer_a,
    )


# --- the office -------------------------------------------------------------------------------


def test_an_operator_starts_reads_and_finishes_from_the_order_page(
    client, operator_a, released, molder
):
    client.force_login(operator_a)
    page = client.get(url(released)).content.decode()
    assert 'id="start-form"' in page and "IM-01" in page
    first = op_of(released, 10)
    answer = client.post(url(released, f"operations/{first.pk}/start/"), {"equipment": molder.pk})
    assert answer.status_code == 302
    first.refresh_from_db()
    assert first.status == OperationStatus.IN_PROGRESS and first.equipment == molder
    page = client.get(url(released)).content.decode()
    assert f"calibration due {molder.calibration_due_on.isoformat()}" in page
    assert operator_a.printed_name in page and 'id="reading-form"' in page
    assert client.post(
        url(released, f"operations/{first.pk}/readings/"), {"parameter": "熔体温度", "value": "231"}
    ).status_code == 302  # fmt: skip
    assert client.post(
        url(released, f"operations/{first.pk}/finish/"), {"note": "首件合格"}
    ).status_code == 302  # fmt: skip
    first.refresh_from_db()
    assert first.status == OperationStatus.DONE and first.note == "首件合格"
    page = client.get(url(released)).content.decode()
    assert 'data-reading="熔体温度"' in page and 'data-within="true"' in page
    assert 'data-operation="10" data-op-status="done"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "scan or choose it"),
        ({"equipment_code": "NOPE-9"}, "No equipment NOPE-9 at site"),
    ],
)
def test_a_refused_start_shows_why_and_writes_nothing(
    client, operator_a, released, molder, data, message
):
    client.force_login(operator_a)
    before = state(released)
    page = client.post(url(released, f"operations/{op_of(released, 10).pk}/start/"), data)
    assert page.status_code == 422
    assert message in page.content.decode()
    assert state(released) == before


def test_an_untrained_operator_is_refused_on_the_page_naming_the_document(
    client, operator_a, released, molder, effective_sop
):
    from medtrace.catalog.models import RoutingOperation
    from medtrace.production.models import WorkOrderOperation

    number = effective_sop.document.number
    WorkOrderOperation.objects.filter(work_order=released, position=10).update(documents=[number])
    RoutingOperation.objects.filter(routing=released.routing, position=10).update(
        documents=[number]
    )
    client.force_login(operator_a)
    before = state(released)
    page = client.post(
        url(released, f"operations/{op_of(released, 10).pk}/start/"), {"equipment": molder.pk}
    )
    assert page.status_code == 422
    assert number in page.content.decode() and "not trained" in page.content.decode()
    assert state(released) == before


def test_equipment_past_its_calibration_is_refused_on_the_page(
    client, operator_a, released, molder
):
    molder.calibration_due_on = date.today() - timedelta(days=1)
    molder.save(update_fields=["calibration_due_on"])
    client.force_login(operator_a)
    before = state(released)
    page = client.post(
        url(released, f"operations/{op_of(released, 10).pk}/start/"), {"equipment": molder.pk}
    )
    assert page.status_code == 422 and "IM-01" in page.content.decode()
    assert state(released) == before


def test_readings_out_of_limits_link_their_deviation_and_bad_ones_are_refused(
    client, operator_a, released, molder
):
    first = operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    client.force_login(operator_a)
    before = state(released)
    refused = client.post(
        url(released, f"operations/{first.pk}/readings/"), {"parameter": "熔体温度", "value": "hot"}
    )
    assert refused.status_code == 422 and "not a number" in refused.content.decode()
    assert state(released) == before
    finish = client.post(url(released, f"operations/{first.pk}/finish/"), {})
    assert finish.status_code == 422 and "has no reading" in finish.content.decode()
    assert state(released) == before
    client.post(
        url(released, f"operations/{first.pk}/readings/"), {"parameter": "熔体温度", "value": "260"}
    )
    deviation = Deviation.objects.get()
    page = client.get(url(released)).content.decode()
    assert 'data-within="false"' in page
    assert f'href="/quality/deviations/{deviation.pk}/">{deviation.number}</a>' in page


def test_labels_print_as_a_pdf_and_are_reconciled(client, operator_a, released, unit_di):
    client.force_login(operator_a)
    page = client.get(url(released)).content.decode()
    assert f'data-labels="{unit_di.value}"' in page and 'id="print-form"' in page
    pdf = client.post(url(released, "labels/print/"), {"identifier": unit_di.pk, "copies": 3})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    row = released.labels.get()
    assert row.printed == 3
    before = state(released)
    over = client.post(
        url(released, "labels/reconcile/"), {"identifier": unit_di.pk, "used": 3, "destroyed": 1}
    )
    assert over.status_code == 422 and "more than the 3 printed" in over.content.decode()
    assert state(released) == before
    too_many = client.post(url(released, "labels/print/"), {"identifier": unit_di.pk, "copies": 0})
    assert too_many.status_code == 422 and "between 1 and" in too_many.content.decode()
    done = client.post(
        url(released, "labels/reconcile/"),
        {"identifier": unit_di.pk, "used": 2, "destroyed": 1, "reason": "1 张打印歪"},
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert (row.used, row.destroyed, row.reconciled) == (2, 1, True)


def test_complete_and_release_the_lot_with_a_signature(
    client, supervisor_a, operator_a, qa_a, released, molder, bins
):
    client.force_login(supervisor_a)
    before = state(released)
    refused = client.post(url(released, "complete/"))  # released, not in progress
    assert refused.status_code == 422 and "In progress" in refused.content.decode()
    assert state(released) == before
    for position in (10, 20):
        step = operations.start(
            op_of(released, position), by=operator_a, equipment=molder if position == 10 else None
        )
        if position == 10:
            readings.record(step, parameter="熔体温度", value="230", by=operator_a)
        operations.finish(step, by=operator_a)
    for lot, quantity in (("T-001", "200"), ("S-001", "100")):
        consumption.consume(released, scanned=lot_of(released, lot), quantity=quantity,
                            by=operator_a)  # fmt: skip
    before = state(released)
    refused = client.post(url(released, "complete/"))
    assert refused.status_code == 422 and "No output is recorded." in refused.content.decode()
    assert state(released) == before
    services_outputs.record(released, quantity="100", by=operator_a)
    page = client.get(url(released)).content.decode()
    assert 'data-action="complete"' in page
    assert client.post(url(released, "complete/")).status_code == 302
    assert WorkOrder.objects.get(pk=released.pk).status == WorkOrderStatus.COMPLETED

    client.force_login(qa_a)
    page = client.get(url(released)).content.decode()
    assert 'data-action="release-lot"' in page and "data-release-blocked" not in page
    assert f'<option value="{bins["A-01"].pk}">A-01</option>' in page
    signatures = Signature.objects.count()
    wrong = client.post(
        url(released, "release-lot/"),
        {"meaning": "released", "password": "not it", "location": bins["A-01"].pk},
    )
    assert wrong.status_code == 422
    assert WorkOrder.objects.get(pk=released.pk).status == WorkOrderStatus.COMPLETED
    assert Signature.objects.count() == signatures
    assert "The password is wrong" in wrong.content.decode()
    signed = client.post(
        url(released, "release-lot/"),
        {"meaning": "released", "password": PASSWORD, "reason": "DHR 已审核",
         "location": bins["A-01"].pk},
    )  # fmt: skip
    assert signed.status_code == 302
    order = WorkOrder.objects.get(pk=released.pk)
    assert order.status == WorkOrderStatus.CLOSED and order.lot_released_by == qa_a
    assert Signature.objects.count() == signatures + 1
    assert "Electronic signatures" in client.get(url(released)).content.decode()


def test_the_release_form_lists_what_blocks_it_and_the_refusal(
    client, supervisor_a, operator_a, qa_a, released, molder
):
    run_through(released, operator_a, molder, melt="260")  # a deviation holds the lot
    lot_release.complete(released, by=supervisor_a)
    client.force_login(qa_a)
    page = client.get(url(released)).content.decode()
    assert "data-release-blocked" in page and "Deviation DEV-" in page
    before = state(released)
    refused = client.post(
        url(released, "release-lot/"), {"meaning": "released", "password": PASSWORD}
    )
    assert refused.status_code == 422 and "Deviation DEV-" in refused.content.decode()
    assert state(released) == before


def test_roles_and_sites_are_enforced(
    client, released, molder, qa_a, operator_a, supervisor_b, make_user, site_b
):
    first = op_of(released, 10)
    posts = [
        f"operations/{first.pk}/start/",
        f"operations/{first.pk}/finish/",
        f"operations/{first.pk}/readings/",
        "labels/print/",
        "labels/reconcile/",
        "floor/scan/",
        "floor/output/",
        f"floor/operations/{first.pk}/start/",
    ]
    client.force_login(qa_a)  # views orders, executes none
    before = state(released)
    for tail in posts:
        assert client.post(url(released, tail), {"equipment": molder.pk}).status_code == 403, tail
    assert client.get(url(released, "floor/")).status_code == 403
    client.force_login(operator_a)
    assert client.post(url(released, "complete/")).status_code == 403
    assert client.post(url(released, "release-lot/"), {"password": PASSWORD}).status_code == 403
    assert 'data-action="release-lot"' not in client.get(url(released)).content.decode()
    client.force_login(supervisor_b)  # works at site B
    for tail in [*posts, "complete/"]:
        assert client.post(url(released, tail), {}).status_code == 404, tail
    assert client.get(url(released, "floor/")).status_code == 404
    assert client.get(url(released, "floor/panel/")).status_code == 404
    assert released.number not in client.get("/production/floor/").content.decode()
    assert released.number not in client.get("/production/schedule/").content.decode()
    assert state(released) == before


# --- planning and the schedule ------------------------------------------------------------------


def test_the_planning_form_takes_the_line(client, supervisor_a, product, site_a, bins):
    client.force_login(supervisor_a)
    page = client.get("/production/").content.decode()
    assert f'<option value="{bins["PRD"].pk}">' in page
    answer = client.post(
        "/production/",
        {"site": site_a.pk, "item": product.pk, "quantity": "10", "line": bins["PRD"].pk},
    )
    assert answer.status_code == 302
    assert WorkOrder.objects.get().line == bins["PRD"]
    bad = client.post(
        "/production/",
        {"site": site_a.pk, "item": product.pk, "quantity": "10", "line": bins["A-01"].pk},
    )
    assert bad.status_code == 200 and WorkOrder.objects.count() == 1  # not a choice


def test_the_schedule_groups_open_orders_by_day(client, supervisor_a, operator_a, product, site_a):
    today = site_a.local_date()
    for days, quantity in ((0, 5), (0, 6), (2, 7)):
        services.create_work_order(
            site=site_a, item=product, quantity=quantity, by=supervisor_a,
            planned_start=today + timedelta(days=days),
        )  # fmt: skip
    services.create_work_order(site=site_a, item=product, quantity=8, by=supervisor_a)
    client.force_login(operator_a)
    client.get("/production/schedule/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/production/schedule/").content.decode()
    assert f'data-day="{today.isoformat()}"' in page
    assert f'data-day="{(today + timedelta(days=2)).isoformat()}"' in page
    assert 'data-day="none"' in page and 'data-schedule-site="A1"' in page
    today_group = page.split(f'data-day="{today.isoformat()}"')[1].split("</tbody>")[0]
    assert today_group.count("/production/") == 2
    services.create_work_order(
        site=site_a, item=product, quantity=9, by=supervisor_a, planned_start=today
    )
    with CaptureQueriesContext(connection) as more:
        client.get("/production/schedule/")
    assert len(more) == len(few)


# --- the floor ------------------------------------------------------------------------------


def test_the_floor_lists_orders_to_work_on(client, operator_a, released, planned, supervisor_a):
    client.force_login(operator_a)
    home = client.get("/inventory/floor/")
    assert home.status_code == 200 and "/production/floor/" in home.content.decode()
    page = client.get("/production/floor/").content.decode()
    assert f'data-order="{released.number}"' in page
    other = services.create_work_order(
        site=released.site, item=released.item, quantity=1, by=supervisor_a
    )
    assert other.number not in client.get("/production/floor/").content.decode()
    assert 'data-link="floor"' in client.get(url(released)).content.decode()


def test_components_scanned_at_the_station_are_consumed_once(
    client, operator_a, released, components
):
    client.force_login(operator_a)
    page = client.get(url(released, "floor/")).content.decode()
    assert "data-scan-station" in page and 'data-progress="CMP-TUBE"' in page
    scan = {"code": "T-001", "quantity": "200", "key": "k-1", "at": ""}
    answer = client.post(url(released, "floor/scan/"), scan, **STATION)
    body = answer.content.decode()
    assert answer.status_code == 200 and "scan-ok" in body, body
    assert "Consumed 200 EA of CMP-TUBE, lot T-001." in body
    assert "production-consumed" in answer["HX-Trigger"]
    again = client.post(url(released, "floor/scan/"), scan, **STATION)  # sent again offline
    assert "scan-ok" in again.content.decode()
    assert Consumption.objects.count() == 1
    assert WorkOrder.objects.get(pk=released.pk).status == WorkOrderStatus.IN_PROGRESS
    panel = client.get(url(released, "floor/panel/")).content.decode()
    assert "T-001" in panel


def test_a_refused_scan_is_red_and_writes_nothing(client, operator_a, released, components):
    client.force_login(operator_a)
    before = state(released)
    over = {"code": "T-001", "quantity": "211", "key": "k-2"}
    answer = client.post(url(released, "floor/scan/"), over, **STATION)
    assert answer.status_code == 200
    assert "scan-refused" in answer.content.decode()
    assert "give a reason" in answer.content.decode()
    plain_post = client.post(url(released, "floor/scan/"), {**over, "key": "k-3"})
    assert plain_post.status_code == 422 and "give a reason" in plain_post.content.decode()
    nothing = client.post(url(released, "floor/scan/"), {"code": "NO-SUCH-LOT"})
    assert nothing.status_code == 422 and "NO-SUCH-LOT" in nothing.content.decode()
    assert state(released) == before
    reasoned = client.post(
        url(released, "floor/scan/"), {**over, "key": "k-4", "reason": "剪切报废"}, **STATION
    )
    assert "scan-ok" in reasoned.content.decode()
    assert Consumption.objects.get().reason == "剪切报废"


def test_the_station_starts_reads_finishes_and_records_output(
    client, operator_a, released, molder, components
):
    client.force_login(operator_a)
    start = client.post(
        url(released, f"floor/operations/{op_of(released, 10).pk}/start/"),
        {"equipment_code": "im-01"},
    )
    assert start.status_code == 302 and start.url == url(released, "floor/")
    page = client.get(start.url).content.decode()
    assert "scan-ok" in page and "Operation 注塑 started." in page and "On IM-01." in page
    assert "scan-ok" not in client.get(start.url).content.decode()  # shown once
    first = op_of(released, 10)
    assert first.equipment == molder
    reading = client.post(
        url(released, f"floor/operations/{first.pk}/readings/"),
        {"parameter": "熔体温度", "value": "245"},
    )
    page = client.get(reading.url).content.decode()
    deviation = Deviation.objects.get()
    assert "scan-refused" in page and deviation.number in page  # an out-of-limit answer is red
    before = state(released)
    refused = client.post(
        url(released, f"floor/operations/{first.pk}/readings/"),
        {"parameter": "熔体温度", "value": ""},
    )
    assert refused.status_code == 422 and "scan-refused" in refused.content.decode()
    assert state(released) == before
    assert client.post(url(released, f"floor/operations/{first.pk}/finish/")).status_code == 302
    assert op_of(released, 10).status == OperationStatus.DONE

    key = "out-1"
    made = client.post(url(released, "floor/output/"), {"quantity": "40", "key": key})
    assert made.status_code == 302
    page = client.get(made.url).content.decode()
    assert "Recorded 40 EA of lot" in page and "40 of 100 EA made." in page
    client.post(url(released, "floor/output/"), {"quantity": "40", "key": key})  # resent
    assert Output.objects.get().quantity == Decimal(40)
    before = state(released)
    too_much = client.post(url(released, "floor/output/"), {"quantity": "61", "key": "out-2"})
    assert too_much.status_code == 422 and "exceed" in too_much.content.decode()
    serials = client.post(url(released, "floor/output/"), {"generate": "2", "key": "out-3"})
    assert serials.status_code == 422 and "tracked by lot" in serials.content.decode()
    assert state(released) == before


def test_the_unit_being_built_must_be_a_unit(client, operator_a, released, molder, components):
    """The station's "unit being built" is scanned too: a lot there is refused, naming it."""
    first = operations.start(op_of(released, 10), by=operator_a, equipment=molder)
    readings.record(first, parameter="熔体温度", value="230", by=operator_a)
    client.force_login(operator_a)
    before = state(released)
    answer = client.post(
        url(released, "floor/scan/"),
        {"code": "T-001", "quantity": "2", "into_unit": "S-001", "key": "u-1"},
        **STATION,
    )
    assert "scan-refused" in answer.content.decode()
    assert "S-001 is not a unit" in answer.content.decode()
    assert state(released) == before
    assert lot_of(released, "T-001")  # untouched
