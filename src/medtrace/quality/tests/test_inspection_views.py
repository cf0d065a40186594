"""Inspection pages: plans (list, record, the new-plan form with its characteristics, withdrawal
with a reason), records (site scope and filters, the start form with a typed lot and refusals
that save nothing, the results grid, completion signed with the password, the verdict and the
NCR it opened) and what each user is offered."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry, Signature
from medtrace.audit.selectors import record_url
from medtrace.equipment import services as equipment_services
from medtrace.quality.choices import InspectionStatus, InspectionVerdict
from medtrace.quality.models import (
    Characteristic,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    Nonconformance,
    RecordCounter,
)
from medtrace.quality.services import inspection as inspections
from medtrace.trace.choices import LotOrigin
from medtrace.trace.models import Lot, TraceEvent
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

LIST = "/quality/inspections/"
NEW = "/quality/inspections/new/"
PLANS = "/quality/inspection-plans/"
NEW_PLAN = "/quality/inspection-plans/new/"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail_url(record) -> str:
    return f"/quality/inspections/{record.pk}/"


def act(client, record, action, **data):
    return client.post(f"/quality/inspections/{record.pk}/{action}/", data)


def status_of(record) -> str:
    return InspectionRecord.objects.get(pk=record.pk).status


def start(plan, lot, by, equipment, lot_size=8):
    """Lot of 8: major (AQL 1.0) checks every unit (Ac 0, Re 1), minor (4.0) the first 3."""
    return inspections.start_inspection(
        site=lot.site, plan=plan, lot=lot, lot_size=lot_size, equipment=equipment, by=by
    )


def characteristics(plan) -> dict[str, Characteristic]:
    return {c.name: c for c in plan.characteristics.all()}


def grid(record, *, specks_failing=0, weight="25.0", **overrides) -> dict:
    """The whole grid as the browser posts it: every open cell filled."""
    data = {}
    for characteristic in record.plan.characteristics.all():
        for sample in range(1, inspections.sample_size_of(record, characteristic) + 1):
            name = f"r-{characteristic.pk}-{sample}"
            if characteristic.kind == "variable":
                data[name] = weight
            elif characteristic.name == "Black specks":
                data[name] = "fail" if sample <= specks_failing else "pass"
            else:
                data[name] = "pass"
    return data | overrides


def start_form(site, plan, lot="PC2611A", equipment=(), lot_size="8"):
    return {
        "site": site.pk,
        "plan": plan.pk,
        "lot": lot,
        "lot_size": lot_size,
        "equipment": [each.pk for each in equipment],
    }


@pytest.fixture
def record(resin_plan, received_lot, inspector_a, balance):
    return start(resin_plan, received_lot, inspector_a, [balance])


@pytest.fixture
def other_site_record(site_b, qa_b, resin, supplier, resin_plan):
    lot = objects.create_lot(
        item=resin, lot_number="PC-B-01", site=site_b, origin=LotOrigin.RECEIVED, supplier=supplier
    )
    balance_b = equipment_services.create_equipment(
        site=site_b, code="BAL-B", name="天平 B", equipment_type="balance"
    )
    return start(resin_plan, lot, qa_b, [balance_b])


# --- plans -----------------------------------------------------------------------------------


def test_the_plan_list_filters_and_the_plan_shows_its_characteristics(
    client, inspector_a, resin_plan, record, stranger
):
    client.force_login(inspector_a)
    listing = page(client, PLANS)
    assert "IP-PC-IN" in listing and "MA 1.0" in listing and "MI 4.0" in listing
    assert 'id="plan-new"' not in listing  # plans are the QA manager's
    assert "IP-PC-IN" not in page(client, PLANS, stage="final")
    assert "IP-PC-IN" in page(client, PLANS, item=resin_plan.item_id, active="yes")
    assert "IP-PC-IN" not in page(client, PLANS, active="no")
    detail = page(client, f"{PLANS}{resin_plan.pk}/")
    assert "24.8 \u2013 25.3 kg" in detail and "(target 25)" in detail and "pass / fail" in detail
    assert 'data-aql="major">1.0<' in detail and 'data-aql="critical">—<' in detail
    assert record.number in detail  # the inspections using it
    assert 'id="plan-active"' not in detail
    assert f'href="/quality/inspections/new/?plan={resin_plan.pk}"' in detail
    assert f'<option value="{resin_plan.pk}" selected>' in page(client, NEW, plan=resin_plan.pk)
    client.force_login(stranger)
    assert client.get(f"{PLANS}{resin_plan.pk}/").status_code == 404
    assert "IP-PC-IN" not in page(client, PLANS)


def test_a_qa_manager_creates_a_plan_with_its_characteristics(client, qa_a, resin):
    client.force_login(qa_a)
    form = page(client, NEW_PLAN)
    assert 'name="characteristics-TOTAL_FORMS" value="4"' in form
    data = {
        "code": "ip-cap-in",
        "name": "瓶盖来料检验",
        "stage": "incoming",
        "item": resin.pk,
        "inspection_level": "II",
        "aql_major": "2.5",
        "aql_minor": "",
        "aql_critical": "",
        "characteristics-TOTAL_FORMS": "4",
        "characteristics-INITIAL_FORMS": "0",
        "characteristics-0-name": "Thread gauge",
        "characteristics-0-kind": "attribute",
        "characteristics-0-defect_class": "major",
        "characteristics-1-name": "Height",
        "characteristics-1-kind": "variable",
        "characteristics-1-defect_class": "major",
        "characteristics-1-unit": "mm",
        "characteristics-1-lower_limit": "11.9",
        "characteristics-1-upper_limit": "12.1",
    }
    more = client.post(NEW_PLAN, data | {"more": "1"})  # more rows: nothing saved, rows kept
    assert more.status_code == 200 and not InspectionPlan.objects.exists()
    body = more.content.decode()
    assert 'name="characteristics-TOTAL_FORMS" value="6"' in body and 'value="Height"' in body

    refused = client.post(NEW_PLAN, data | {"characteristics-2-name": "Scratch",
                                            "characteristics-2-kind": "attribute",
                                            "characteristics-2-defect_class": "minor"})  # fmt: skip
    assert refused.status_code == 200
    assert "the plan gives no AQL for that class" in refused.content.decode()
    assert not InspectionPlan.objects.exists() and not Characteristic.objects.exists()

    response = client.post(NEW_PLAN, data)
    plan = InspectionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{PLANS}{plan.pk}/"
    assert plan.code == "IP-CAP-IN" and plan.aqls() == {"major": "2.5"}
    assert [(c.position, c.name, c.kind) for c in plan.characteristics.all()] == [
        (1, "Thread gauge", "attribute"),
        (2, "Height", "variable"),
    ]
    assert AuditEntry.objects.filter(object_type="quality.inspectionplan").count() == 1
    assert record_url("quality.inspectionplan", str(plan.pk)) == f"{PLANS}{plan.pk}/"


def test_only_qa_managers_keep_plans(client, inspector_a, resin_plan):
    client.force_login(inspector_a)
    assert client.get(NEW_PLAN).status_code == 403
    response = client.post(f"{PLANS}{resin_plan.pk}/active/", {"active": "false", "reason": "x"})
    assert response.status_code == 403
    assert InspectionPlan.objects.get(pk=resin_plan.pk).active


def test_withdrawing_a_plan_needs_a_reason(client, qa_a, resin_plan):
    client.force_login(qa_a)
    url = f"{PLANS}{resin_plan.pk}/active/"
    assert 'data-action="withdraw"' in page(client, f"{PLANS}{resin_plan.pk}/")
    response = client.post(url, {"active": "false", "reason": " "})
    assert response.status_code == 200
    assert "Give the reason" in response.content.decode()
    assert '<details id="plan-active" class="card action-form" open>' in response.content.decode()
    assert InspectionPlan.objects.get(pk=resin_plan.pk).active
    response = client.post(url, {"active": "false", "reason": "Supplier changed the grade."})
    assert response.status_code == 302
    assert not InspectionPlan.objects.get(pk=resin_plan.pk).active
    detail = page(client, f"{PLANS}{resin_plan.pk}/")
    assert 'data-active="false"' in detail and 'data-action="reinstate"' in detail
    assert "Supplier changed the grade." in detail  # in its history
    assert "IP-PC-IN" not in page(client, NEW)  # a withdrawn plan is not offered


# --- records: list and start -----------------------------------------------------------------


def test_the_list_shows_the_users_sites_with_filters(
    client, make_user, site_a, site_b, qa_a, resin_plan, record, other_site_record, inspector_a
):
    inspections.record_results(
        record,
        [
            {"characteristic": c, "sample": s, "passed": True}
            if c.kind == "attribute"
            else {"characteristic": c, "sample": s, "value": "25"}
            for c in record.plan.characteristics.all()
            for s in range(1, inspections.sample_size_of(record, c) + 1)
        ],
        by=inspector_a,
    )
    done = inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    running = start(resin_plan, record.lot, inspector_a, list(record.equipment.all()), 500)
    client.force_login(qa_a)
    listing = page(client, LIST)
    assert done.number in listing and running.number in listing
    assert other_site_record.number not in listing
    assert "PC2611A" in listing and "SUP-PC" in listing and "8 / 8" in listing
    assert "50 / 500" in listing and 'data-verdict="accepted"' in listing
    assert "Inspections" in listing  # the quality menu and the heading

    def numbers(**params):
        shown = page(client, LIST, **params)
        return {r.number for r in (done, running) if r.number in shown}

    assert numbers(status="in_progress") == {running.number}
    assert numbers(verdict="accepted") == {done.number}
    assert numbers(stage="final") == set()
    assert numbers(plan=resin_plan.pk, stage="incoming") == {done.number, running.number}
    assert numbers(q="PC2611A") == {done.number, running.number}
    assert numbers(q=done.number) == {done.number}

    both = make_user("qa-ab", (site_a, "qa_manager"), (site_b, "qa_manager"))
    client.force_login(both)
    only_b = page(client, LIST, site=site_b.pk)
    assert other_site_record.number in only_b and done.number not in only_b
    fragment = client.get(LIST, {"status": "completed"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert done.number in body and "<html" not in body and "<table" in body


def test_the_list_costs_the_same_queries_however_many_rows(
    client, qa_a, resin_plan, received_lot, inspector_a, balance
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, LIST)
        return len(captured)

    client.force_login(qa_a)
    start(resin_plan, received_lot, inspector_a, [balance])
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    for _ in range(6):
        start(resin_plan, received_lot, inspector_a, [balance])
    assert queries() == few


def test_starting_from_the_lot_page(client, inspector_a, operator_a, received_lot, resin_plan,
                                    balance, site_a):  # fmt: skip
    client.force_login(inspector_a)
    lot_page = page(client, f"/trace/objects/{received_lot.pk}/")
    assert f'href="/quality/inspections/new/?lot={received_lot.pk}"' in lot_page
    form = page(client, NEW, lot=received_lot.pk)
    assert 'value="PC2611A"' in form
    assert f'<option value="{resin_plan.pk}" selected>' in form  # the one plan for the item
    assert "BAL-01" in form and "calibration due" in form
    response = client.post(NEW, start_form(site_a, resin_plan, equipment=[balance]))
    record = InspectionRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(record)
    assert (record.lot_id, record.supplier.code, record.sample_size) == (
        received_lot.pk,
        "SUP-PC",
        8,
    )
    assert list(record.equipment.all()) == [balance]
    detail = page(client, detail_url(record))
    assert f"{record.number} started: draw 8 units." in detail
    assert record_url("quality.inspectionrecord", str(record.pk)) == detail_url(record)

    client.force_login(operator_a)
    assert 'data-action="start-inspection"' not in page(
        client, f"/trace/objects/{received_lot.pk}/"
    )
    assert client.get(NEW).status_code == 403


def test_choosing_the_site_lists_its_equipment(
    client, make_user, site_a, site_b, balance, resin_plan
):
    both = make_user("insp-ab", (site_a, "qa_inspector"), (site_b, "qa_inspector"))
    equipment_services.create_equipment(
        site=site_b, code="BAL-B", name="天平 B", equipment_type="balance"
    )
    client.force_login(both)
    everything = page(client, NEW)
    assert "BAL-01" in everything and "BAL-B" in everything
    only_b = page(client, NEW, site=site_b.pk)
    assert "BAL-B" in only_b and "BAL-01" not in only_b
    assert 'hx-get="/quality/inspections/new/"' in only_b


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lot": "NOPE-404"}, "lot", "Nothing traced here is named NOPE-404."),
        ({"equipment": []}, "equipment", "Bag weight is checked with a Balance"),
        ({"lot_size": "1"}, "lot_size", ""),
    ],
)
def test_a_refused_start_saves_nothing(
    client, inspector_a, site_a, received_lot, resin_plan, balance, overrides, field, message
):
    client.force_login(inspector_a)
    response = client.post(NEW, start_form(site_a, resin_plan, equipment=[balance]) | overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not InspectionRecord.objects.exists()
    assert not RecordCounter.objects.filter(prefix="INS", last__gt=0).exists()


def test_equipment_out_of_calibration_is_refused(
    client, inspector_a, qa_a, site_a, received_lot, resin_plan, balance
):
    equipment_services.update_equipment(
        equipment=balance, last_calibrated_on=timezone.localdate() - timedelta(days=400), by=qa_a
    )
    client.force_login(inspector_a)
    response = client.post(NEW, start_form(site_a, resin_plan, equipment=[balance]))
    assert response.status_code == 200
    assert "BAL-01 is out of calibration" in " ".join(response.context["form"].errors["equipment"])
    assert "out of calibration" in response.content.decode()
    assert not InspectionRecord.objects.exists()
    assert not AuditEntry.objects.filter(object_type="quality.inspectionrecord").exists()


def test_a_lot_of_another_site_is_refused(
    client, make_user, site_a, site_b, resin, supplier, resin_plan, balance
):
    objects.create_lot(
        item=resin, lot_number="PC-B-09", site=site_b, origin=LotOrigin.RECEIVED, supplier=supplier
    )
    inspector = make_user("insp-a-op-b", (site_a, "qa_inspector"), (site_b, "operator"))
    client.force_login(inspector)
    response = client.post(NEW, start_form(site_a, resin_plan, lot="PC-B-09", equipment=[balance]))
    assert "is not at site A1" in " ".join(response.context["form"].errors["lot"])
    response = client.post(NEW, start_form(site_b, resin_plan, lot=""))
    assert "site" in response.context["form"].errors
    assert not InspectionRecord.objects.exists()


# --- records: the results grid ---------------------------------------------------------------


def test_the_grid_has_a_row_per_sample_and_opens_each_class_up_to_its_sample(
    client, inspector_a, record
):
    client.force_login(inspector_a)
    detail = page(client, detail_url(record))
    names = characteristics(record.plan)
    label = names["Label legible"]
    assert detail.count("<tr data-sample=") == 8
    assert detail.count("data-off>") == 5  # the minor class samples 3 of the 8
    assert f'data-cell="r-{label.pk}-4" data-off' in detail
    assert f'id="r-{label.pk}-3-fail"' in detail
    assert f'id="r-{names["Bag weight"].pk}-8"' in detail
    assert 'data-missing="19"' in detail and "19 results missing" in detail
    # The sampling per class and where the switching rules stand for the supplier's lots.
    assert '<tr data-class="major">' in detail and "<td data-re>1</td>" in detail
    assert 'data-scheme="normal"' in detail and "from SUP-PC" in detail
    assert 'data-action="complete"' in detail and 'data-action="cancel"' not in detail


def test_saving_the_grid_records_every_filled_cell_and_marks_the_nonconforming(
    client, inspector_a, record
):
    client.force_login(inspector_a)
    names = characteristics(record.plan)
    weight = names["Bag weight"]
    data = grid(record, specks_failing=0) | {f"r-{weight.pk}-2": "25.4"}
    response = client.post(f"{detail_url(record)}results/", data)
    assert response.status_code == 302
    assert InspectionResult.objects.filter(record=record).count() == 19
    assert list(
        InspectionResult.objects.filter(conforming=False).values_list("sample", flat=True)
    ) == [2]
    detail = page(client, detail_url(record))
    assert "19 results saved." in detail and 'data-missing="0"' in detail
    assert f'data-cell="r-{weight.pk}-2" data-conforming="false" class="nc"' in detail
    assert detail.count('class="nc"') == 1
    assert f'name="o-r-{weight.pk}-2" value="25.4"' in detail
    entries = AuditEntry.objects.filter(object_type="quality.inspectionrecord")
    assert entries.filter(action=AuditAction.CHANGE).count() == 1


def test_a_save_records_only_the_cells_changed_on_the_page(client, inspector_a, record):
    client.force_login(inspector_a)
    client.post(f"{detail_url(record)}results/", grid(record))
    specks = characteristics(record.plan)["Black specks"]
    # What the page sends back: each cell with its original beside it; one cell changed.
    data = grid(record)
    data |= {f"o-{name}": value for name, value in grid(record).items()}
    data[f"r-{specks.pk}-3"] = "fail"
    response = client.post(f"{detail_url(record)}results/", data, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'data-saved="1"' in body and "1 result saved." in body
    assert f'data-cell="r-{specks.pk}-3" data-conforming="false" class="nc"' in body
    change = AuditEntry.objects.filter(action=AuditAction.CHANGE).order_by("pk").last()
    assert change.changes["results"][1] == [["Black specks", 3, "fail", False]]


def test_a_refused_grid_saves_nothing_and_keeps_what_was_typed(client, inspector_a, record):
    client.force_login(inspector_a)
    weight = characteristics(record.plan)["Bag weight"]
    response = client.post(
        f"{detail_url(record)}results/", grid(record) | {f"r-{weight.pk}-5": "heavy"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sample 5 of Bag weight: Enter a number." in body
    assert f'data-cell="r-{weight.pk}-5" class=" error"' in body
    assert 'value="heavy"' in body
    assert not InspectionResult.objects.exists()
    label = characteristics(record.plan)["Label legible"]
    response = client.post(f"{detail_url(record)}results/", {f"r-{label.pk}-4": "pass"})
    assert "Label legible is checked on samples 1 to 3, not 4." in response.content.decode()
    assert not InspectionResult.objects.exists()


# --- records: completion, cancellation, scope ------------------------------------------------


def test_completion_is_signed_and_a_rejection_opens_a_linked_ncr(
    client, inspector_a, record, received_lot
):
    client.force_login(inspector_a)
    response = act(client, record, "complete", meaning="verified", password=PASSWORD)
    assert response.status_code == 200  # nothing recorded yet: refused, shown on the form
    assert "19 results are still missing" in response.content.decode()
    assert status_of(record) == InspectionStatus.IN_PROGRESS

    client.post(f"{detail_url(record)}results/", grid(record, specks_failing=2))
    response = act(client, record, "complete", meaning="verified", password="wrong")
    assert response.status_code == 200
    errors = response.context["actions"][0][1].errors
    assert errors["password"] == ["The password is wrong; the record was not signed."]
    assert '<details id="action-complete" class="card action-form" open>' in (
        response.content.decode()
    )
    assert status_of(record) == InspectionStatus.IN_PROGRESS and not Signature.objects.exists()
    assert not Nonconformance.objects.exists()

    response = act(client, record, "complete", meaning="verified", password=PASSWORD)
    assert response.status_code == 302
    done = InspectionRecord.objects.get(pk=record.pk)
    assert done.status == InspectionStatus.COMPLETED and done.verdict == InspectionVerdict.REJECTED
    ncr = Nonconformance.objects.get()
    assert (ncr.inspection_id, ncr.lot_id, ncr.status) == (record.pk, received_lot.pk, "open")
    detail = page(client, detail_url(record))
    assert f"{record.number} is completed: Rejected." in detail
    assert 'data-verdict="rejected"' in detail and "<td data-defectives>2</td>" in detail
    assert f'data-link="ncr" href="/quality/ncrs/{ncr.pk}/"' in detail
    assert detail.count('class="signature"') == 1 and "Verified" in detail
    assert '<span class="badge ok">Valid' in detail
    assert 'id="results-form"' not in detail and "data-action" not in detail
    assert Lot.objects.get(pk=received_lot.pk).disposition == "non_conformant"
    ncr_page = page(client, f"/quality/ncrs/{ncr.pk}/")
    assert f'data-link="inspection" href="{detail_url(record)}"' in ncr_page


def test_cancelling_asks_for_a_reason_and_is_the_qa_managers(client, qa_a, inspector_a, record):
    client.force_login(inspector_a)
    assert act(client, record, "cancel", reason="Wrong lot.").status_code == 403
    client.force_login(qa_a)
    response = act(client, record, "cancel", reason=" ")
    assert response.status_code == 200
    assert "This action needs a reason." in response.context["actions"][-1][1].errors["reason"]
    assert status_of(record) == InspectionStatus.IN_PROGRESS
    assert act(client, record, "cancel", reason="Wrong lot scanned.").status_code == 302
    assert status_of(record) == InspectionStatus.CANCELLED
    response = act(client, record, "complete", meaning="verified", password=PASSWORD)
    assert response.status_code == 302  # a stale button: said, nothing done
    assert status_of(record) == InspectionStatus.CANCELLED
    detail = page(client, detail_url(record))
    assert "Wrong lot scanned." in detail and 'id="results-form"' not in detail


def test_an_operator_reads_but_is_offered_nothing(client, operator_a, record):
    client.force_login(operator_a)
    detail = page(client, detail_url(record))
    assert record.number in detail and "data-action" not in detail
    assert 'id="results-form"' not in detail and 'type="radio"' not in detail
    response = client.post(f"{detail_url(record)}results/", grid(record))
    assert response.status_code == 403
    assert act(client, record, "complete", meaning="verified", password=PASSWORD).status_code == 403
    assert not InspectionResult.objects.exists()
    assert status_of(record) == InspectionStatus.IN_PROGRESS


def test_another_sites_inspection_is_not_found(client, qa_b, stranger, record):
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(detail_url(record)).status_code == 404
        assert client.post(f"{detail_url(record)}results/", grid(record)).status_code == 404
        assert act(client, record, "cancel", reason="x").status_code == 404
        assert record.number not in page(client, LIST)
    assert status_of(record) == InspectionStatus.IN_PROGRESS
    assert not InspectionResult.objects.exists()


def test_visitors_are_sent_to_sign_in(client, record, resin_plan):
    for url in (LIST, NEW, detail_url(record), PLANS, f"{PLANS}{resin_plan.pk}/", NEW_PLAN):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert act(client, record, "cancel", reason="x").status_code == 302
    assert status_of(record) == InspectionStatus.IN_PROGRESS


def test_no_trace_event_comes_from_an_accepted_inspection(client, inspector_a, record):
    client.force_login(inspector_a)
    client.post(f"{detail_url(record)}results/", grid(record))
    act(client, record, "complete", meaning="verified", password=PASSWORD)
    assert InspectionRecord.objects.get(pk=record.pk).verdict == InspectionVerdict.ACCEPTED
    assert not TraceEvent.objects.exists() and not Nonconformance.objects.exists()
