"""Label test data: a sterile, lot-tracked device with a GS1 DI at every packaging level, a
serial-tracked device, an HIBC device and an MA device; and the reader that rasterises a
label PDF and decodes its symbols, as a scanner at receiving would."""

import pypdfium2
import pytest
import zxingcpp

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import (
    IssuingAgency,
    ItemKind,
    MriSafety,
    PackagingLevel,
    SterilizationMethod,
    Tracking,
)
from medtrace.scan.checks import gs1_check_digit

READ_DPI = 400


def gtin(body: str) -> str:
    return body + gs1_check_digit(body)


UNIT_GTIN = gtin("0950600020001")
PACK_GTIN = gtin("1950600020001")
CASE_GTIN = gtin("2950600020001")
PALLET_GTIN = gtin("3950600020001")
LEVEL_GTINS = {
    PackagingLevel.BASE_UNIT: UNIT_GTIN,
    PackagingLevel.INNER_PACK: PACK_GTIN,
    PackagingLevel.CASE: CASE_GTIN,
    PackagingLevel.PALLET: PALLET_GTIN,
}
QUANTITIES = {PackagingLevel.INNER_PACK: 25, PackagingLevel.CASE: 20, PackagingLevel.PALLET: 40}
ATTRIBUTES = {
    "brand": "康滴 KangDrip",
    "model_number": "IS-2001",
    "registration_number": "国械注准20213140123",
    "risk_class_cn": "III",
    "sterile": True,
    "sterilization_method": SterilizationMethod.ETHYLENE_OXIDE,
    "contains_latex": True,
    "mri_safety": MriSafety.CONDITIONAL,
    "label_has_manufacturing_date": True,
}


@pytest.fixture
def regulatory_a(make_user, site_a):
    return make_user("ra-a", (site_a, Role.REGULATORY_AFFAIRS))


def make_device(organization, by, code, *, tracking=Tracking.LOT, shelf_life_days=1095):
    return catalog.create_item(
        organization=organization,
        code=code,
        name="一次性使用输液器 带针",
        name_en="Single-use infusion set with needle",
        kind=ItemKind.FINISHED_DEVICE,
        tracking=tracking,
        shelf_life_days=shelf_life_days,
        by=by,
    )


@pytest.fixture
def device(organization, regulatory_a):
    return make_device(organization, regulatory_a, "IS-2001")


@pytest.fixture
def levels(device, regulatory_a):
    """{packaging level: DI}, from the base unit to a pallet, each containing the one below."""
    found, inner = {}, None
    for level, value in LEVEL_GTINS.items():
        inner = catalog.create_device_identifier(
            item=device,
            issuing_agency=IssuingAgency.GS1,
            value=value,
            packaging_level=level,
            contains=inner,
            quantity_per_package=QUANTITIES.get(level, 1),
            by=regulatory_a,
            **ATTRIBUTES,
        )
        found[level] = inner
    return found


@pytest.fixture
def unit_di(levels):
    return levels[PackagingLevel.BASE_UNIT]


@pytest.fixture
def outsider(db):
    """A QA manager of another organization."""
    from conftest import PASSWORD
    from medtrace.accounts.services import create_user
    from medtrace.org import services as org_services

    other, _created = org_services.ensure_organization(name="另一家公司", name_en="Other Co.")
    site = org_services.create_site(organization=other, code="X1", name="X 厂")
    user = create_user(organization=other, username="outsider", password=PASSWORD)
    org_services.grant_role(user=user, site=site, role=Role.QA_MANAGER)
    return user


@pytest.fixture
def serial_di(organization, regulatory_a):
    """A serialised pump: serial, expiry and date of manufacture on the label, no lot."""
    pump = make_device(organization, regulatory_a, "PUMP-1", tracking=Tracking.SERIAL)
    return catalog.create_device_identifier(
        item=pump,
        issuing_agency=IssuingAgency.GS1,
        value=gtin("0950600030001"),
        brand="康泵 KangPump",
        model_number="IP-100",
        registration_number="国械注准20223140777",
        single_use=False,
        prescription=True,
        label_has_lot=False,
        label_has_serial=True,
        label_has_manufacturing_date=True,
        by=regulatory_a,
    )


@pytest.fixture
def hibc_di(organization, regulatory_a):
    """An HIBC-labelled device with lot and expiry on its label."""
    item = make_device(organization, regulatory_a, "CVC-3001")
    return catalog.create_device_identifier(
        item=item,
        issuing_agency=IssuingAgency.HIBCC,
        value="+A123CVC30011",
        brand="KangVein",
        model_number="CVC-3001",
        by=regulatory_a,
    )


@pytest.fixture
def ma_di(organization, regulatory_a):
    item = make_device(organization, regulatory_a, "ST-1001")
    return catalog.create_device_identifier(
        item=item,
        issuing_agency=IssuingAgency.MA,
        value="MA.156.M0.100234.ST1001A",
        brand="康通 KangFlow",
        model_number="ST-1001",
        by=regulatory_a,
    )


def read_label(pdf: bytes, dpi: int = READ_DPI) -> list:
    """The symbols on page 1 of the PDF, decoded as a scanner transmits them (raw text with GS
    separators), each with its symbology identifier."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1, "a label is one page"
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    return zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)


def pdf_text(pdf: bytes) -> str:
    """Page 1's text, with every run of whitespace (line breaks too) as one space."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
