"""The header's scan box: a code that names an item exactly opens it, whatever form it was
scanned or typed in; anything else is a search."""

import pytest

from medtrace.catalog import services
from medtrace.catalog.choices import IssuingAgency
from medtrace.catalog.selectors import item_for_code
from medtrace.catalog.tests.conftest import BOX_GTIN, STERILE, UNIT_GTIN

pytestmark = pytest.mark.django_db

GS = "\x1d"


@pytest.mark.parametrize(
    "scanned",
    [
        "is-2001",  # the item code, typed in any case
        UNIT_GTIN,  # GTIN-14
        UNIT_GTIN[1:],  # the same GTIN as GTIN-13
        BOX_GTIN,  # a package level finds its item too
        f"]d201{UNIT_GTIN}17281231{GS}10A2401",  # a whole GS1 DataMatrix label
        f"(01){BOX_GTIN}(17)281231(10)A2401",  # its human-readable text
        f"https://id.gs1.org/01/{UNIT_GTIN}/10/A2401",  # a GS1 Digital Link
    ],
)
def test_item_for_code_reads_every_form(box_di, organization, scanned):
    assert item_for_code(organization, scanned) == box_di.item


def test_item_for_code_reads_hibc_and_ma(device, organization):
    for agency, value, scanned in [
        (IssuingAgency.HIBCC, "+A123IS20010", "A123IS20010"),
        (IssuingAgency.MA, "MA.156.M0.100234.IS2001A", "ma.156.m0.100234.is2001a"),
    ]:
        services.create_device_identifier(
            item=device, issuing_agency=agency, value=value, brand="b", model_number="m", **STERILE
        )
        assert item_for_code(organization, scanned) == device
    assert item_for_code(organization, "+A123IS20010") == device


def test_item_for_code_finds_nothing_else(box_di, organization, outsider):
    assert item_for_code(organization, "") is None
    assert item_for_code(organization, "IS-20") is None  # part of a code is a search
    assert item_for_code(organization, "]d2019999999999999") is None  # not even a valid scan
    assert item_for_code(None, UNIT_GTIN) is None
    assert item_for_code(outsider.organization, UNIT_GTIN) is None
    assert item_for_code(outsider.organization, "IS-2001") is None


def test_scanning_a_gtin_in_the_header_box_opens_the_item(client, operator_a, box_di):
    client.force_login(operator_a)
    response = client.get("/search/", {"q": BOX_GTIN})
    assert response.status_code == 302 and response["Location"] == "/catalog/items/IS-2001/"


def test_part_of_a_code_or_name_lists_items_first(client, operator_a, box_di):
    client.force_login(operator_a)
    body = client.get("/search/", {"q": "输液"}).content.decode()
    assert "/catalog/items/IS-2001/" in body
    body = client.get("/search/", {"q": "IS-20"}).content.decode()
    assert body.index("Items") < body.index("IS-2001")


def test_another_organizations_codes_are_not_found(client, outsider, box_di):
    client.force_login(outsider)
    response = client.get("/search/", {"q": UNIT_GTIN})
    assert response.status_code == 200
    assert "IS-2001" not in response.content.decode()
