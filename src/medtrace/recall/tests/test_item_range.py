"""Where a recall starts: an item (by code or device identifier) and a manufacturing period,
every lot of the item made in it, from the form and the API (an empty or inverted period is
refused naming the rule, and nothing is opened); an NCR's page, with its lot and number."""

from datetime import date

import pytest
from django.urls import reverse

from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality.choices import NcrSource, Severity
from medtrace.quality.services import nonconformance as ncrs
from medtrace.recall.models import Recall
from medtrace.recall.services import recalls
from medtrace.trace.models import Lot
from medtrace.trace.services.objects import create_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_months(made_and_shipped, site_a):
    product = made_and_shipped["product"]
    Lot.objects.filter(pk=product.pk).update(manufactured_on=date(2026, 3, 10))
    april = create_lot(item=product.item, lot_number="APR-1", site=site_a,
                       manufactured_on=date(2026, 4, 2))  # fmt: skip
    may = create_lot(item=product.item, lot_number="MAY-1", site=site_a,
                     manufactured_on=date(2026, 5, 20))  # fmt: skip
    return product, april, may


def test_the_lots_of_a_period(three_months, organization):
    product, april, may = three_months
    item = product.item
    spring = recalls.item_lots(organization, item, date(2026, 3, 1), date(2026, 4, 30))
    assert {lot.pk for lot in spring} == {april.pk, product.pk}
    assert [lot.pk for lot in recalls.item_lots(organization, item, date(2026, 5, 1))] == [may.pk]
    with pytest.raises(DomainError) as refused:
        recalls.item_lots(organization, item, date(2026, 5, 1), date(2026, 4, 1))
    assert "after it ends" in str(refused.value.message)
    with pytest.raises(DomainError) as none:
        recalls.item_lots(organization, item, date(2027, 1, 1))
    assert none.value.code == ErrorCode.NOT_FOUND and "No lot of" in str(none.value.message)


def test_the_form_opens_a_recall_of_the_period(three_months, qa_a, site_a, client):
    product, april, _may = three_months
    client.force_login(qa_a)
    data = {
        "site": site_a.pk, "title": "春季批次", "reason": "Molding drift in March and April.",
        "nmpa_class": "III", "depth": "user", "strategy": "removal",
        "item": product.item.code.lower(), "made_from": "2026-03-01", "made_to": "2026-04-30",
    }  # fmt: skip
    response = client.post(reverse("recall:recall-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    recall = Recall.objects.get()
    assert {root.pk for root in recall.roots.all()} == {product.pk, april.pk}
    refused = client.post(reverse("recall:recall-create"), {**data, "made_from": "2027-01-01",
                                                             "made_to": ""})  # fmt: skip
    assert refused.status_code == 200 and "No lot of" in refused.content.decode()
    assert Recall.objects.count() == 1


def test_the_api_opens_a_recall_of_the_period(three_months, qa_a, client):
    product, _april, may = three_months
    client.force_login(qa_a)
    body = {
        "site": "A1", "title": "五月批次", "reason": "x", "nmpa_class": "III", "depth": "user",
        "strategy": "removal", "item": product.item.code, "made_from": "2026-05-01",
    }  # fmt: skip
    response = client.post("/api/v1/recalls", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["roots"] == [may.identifier]
    missing = client.post("/api/v1/recalls", {**body, "item": None},
                          content_type="application/json")  # fmt: skip
    assert missing.status_code == 422
    unknown = client.post("/api/v1/recalls", {**body, "item": "NOPE-1"},
                          content_type="application/json")  # fmt: skip
    assert unknown.status_code == 404 and Recall.objects.count() == 1


def test_an_ncr_page_starts_a_recall_of_its_lot(made_and_shipped, site_a, qa_a, client):
    product = made_and_shipped["product"]
    ncr = ncrs.open_nonconformance(
        site=site_a, title="密封不良", description="Seal strength below spec.",
        source=NcrSource.COMPLAINT, severity=Severity.MAJOR, by=qa_a, lot=product,
        quantity=10, uom=product.item.unit,
    )  # fmt: skip
    client.force_login(qa_a)
    page = client.get(reverse("quality:ncr-detail", args=[ncr.pk])).content.decode()
    link = f"{reverse('recall:recall-create')}?nonconformance={ncr.number}&amp;object={product.pk}"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial["nonconformance"] == ncr.number
    assert form.initial["roots"] == product.lot_number
