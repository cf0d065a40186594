"""The catalog's pages: list with search and filters, detail, forms, and what each role sees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medtrace.catalog import services
from medtrace.catalog.choices import ItemKind, PackagingLevel
from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.catalog.tests.conftest import BOX_GTIN, UNIT_GTIN, gtin, make_unit

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_everyone_may_read_the_catalog_and_only_qa_and_regulatory_change_it(
    client, operator_a, device
):
    client.force_login(operator_a)
    listing = page(client, "/catalog/items/")
    assert "IS-2001" in listing and "New item" not in listing
    assert "Items and device identifiers" in listing  # in the master-data menu
    detail = page(client, "/catalog/items/IS-2001/")
    assert "Edit" not in detail and "New device identifier" not in detail
    assert client.get("/catalog/items/new/").status_code == 403
    assert client.get("/catalog/items/IS-2001/edit/").status_code == 403
    assert client.get("/catalog/items/IS-2001/device-identifiers/new/").status_code == 403


def test_list_searches_code_name_and_device_identifier(client, qa_a, box_di, organization):
    services.create_item(
        organization=organization,
        code="RM-PVC",
        name="医用 PVC 粒料",
        name_en="PVC pellets",
        kind=ItemKind.RAW_MATERIAL,
        unit="KG",
    )
    client.force_login(qa_a)
    assert "RM-PVC" in page(client, "/catalog/items/")
    for query in ["is-20", "输液器", "infusion", UNIT_GTIN[3:9], BOX_GTIN[1:]]:
        found = page(client, "/catalog/items/", q=query)
        assert "IS-2001" in found and "RM-PVC" not in found, query
    assert "RM-PVC" in page(client, "/catalog/items/", q="pellets")
    by_kind = page(client, "/catalog/items/", kind="raw_material")
    assert "RM-PVC" in by_kind and "IS-2001" not in by_kind
    assert "IS-2001" not in page(client, "/catalog/items/", tracking="serial")


def test_list_shows_active_items_unless_asked(client, qa_a, organization):
    item = services.create_item(
        organization=organization, code="OLD-1", name="旧", kind="component"
    )
    services.set_item_active(item=item, active=False)
    client.force_login(qa_a)
    assert "OLD-1" not in page(client, "/catalog/items/")
    assert "OLD-1" in page(client, "/catalog/items/", active="0")
    assert "OLD-1" in page(client, "/catalog/items/", active="all")


def test_list_filters_answer_htmx_with_the_table_only(client, qa_a, device):
    client.force_login(qa_a)
    response = client.get("/catalog/items/", {"q": "IS"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "IS-2001" in body and "<html" not in body


def test_pages_keep_the_filter_when_paging(client, qa_a, organization):
    for number in range(55):
        services.create_item(
            organization=organization, code=f"CP-{number:03d}", name="件", kind="component"
        )
    client.force_login(qa_a)
    first = page(client, "/catalog/items/", q="CP-", kind="component")
    assert "q=CP-&amp;kind=component&amp;page=2" in first
    assert "CP-054" in page(client, "/catalog/items/", q="CP-", kind="component", page=2)


def test_list_query_count_does_not_grow_with_rows(client, qa_a, organization, regulatory_a):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            page(client, "/catalog/items/")
        return len(captured)

    client.force_login(qa_a)
    services.create_item(organization=organization, code="A", name="a", kind="component")
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    for number in range(12):
        item = services.create_item(
            organization=organization,
            code=f"D-{number}",
            name="d",
            kind="finished_device",
            shelf_life_days=365,
        )
        make_unit(item, regulatory_a, value=gtin(f"09506000200{number:02d}"))
    assert queries() == few


def test_item_detail_shows_the_packaging_tree_attributes_and_history(client, qa_a, box_di):
    client.force_login(qa_a)
    detail = page(client, "/catalog/items/IS-2001/")
    assert detail.index(UNIT_GTIN) < detail.index(BOX_GTIN)
    assert 'class="depth-1"><a class="hash"' in detail  # the box sits under its unit
    assert "25 \N{MULTIPLICATION SIGN} Base unit" in detail
    assert "国械注准20213140123" in detail and "Ethylene oxide" in detail
    assert "History" in detail and "Created" in detail


def test_create_and_edit_an_item(client, regulatory_a):
    client.force_login(regulatory_a)
    response = client.post(
        "/catalog/items/new/",
        {
            "code": "cvc-3001",
            "name": "中心静脉导管包",
            "kind": "finished_device",
            "unit": "SET",
            "tracking": "lot",
            "shelf_life_days": "1095",
        },
    )
    assert response["Location"] == "/catalog/items/CVC-3001/"
    response = client.post(
        "/catalog/items/CVC-3001/edit/",
        {
            "name": "中心静脉导管包",
            "name_en": "CVC kit",
            "kind": "finished_device",
            "unit": "SET",
            "tracking": "lot",
            "shelf_life_days": "1095",
        },
    )
    assert response.status_code == 302
    assert Item.objects.get(code="CVC-3001").name_en == "CVC kit"
    again = client.post(
        "/catalog/items/new/",
        {"code": "CVC-3001", "name": "x", "kind": "component", "unit": "EA", "tracking": "lot"},
    )
    assert "already exists" in again.content.decode()


def test_deactivating_an_item_with_active_dis_shows_the_refusal(client, regulatory_a, unit_di):
    client.force_login(regulatory_a)
    response = client.post("/catalog/items/IS-2001/active/", {"active": "0"}, follow=True)
    assert "retire them first" in response.content.decode()
    assert Item.objects.get(code="IS-2001").is_active


def di_form(**overrides):
    data = {
        "issuing_agency": "GS1",
        "value": UNIT_GTIN[1:],
        "packaging_level": PackagingLevel.BASE_UNIT,
        "quantity_per_package": "1",
        "brand": "康滴 KangDrip",
        "model_number": "IS-2001",
        "sterile": "on",
        "sterilization_method": "eo",
        "single_use": "on",
        "mri_safety": "not_labelled",
        "prescription": "on",
        "label_has_lot": "on",
        "label_has_expiry": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_create_a_device_identifier_and_its_box(client, regulatory_a, device):
    client.force_login(regulatory_a)
    url = "/catalog/items/IS-2001/device-identifiers/new/"
    assert client.post(url, di_form()).status_code == 302
    unit = DeviceIdentifier.objects.get(value=UNIT_GTIN)
    response = client.post(
        url,
        di_form(
            value=BOX_GTIN,
            packaging_level="inner_pack",
            contains=unit.pk,
            quantity_per_package="25",
        ),
    )
    assert response.status_code == 302
    bad = client.post(url, di_form(value="12345"))
    assert "8, 12, 13 or 14 digits" in bad.content.decode()


def test_correcting_a_di_needs_a_reason_and_writes_a_version(client, regulatory_a, unit_di):
    client.force_login(regulatory_a)
    url = f"/catalog/device-identifiers/{unit_di.pk}/edit/"
    form = page(client, url)
    assert "Fixed: a change needs a new device identifier." in form
    changed = di_form(registration_number="国械注准20263140777", gmdn_code="12345")
    no_reason = client.post(url, changed)
    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    # A different brand posted to a fixed field is ignored, not saved.
    response = client.post(url, {**changed, "brand": "Other", "reason": "Certificate renewed"})
    assert response["Location"] == f"/catalog/device-identifiers/{unit_di.pk}/"
    unit_di.refresh_from_db()
    assert unit_di.version == 2 and unit_di.brand == "康滴 KangDrip"
    detail = page(client, response["Location"])
    assert "Certificate renewed" in detail and "国械注准20263140777" in detail
    bad = client.post(url, {**changed, "gmdn_code": "12", "reason": "typo"})
    assert "five digits" in bad.content.decode()


def test_retire_and_reactivate_a_di_from_its_page(client, regulatory_a, unit_di):
    client.force_login(regulatory_a)
    url = f"/catalog/device-identifiers/{unit_di.pk}/active/"
    refused = client.post(url, {"active": "0", "reason": ""}, follow=True)
    assert "Give the reason" in refused.content.decode()
    client.post(url, {"active": "0", "reason": "discontinued"})
    unit_di.refresh_from_db()
    assert not unit_di.is_active
    client.post(url, {"active": "1", "reason": "back on the market"})
    unit_di.refresh_from_db()
    assert unit_di.is_active and unit_di.version == 3


def test_another_organization_never_sees_our_catalog(client, outsider, box_di):
    client.force_login(outsider)
    listing = page(client, "/catalog/items/")
    assert "SECRET-1" in listing and "IS-2001" not in listing
    assert client.get("/catalog/items/IS-2001/").status_code == 404
    assert client.get(f"/catalog/items/id/{box_di.item_id}/").status_code == 404
    assert client.get(f"/catalog/device-identifiers/{box_di.pk}/").status_code == 404
    assert client.get(f"/catalog/device-identifiers/{box_di.pk}/edit/").status_code == 404
    response = client.post(
        f"/catalog/device-identifiers/{box_di.pk}/active/", {"active": "0", "reason": "x"}
    )
    assert response.status_code == 404
    box_di.refresh_from_db()
    assert box_di.is_active


def test_audit_trail_links_back_to_the_item_and_the_di(client, qa_a, unit_di):
    client.force_login(qa_a)
    log = page(client, "/audit/", object_type="catalog.deviceidentifier")
    assert f'href="/catalog/device-identifiers/{unit_di.pk}/"' in log
    log = page(client, "/audit/", object_type="catalog.item")
    assert f'href="/catalog/items/id/{unit_di.item_id}/"' in log
    response = client.get(f"/catalog/items/id/{unit_di.item_id}/")
    assert response["Location"] == "/catalog/items/IS-2001/"
