"""Nonconformance pages: site scope, filters and aging, reporting with a hold, refusals that
save nothing, the actions offered per user, and the walk from review to closure by POSTs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry, Signature
from medtrace.quality.choices import NcrSource, NcrStatus, Severity
from medtrace.quality.models import Disposition, Nonconformance, RecordCounter
from medtrace.quality.services import nonconformance as ncrs
from medtrace.trace.models import Lot, TraceEvent

pytestmark = pytest.mark.django_db

LIST = "/quality/ncrs/"
NEW = "/quality/ncrs/new/"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail_url(ncr) -> str:
    return f"/quality/ncrs/{ncr.pk}/"


def act(client, ncr, action, **data):
    return client.post(f"/quality/ncrs/{ncr.pk}/{action}/", data)


def status_of(ncr) -> str:
    return Nonconformance.objects.get(pk=ncr.pk).status


def report(site, lot="PC2611A", **overrides):
    fields = {
        "site": site.pk,
        "title": "来料外观不良 Black specks",
        "description": "AQL 1.0 sample of 80: 4 pellets with black specks.",
        "source": NcrSource.INCOMING,
        "severity": Severity.MAJOR,
        "lot": lot,
        "quantity": "500",
        "uom": "kg",
        "due_on": "",
        "hold": "on",
    }
    return {key: value for key, value in (fields | overrides).items() if value is not None}


@pytest.fixture
def other_site_ncr(site_b, qa_b, make_ncr):
    return make_ncr(site=site_b, by=qa_b, lot=None, quantity=None, uom="", title="B 厂 NCR")


def test_the_list_shows_the_users_sites_with_filters_aging_and_overdue(
    client, make_ncr, make_user, site_a, site_b, qa_a, other_site_ncr
):
    major = make_ncr()
    critical = make_ncr(
        title="灭菌参数偏离 Sterilization deviation",
        severity=Severity.CRITICAL,
        source=NcrSource.IN_PROCESS,
        lot=None,
        quantity=None,
        uom="",
        due_on=timezone.localdate() - timedelta(days=3),
    )
    Nonconformance.objects.filter(pk=major.pk).update(opened_at=timezone.now() - timedelta(days=12))
    client.force_login(qa_a)
    listing = page(client, LIST)
    assert major.number in listing and critical.number in listing
    assert other_site_ncr.number not in listing
    assert "PC2611A" in listing and "RM-PC-01" in listing and "SUP-PC" in listing
    assert '<td class="age">12</td>' in listing
    assert listing.count("data-overdue") == 1 and 'class="overdue"' in listing
    assert "Nonconformances" in listing  # in the quality menu and the heading

    def numbers(**params):
        shown = page(client, LIST, **params)
        return {ncr.number for ncr in (major, critical) if ncr.number in shown}

    assert numbers(severity="critical") == {critical.number}
    assert numbers(source="incoming") == {major.number}
    assert numbers(overdue="on") == {critical.number}
    assert numbers(q="PC2611A") == {major.number}
    ncrs.start_review(major, by=qa_a)
    assert numbers(status="under_review") == {major.number}
    ncrs.cancel(critical, by=qa_a, reason="Opened twice.")
    assert numbers(open="on") == {major.number}
    assert numbers(overdue="on") == set()  # a cancelled NCR is not overdue

    both = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    client.force_login(both)
    assert other_site_ncr.number in page(client, LIST)
    only_b = page(client, LIST, site=site_b.pk)
    assert other_site_ncr.number in only_b and major.number not in only_b
    fragment = client.get(LIST, {"severity": "major"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert major.number in body and "<html" not in body and "<table" in body


def test_the_list_costs_the_same_queries_however_many_rows(client, qa_a, make_ncr, molder):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, LIST)
        return len(captured)

    client.force_login(qa_a)
    make_ncr()
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    for number in range(8):
        ncr = make_ncr(equipment=molder, hold=False, title=f"NCR {number}")
        if number % 2:
            ncrs.start_review(ncr, by=qa_a)
    assert queries() == few


def test_reporting_on_a_lot_holds_it_and_takes_its_supplier(
    client, qa_a, site_a, site_b, received_lot, molder
):
    client.force_login(qa_a)
    form = page(client, NEW)
    assert "A1 ·" in form and "B1 ·" not in form
    assert 'id="id_hold" checked' in form  # holding is the default
    prefilled = page(client, NEW, lot=received_lot.pk)
    assert 'value="PC2611A"' in prefilled
    response = client.post(NEW, report(site_a, equipment=molder.pk))
    ncr = Nonconformance.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(ncr)
    assert ncr.lot_id == received_lot.pk and ncr.supplier.code == "SUP-PC"
    assert ncr.supplier_lot_number == "HS-55102" and ncr.equipment == molder
    assert ncr.hold_event is not None
    assert Lot.objects.get(pk=received_lot.pk).disposition == "non_conformant"
    detail = page(client, detail_url(ncr))
    assert f"{ncr.number} opened" in detail
    assert f'href="/trace/objects/{received_lot.pk}/"' in detail
    assert 'href="/catalog/items/RM-PC-01/"' in detail
    assert 'href="/partners/suppliers/SUP-PC/"' in detail
    assert f'href="/equipment/{molder.pk}/"' in detail and "calibration due 2026-11-28" in detail
    assert 'data-link="hold"' in detail and "Full history in the audit trail" in detail


def test_reporting_without_a_lot_or_without_holding(client, qa_a, site_a, received_lot):
    client.force_login(qa_a)
    response = client.post(NEW, report(site_a, lot="", quantity="", uom="", hold=None))
    assert response.status_code == 302
    scanned = received_lot.identifier  # what the scan box reads from the lot's label
    assert client.post(NEW, report(site_a, lot=scanned, hold=None)).status_code == 302
    without_lot, not_held = Nonconformance.objects.order_by("pk")
    assert without_lot.lot is None and without_lot.hold_event is None
    assert not_held.lot_id == received_lot.pk and not_held.hold_event is None
    assert Lot.objects.get(pk=received_lot.pk).disposition == ""


def test_the_lot_page_offers_to_report_a_nonconformance(client, qa_a, operator_a, received_lot):
    client.force_login(qa_a)
    lot_page = page(client, f"/trace/objects/{received_lot.pk}/")
    assert f'href="/quality/ncrs/new/?lot={received_lot.pk}"' in lot_page
    client.force_login(operator_a)
    assert 'data-action="report-ncr"' not in page(client, f"/trace/objects/{received_lot.pk}/")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lot": "NOPE-404"}, "lot", "Nothing traced here is named NOPE-404."),
        ({"uom": ""}, "uom", "Give the unit of measure of the quantity."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_a_refused_report_saves_nothing(
    client, qa_a, site_a, received_lot, overrides, field, message
):
    client.force_login(qa_a)
    response = client.post(NEW, report(site_a, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field]
    assert message in response.content.decode()
    assert not Nonconformance.objects.exists()
    assert not TraceEvent.objects.exists()
    assert not RecordCounter.objects.filter(last__gt=0).exists()


def test_a_lot_of_another_site_or_a_site_without_the_right_is_refused(
    client, make_user, site_a, site_b, resin, supplier
):
    from medtrace.trace.choices import LotOrigin
    from medtrace.trace.services import objects

    objects.create_lot(
        item=resin, lot_number="PC-B-01", site=site_b, origin=LotOrigin.RECEIVED, supplier=supplier
    )
    reporter = make_user("qa-a-op-b", (site_a, Role.QA_MANAGER), (site_b, Role.OPERATOR))
    client.force_login(reporter)
    response = client.post(NEW, report(site_a, lot="PC-B-01"))
    assert response.status_code == 200
    assert "is not at site A1" in " ".join(response.context["form"].errors["lot"])
    response = client.post(NEW, report(site_b, lot=""))
    assert "site" in response.context["form"].errors
    assert not Nonconformance.objects.exists() and not TraceEvent.objects.exists()


def test_the_detail_offers_only_the_actions_allowed_now(client, qa_a, operator_a, make_ncr):
    ncr = make_ncr()
    client.force_login(qa_a)
    detail = page(client, detail_url(ncr))
    assert 'data-action="start_review"' in detail and 'data-action="cancel"' in detail
    assert 'data-action="approve_dispositions"' not in detail
    assert 'data-action="close"' not in detail
    assert 'id="disposition-form"' not in detail  # dispositions wait for the review
    assert "Not signed yet." in detail

    client.force_login(operator_a)
    detail = page(client, detail_url(ncr))
    assert ncr.number in detail and "data-action" not in detail
    assert act(client, ncr, "start_review").status_code == 403
    assert act(client, ncr, "cancel", reason="x").status_code == 403
    response = client.post(
        f"/quality/ncrs/{ncr.pk}/dispositions/",
        {"decision": "scrap", "quantity": "1", "justification": "x"},
    )
    assert response.status_code == 403
    ncrs.start_review(ncr, by=qa_a)
    assert 'id="disposition-form"' not in page(client, detail_url(ncr))
    assert status_of(ncr) == NcrStatus.UNDER_REVIEW and not Disposition.objects.exists()


def test_the_walk_from_review_to_closure_with_signatures(client, qa_a, make_ncr):
    ncr = make_ncr()
    client.force_login(qa_a)
    response = act(client, ncr, "start_review")
    assert response.status_code == 302 and status_of(ncr) == NcrStatus.UNDER_REVIEW
    detail = page(client, detail_url(ncr))
    assert 'id="disposition-form"' in detail and 'data-action="approve_dispositions"' in detail
    assert 'data-action="start_review"' not in detail

    dispositions = f"/quality/ncrs/{ncr.pk}/dispositions/"
    response = client.post(
        dispositions, {"decision": "scrap", "quantity": "600", "justification": "All of it"}
    )
    assert response.status_code == 200
    assert "500 kg nonconforming" in " ".join(
        response.context["disposition_form"].errors["quantity"]
    )
    response = client.post(
        dispositions, {"decision": "scrap", "quantity": "50", "justification": ""}
    )
    assert "Every disposition needs its justification." in response.content.decode()
    assert not Disposition.objects.exists()
    client.post(
        dispositions,
        {
            "decision": "return_to_supplier",
            "quantity": "450",
            "justification": "Supplier replaces.",
        },
    )

    response = act(client, ncr, "approve_dispositions", meaning="approved", password=PASSWORD)
    assert response.status_code == 200  # 450 of 500 decided: refused, shown on the form
    assert "Dispositions cover 450 of 500 kg" in response.content.decode()
    assert status_of(ncr) == NcrStatus.UNDER_REVIEW
    client.post(dispositions, {"decision": "scrap", "quantity": "50", "justification": "Samples"})
    detail = page(client, detail_url(ncr))
    assert "500 of 500 kg" in detail and "Return to supplier" in detail

    response = act(client, ncr, "approve_dispositions", meaning="approved", password="wrong")
    assert response.status_code == 200
    errors = response.context["actions"][0][1].errors
    assert errors["password"] == ["The password is wrong; the record was not signed."]
    opened = '<details id="action-approve_dispositions" class="card action-form" open>'
    assert opened in response.content.decode()
    assert status_of(ncr) == NcrStatus.UNDER_REVIEW and not Signature.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_FAILED).count() == 1

    response = act(
        client, ncr, "approve_dispositions", meaning="approved", password=PASSWORD, reason="MRB"
    )
    assert response.status_code == 302 and status_of(ncr) == NcrStatus.DISPOSITIONED
    detail = page(client, detail_url(ncr))
    assert 'data-action="close"' in detail and 'id="disposition-form"' not in detail
    assert detail.count('class="signature"') == 1 and "Approved" in detail

    for row in ncr.dispositions.all():
        assert f'id="execute-{row.pk}"' in detail
        response = client.post(
            f"/quality/ncrs/{ncr.pk}/dispositions/{row.pk}/carried-out/", {"note": "Done."}
        )
        assert response.status_code == 302
    response = act(client, ncr, "close", meaning="verified", password=PASSWORD)
    assert response.status_code == 302 and status_of(ncr) == NcrStatus.CLOSED
    detail = page(client, detail_url(ncr))
    assert (
        detail.count('class="signature"') == 2 and detail.count('<span class="badge ok">Valid') == 2
    )
    assert "data-action" not in detail and "Verified" in detail
    assert Nonconformance.objects.get(pk=ncr.pk).closed_at is not None


def test_cancelling_asks_for_a_reason(client, qa_a, make_ncr):
    ncr = make_ncr()
    client.force_login(qa_a)
    response = act(client, ncr, "cancel", reason="  ")
    assert response.status_code == 200
    assert "This action needs a reason." in response.context["actions"][-1][1].errors["reason"]
    assert status_of(ncr) == NcrStatus.OPEN
    assert act(client, ncr, "cancel", reason="Reported twice.").status_code == 302
    assert status_of(ncr) == NcrStatus.CANCELLED
    response = act(client, ncr, "start_review")  # a stale button: said, nothing done
    assert response.status_code == 302
    assert status_of(ncr) == NcrStatus.CANCELLED
    assert "Cancelled" in page(client, detail_url(ncr))


def test_another_sites_ncr_is_not_found(client, qa_b, make_ncr, stranger):
    ncr = make_ncr()
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(detail_url(ncr)).status_code == 404
        assert act(client, ncr, "start_review").status_code == 404
        assert act(client, ncr, "cancel", reason="x").status_code == 404
        assert ncr.number not in page(client, LIST)
    assert status_of(ncr) == NcrStatus.OPEN


def test_visitors_are_sent_to_sign_in(client, make_ncr):
    ncr = make_ncr()
    for url in (LIST, NEW, detail_url(ncr)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert act(client, ncr, "start_review").status_code == 302
    assert status_of(ncr) == NcrStatus.OPEN


def test_disposition_quantities_are_shown_plain(client, qa_a, make_ncr):
    ncr = ncrs.start_review(make_ncr(), by=qa_a)
    ncrs.add_disposition(
        ncr, decision="scrap", quantity=Decimal("12.5"), justification="Burnt", by=qa_a
    )
    client.force_login(qa_a)
    assert "12.5 kg" in page(client, detail_url(ncr))
