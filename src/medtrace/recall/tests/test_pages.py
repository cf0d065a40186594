"""Recall pages: starting one from a lot's trace page and from a supplier's lot, refusals that
save nothing, the record with its deadlines and its scope by place (our stock with each lot's
status, the line, each consignee), rescoping with the difference shown, the signed approval
that puts our stock on status recalled, cancelling, the list with its filters, and what
readers of other sites or without the roles see and may do."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.audit.selectors import record_url
from medtrace.catalog.models import Item
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.statuses import status_of
from medtrace.recall.choices import RecallStatus
from medtrace.recall.models import Recall, ScopeSnapshot
from medtrace.recall.services import recalls
from medtrace.trace.services import objects

pytestmark = pytest.mark.django_db

LIST = "/recall/"
NEW = "/recall/new/"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail_url(recall) -> str:
    return f"/recall/{recall.pk}/"


def started(site, **overrides):
    fields = {
        "site": site.pk,
        "title": "管路破裂 Tubing bursts",
        "reason": "Supplier tube lot fails burst pressure.",
        "hazard": "Air embolism if the line bursts under pressure.",
        "nmpa_class": "II",
        "fda_class": "",
        "depth": "user",
        "strategy": "removal",
        "roots": "",
        "supplier": "",
        "supplier_lot": "",
    }
    return {key: value for key, value in (fields | overrides).items() if value is not None}


def act(client, recall, action, **data):
    return client.post(f"/recall/{recall.pk}/actions/{action}/", data)


def test_a_lot_page_starts_a_recall_with_the_lot_filled_in(client, qa_a, made_and_shipped):
    product = made_and_shipped["product"]
    client.force_login(qa_a)
    body = page(client, f"/trace/objects/{product.pk}/")
    assert (
        f'href="/recall/new/?object={product.pk}"' in body and 'data-action="start-recall"' in body
    )
    form = page(client, NEW, object=product.pk)
    assert f"\n{product.lot_number}</textarea>" in form
    response = client.post(NEW, started(product.site, roots=product.lot_number))
    recall = Recall.objects.get()
    assert response.status_code == 302 and response.url == detail_url(recall)
    assert [root.pk for root in recall.roots.all()] == [product.pk]
    assert recall.status == RecallStatus.DRAFT and recall.number.startswith("RCL")
    assert AuditEntry.objects.filter(object_id=str(recall.pk), action="create").exists()
    assert record_url("recall.recall", str(recall.pk)) == detail_url(recall)

    body = page(client, detail_url(recall))
    assert 'data-count="lots">1 lot' in body and 'data-count="consignees">1 consignee' in body
    assert 'data-regime="NMPA"' in body and "医疗器械召回管理办法" in body
    assert "from approval" in body and "data-overdue" not in body
    # Our stock: A-01 with 70 sets, available until the recall is approved.
    assert 'data-location="A-01"' in body and "70 EA" in body
    assert 'data-status="available"' in body
    assert 'id="audit-history-heading"' in body
    consignee = page(client, detail_url(recall), place="consignee")
    assert 'data-consignee="https://id.gs1.org/417/6901234567892"' in consignee
    assert "30 EA" in consignee


def test_the_scope_table_is_a_fragment_for_htmx(client, qa_a, made_and_shipped, open_from):
    recall = open_from([made_and_shipped["tube"]])
    client.force_login(qa_a)
    response = client.get(
        detail_url(recall),
        {"place": "wip"},
        headers={"HX-Request": "true", "HX-Target": "scope-entries"},
    )
    body = response.content.decode()
    assert body.startswith('<div id="scope-entries"') and "<h1>" not in body
    assert 'data-location="PRD"' in body and "300 EA" in body
    assert client.get(detail_url(recall), {"place": "moon"}).status_code == 404


def test_a_supplier_lot_starts_a_recall_of_our_lots_of_it(client, qa_a, site_a, supplier_lot):
    supplier, lot = supplier_lot
    client.force_login(qa_a)
    response = client.post(
        NEW, started(site_a, supplier=supplier.pk, supplier_lot=" sl-2026-5 ", nonconformance="")
    )
    assert response.status_code == 302
    recall = Recall.objects.get()
    assert [root.pk for root in recall.roots.all()] == [lot.pk]
    unknown = client.post(NEW, started(site_a, supplier=supplier.pk, supplier_lot="SL-0"))
    assert "No lot of ours was received as" in unknown.content.decode()
    half = client.post(NEW, started(site_a, supplier=supplier.pk))
    assert "Give the supplier&#x27;s lot number." in half.content.decode()
    assert Recall.objects.count() == 1


def test_refusals_show_the_rule_and_save_nothing(
    client, qa_a, site_a, made_and_shipped, stranger, organization
):
    client.force_login(qa_a)
    lot = made_and_shipped["product"].lot_number
    nothing = client.post(NEW, started(site_a)).content.decode()
    assert "Name the lots, units or supplier lot the recall starts from." in nothing
    unclassified = client.post(NEW, started(site_a, roots=lot, nmpa_class="")).content.decode()
    assert "Classify the recall" in unclassified
    unknown = client.post(NEW, started(site_a, roots=f"{lot}\nNO-SUCH-LOT")).content.decode()
    assert "Nothing traced here is named NO-SUCH-LOT." in unknown
    no_ncr = client.post(NEW, started(site_a, roots=lot, nonconformance="NCR-1")).content.decode()
    assert "No NCR numbered NCR-1 is known here." in no_ncr
    assert not Recall.objects.exists() and not ScopeSnapshot.objects.exists()


def test_a_lot_of_another_organization_is_not_found(client, qa_a, site_a, stranger):
    from medtrace.org.models import Site

    other = Site.objects.get(code="X1")
    item = Item.objects.create(
        organization=other.organization, code="X-1", name="x", kind="component"
    )
    foreign = objects.create_lot(item=item, lot_number="F-1", site=other)
    client.force_login(qa_a)
    refused = client.post(NEW, started(site_a, roots="F-1")).content.decode()
    assert "Nothing traced here is named F-1." in refused
    assert client.get(NEW, {"object": foreign.pk}).status_code == 404
    assert not Recall.objects.exists()


def test_roles_and_sites_are_enforced(
    client, qa_a, qa_b, operator_a, site_a, made_and_shipped, open_from
):
    recall = open_from([made_and_shipped["product"]])
    client.force_login(operator_a)
    assert client.get(LIST).status_code == 200  # everyone reads recalls
    assert client.get(NEW).status_code == 403
    assert 'data-action="start-recall"' not in page(
        client, f"/trace/objects/{made_and_shipped['product'].pk}/"
    )
    assert 'data-action="approve"' not in page(client, detail_url(recall))
    assert act(client, recall, "approve", password=PASSWORD, meaning="approved").status_code == 403
    assert client.post(f"/recall/{recall.pk}/rescope/", {"reason": "x"}).status_code == 403
    client.force_login(qa_b)
    assert client.get(detail_url(recall)).status_code == 404
    assert recall.number not in page(client, LIST)
    # Site A is not among the sites QA of B may open a recall at.
    refused = client.post(NEW, started(site_a, roots=made_and_shipped["product"].lot_number))
    assert refused.status_code == 200 and Recall.objects.count() == 1


def test_approval_with_the_password_recalls_our_stock(client, qa_a, made_and_shipped, open_from):
    product, tube = made_and_shipped["product"], made_and_shipped["tube"]
    recall = open_from([tube])
    client.force_login(qa_a)
    body = page(client, detail_url(recall))
    assert 'id="action-approve"' in body and 'id="action-cancel"' in body
    wrong = act(client, recall, "approve", password="not-it", meaning="approved")
    assert wrong.status_code == 200 and 'id="action-approve" class="card action-form" open' in (
        wrong.content.decode()
    )
    assert Recall.objects.get(pk=recall.pk).status == RecallStatus.DRAFT
    assert status_of(product).status == StockStatus.AVAILABLE
    response = act(client, recall, "approve", password=PASSWORD, meaning="approved")
    assert response.status_code == 302
    assert Recall.objects.get(pk=recall.pk).status == RecallStatus.APPROVED
    assert Signature.objects.filter(object_id=str(recall.pk), meaning="approved").exists()
    for lot in (product, tube):
        assert status_of(lot).status == StockStatus.RECALLED
    body = page(client, detail_url(recall), place="stock")
    assert 'data-status="recalled"' in body and recall.number in body
    assert "data-approved-at" in body and "from approval" not in body
    assert 'id="action-close"' in body and 'id="action-cancel"' not in body
    assert 'data-status="recalled"' in page(client, f"/trace/objects/{product.pk}/")


def test_rescoping_shows_the_difference(client, qa_a, made_and_shipped, open_from):
    product, tube = made_and_shipped["product"], made_and_shipped["tube"]
    recall = open_from([product])
    client.force_login(qa_a)
    url = f"/recall/{recall.pk}/rescope/"
    no_reason = client.post(url, {"add": "T-001", "reason": ""})
    assert (
        no_reason.status_code == 200 and "Say why the scope changes." in no_reason.content.decode()
    )
    assert recall.scopes.count() == 1
    assert client.post(url, {"add": "T-001", "reason": "同批管路"}).status_code == 302
    body = page(client, detail_url(recall))
    assert 'data-scope-version="2"' in body and f'data-added-object="{tube.identifier}"' in body
    assert "同批管路" in body
    narrowed = client.post(url, {"remove": [str(tube.pk)], "reason": "管路另行处理"})
    assert narrowed.status_code == 302
    body = page(client, detail_url(recall))
    assert f'data-removed-object="{tube.identifier}"' in body and 'data-version="3"' in body
    assert [root.pk for root in recall.roots.all()] == [product.pk]


def test_a_draft_is_cancelled_with_a_reason(client, qa_a, made_and_shipped, open_from):
    recall = open_from([made_and_shipped["product"]])
    client.force_login(qa_a)
    refused = act(client, recall, "cancel", reason="")
    assert refused.status_code == 200 and Recall.objects.get().status == RecallStatus.DRAFT
    assert act(client, recall, "cancel", reason="误报 False alarm").status_code == 302
    recall.refresh_from_db()
    assert recall.status == RecallStatus.CANCELLED and recall.cancel_reason == "误报 False alarm"
    body = page(client, detail_url(recall))
    assert "data-cancel-reason" in body and 'id="rescope"' not in body
    assert 'data-action="approve"' not in body
    # No longer rescoped: the form is gone, the refusal is said on the recall's page.
    response = client.post(f"/recall/{recall.pk}/rescope/", {"reason": "x"}, follow=True)
    assert "no longer changes" in response.content.decode()


def test_the_list_filters_and_counts(client, qa_a, made_and_shipped, open_from):
    product, tube = made_and_shipped["product"], made_and_shipped["tube"]
    recall = open_from([product], fda_class="I")
    drill = open_from([tube], drill=True, nmpa_class="")
    recalls.approve(recall, by=qa_a, password=PASSWORD)
    client.force_login(qa_a)
    body = page(client, LIST)
    assert 'id="recall-new"' in body
    assert f'data-recall="{recall.number}"' in body and f'data-recall="{drill.number}"' in body
    assert 'data-nmpa="II"' in body and 'data-fda="I"' in body
    assert "1 lot<br>0 units<br>1 consignee</td>" in body
    assert "data-overdue" not in body  # the "at once" reports are due with the approval
    only_drills = page(client, LIST, kind="drill")
    assert drill.number in only_drills and recall.number not in only_drills
    approved = page(client, LIST, status="approved")
    assert recall.number in approved and drill.number not in approved
    fragment = client.get(
        LIST, {"kind": "recall"}, headers={"HX-Request": "true", "HX-Target": "recall-results"}
    ).content.decode()
    assert "<h1>" not in fragment and recall.number in fragment


def test_the_list_costs_the_same_queries_for_more_recalls(
    client, qa_a, made_and_shipped, open_from
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, LIST)
        return len(captured)

    client.force_login(qa_a)
    open_from([made_and_shipped["product"]])
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    for number in range(4):
        open_from([made_and_shipped["tube"]], title=f"Recall {number}", fda_class="II")
    assert queries() == few
