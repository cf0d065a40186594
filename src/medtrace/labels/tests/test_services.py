"""Device and SSCC labels: the round trip (render the PDF, rasterise it, decode the symbol as a
scanner would, parse it with medtrace's own parser) for every packaging level, what the label
says, the audit entry, and the refusals that leave no trace."""

from datetime import date

import pytest
import zxingcpp

from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import IssuingAgency, PackagingLevel
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.labels import services
from medtrace.labels.symbols import element_string
from medtrace.labels.tests.conftest import (
    CASE_GTIN,
    LEVEL_GTINS,
    PACK_GTIN,
    gtin,
    pdf_text,
    read_label,
)
from medtrace.scan import parse
from medtrace.scan.checks import gs1_check_digit

pytestmark = pytest.mark.django_db

LOT = "L2401-A/7"
EXPIRY = date(2027, 1, 31)
MADE = date(2024, 1, 15)
SSCC_BODY = "10614141123456789"
SSCC = SSCC_BODY + gs1_check_digit(SSCC_BODY)


def exports():
    return AuditEntry.objects.filter(action=AuditAction.EXPORT)


def the_one_symbol(pdf):
    codes = read_label(pdf)
    assert len(codes) == 1, [code.text for code in codes]
    return codes[0]


def refused(code: ErrorCode, call, **kwargs) -> DomainError:
    before = exports().count()
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    assert exports().count() == before, "a refused label leaves no audit entry"
    return caught.value


@pytest.mark.parametrize("level", list(PackagingLevel))
def test_label_round_trip_for_every_packaging_level(level, levels, regulatory_a):
    identifier = levels[level]
    pdf = services.device_label_pdf(
        identifier=identifier, lot=LOT, expiry=EXPIRY, production_date=MADE, by=regulatory_a
    )
    symbol = the_one_symbol(pdf)
    assert symbol.format == zxingcpp.BarcodeFormat.DataMatrix
    assert symbol.symbology_identifier == "]d2"  # GS1 DataMatrix: FNC1 in first position
    expected = [("01", LEVEL_GTINS[level]), ("11", "240115"), ("17", "270131"), ("10", LOT)]
    assert symbol.text == element_string(expected)
    read = parse(symbol.symbology_identifier + symbol.text)
    assert read.scheme == "gs1" and read.symbology == "GS1_DATAMATRIX"
    assert (read.gtin, read.lot, read.serial) == (LEVEL_GTINS[level], LOT, None)
    assert (read.expiry, read.production_date) == (EXPIRY, MADE)
    entry = exports().get(object_id=str(identifier.pk))
    assert entry.object_type == "catalog.deviceidentifier"
    assert entry.actor == regulatory_a
    assert entry.changes["lot"] == LOT and entry.changes["expiry"] == "2027-01-31"
    assert entry.changes["data"] == f"(01){LEVEL_GTINS[level]}(11)240115(17)270131(10){LOT}"
    assert entry.changes["packaging_level"] == level


def test_serial_label_round_trip(serial_di, regulatory_a):
    pdf = services.device_label_pdf(
        identifier=serial_di,
        serial="SN-000123",
        expiry="2031-12-31",
        production_date=date(2026, 2, 1),
        by=regulatory_a,
    )
    symbol = the_one_symbol(pdf)
    read = parse(symbol.symbology_identifier + symbol.text)
    assert (read.gtin, read.serial, read.lot) == (serial_di.value, "SN-000123", None)
    assert (read.expiry, read.production_date) == (date(2031, 12, 31), date(2026, 2, 1))


def test_hibc_label_round_trip(hibc_di, regulatory_a):
    pdf = services.device_label_pdf(
        identifier=hibc_di, lot="L2401.A", expiry=EXPIRY, by=regulatory_a
    )
    symbol = the_one_symbol(pdf)
    assert symbol.format == zxingcpp.BarcodeFormat.DataMatrix
    assert symbol.symbology_identifier == "]d1"  # plain Data Matrix: HIBC is not GS1
    read = parse(symbol.symbology_identifier + symbol.text)
    assert read.scheme == "hibc"
    assert (read.device_identifier, read.lot, read.expiry) == ("+A123CVC30011", "L2401.A", EXPIRY)
    assert "+A123CVC30011/$$3270131L2401.A" in pdf_text(pdf)


def test_hibc_data_structures():
    make = services.hibc_data
    assert make("A123X1", lot="L1", serial=None, expiry=None, production_date=None) == "+A123X1/$L1"
    assert (
        make("A123X1", lot="L1", serial="S9", expiry=EXPIRY, production_date=MADE)
        == "+A123X1/$$3270131L1/SS9/16D20240115"
    )
    assert make("A123X1", lot=None, serial="S9", expiry=None, production_date=None) == (
        "+A123X1/$+S9"
    )
    assert make("A123X1", lot=None, serial="S9", expiry=EXPIRY, production_date=None) == (
        "+A123X1/$$+3270131S9"
    )
    assert make("A123X1", lot=None, serial=None, expiry=None, production_date=None) == "+A123X1"


def test_label_says_what_the_device_is(levels, regulatory_a):
    pdf = services.device_label_pdf(
        identifier=levels[PackagingLevel.CASE],
        lot=LOT,
        expiry=EXPIRY,
        production_date=MADE,
        by=regulatory_a,
    )
    text = pdf_text(pdf)
    for expected in [
        "一次性使用输液器 带针",
        "Single-use infusion set with needle",
        "国械注准20213140123",
        "IS-2001",
        "康滴 KangDrip",
        "测试医疗器械有限公司",
        f"(01){CASE_GTIN}",
        f"(10){LOT}",
        "MD",
        "UDI",
        "REF",
        "LOT",
        "Use-by date",
        "2027-01-31",
        "Date of manufacture",
        "2024-01-15",
        "STERILE EO",
        "Do not re-use",
        "Contains latex",
        "Rx only",
        "MR Conditional",
        "Case",
        f"20 \u00d7 {PACK_GTIN}",  # 20 times the inner pack
        "(500 units)",
    ]:
        assert expected in text, expected


def test_a_label_without_dates_and_the_iso_texts_that_do_not_apply(device, regulatory_a):
    plain = catalog.create_device_identifier(
        item=device,
        issuing_agency=IssuingAgency.GS1,
        value=gtin("0950600020099"),
        brand="康滴",
        model_number="IS-2001N",
        single_use=False,
        prescription=False,
        label_has_expiry=False,
        by=regulatory_a,
    )
    pdf = services.device_label_pdf(identifier=plain, lot="A1", by=regulatory_a)
    text = pdf_text(pdf)
    for absent in ["STERILE", "Do not re-use", "Rx only", "latex", "Use-by date", "SN"]:
        assert absent not in text, absent
    read = parse(the_one_symbol(pdf).symbology_identifier + the_one_symbol(pdf).text)
    assert (read.gtin, read.lot, read.expiry) == (plain.value, "A1", None)


def test_sscc_label_round_trip_with_one_content_line(levels, regulatory_a):
    pdf = services.sscc_label_pdf(
        sscc=f"(00) {SSCC[:1]} {SSCC[1:8]} {SSCC[8:]}",
        contents=[(CASE_GTIN, LOT, 20)],
        ship_from="深圳市南山区科技园",
        ship_to="北京协和医院 设备科",
        by=regulatory_a,
    )
    codes = read_label(pdf)
    assert {code.format for code in codes} == {zxingcpp.BarcodeFormat.Code128}
    assert {code.symbology_identifier for code in codes} == {"]C1"}  # GS1-128
    texts = sorted(code.text for code in codes)
    assert texts == [element_string([("00", SSCC)]), f"02{CASE_GTIN}3720\x1d10{LOT}"]
    read = parse(["]C1" + text for text in texts])
    assert (read.sscc, read.gtin, read.count, read.lot) == (SSCC, CASE_GTIN, 20, LOT)
    text = pdf_text(pdf)
    assert "北京协和医院" in text and "IS-2001" in text and f"(00){SSCC}" in text
    entry = exports().get(object_type="labels.sscc")
    assert entry.object_id == SSCC and entry.organization_id == regulatory_a.organization_id
    assert entry.changes["contents"] == [[CASE_GTIN, LOT, 20]]


def test_sscc_label_with_the_longest_lot_still_reads(regulatory_a):
    longest = "ABCDEFGHIJ0123456789"
    pdf = services.sscc_label_pdf(sscc=SSCC, contents=[(CASE_GTIN, longest, 99)], by=regulatory_a)
    read = parse([code.symbology_identifier + code.text for code in read_label(pdf)])
    assert (read.sscc, read.gtin, read.lot, read.count) == (SSCC, CASE_GTIN, longest, 99)


def test_sscc_label_of_a_mixed_case_lists_the_contents_without_a_content_symbol(
    regulatory_a,
):
    pdf = services.sscc_label_pdf(
        sscc=SSCC, contents=[(CASE_GTIN, "A1", 2), (PACK_GTIN, "", 5)], by=regulatory_a
    )
    codes = read_label(pdf)
    assert [parse(code.symbology_identifier + code.text).sscc for code in codes] == [SSCC]
    assert PACK_GTIN in pdf_text(pdf)


def test_a_missing_production_identifier_is_refused(unit_di, regulatory_a):
    error = refused(
        ErrorCode.VALIDATION,
        services.device_label_pdf,
        identifier=unit_di,
        expiry=EXPIRY,
        production_date=MADE,
        by=regulatory_a,
    )
    assert "lot" in error.details["fields"]
    assert "carries the lot" in str(error.message)


@pytest.mark.parametrize(
    "lot, words",
    [
        ("L 24", "character"),  # a space is not in GS1's CSET 82
        ("批号24", "character"),
        ("L" * 21, "at most 20"),
    ],
)
def test_a_lot_a_scanner_would_refuse_is_refused_with_the_parsers_rule(
    lot, words, unit_di, regulatory_a
):
    error = refused(
        ErrorCode.VALIDATION,
        services.device_label_pdf,
        identifier=unit_di,
        lot=lot,
        expiry=EXPIRY,
        production_date=MADE,
        by=regulatory_a,
    )
    assert words in str(error.message) and "(10)" in str(error.message)
    assert list(error.details["fields"]) == ["lot"]


def test_hibc_lot_must_be_hibc_characters(hibc_di, regulatory_a):
    error = refused(
        ErrorCode.VALIDATION,
        services.device_label_pdf,
        identifier=hibc_di,
        lot="l2401",
        expiry=EXPIRY,
        by=regulatory_a,
    )
    assert "HIBC" in str(error.message)


@pytest.mark.parametrize(
    "given, field",
    [
        ({"serial": "S1"}, "serial"),  # this DI's label carries no serial number
        ({"expiry": "2027-02-30"}, "expiry"),  # not a date
        ({"expiry": date(2080, 1, 31)}, "expiry"),  # outside the two-digit year window
        ({"expiry": date(2023, 1, 31)}, "expiry"),  # before the date of manufacture
    ],
)
def test_production_identifiers_the_label_cannot_carry_are_refused(
    given, field, unit_di, regulatory_a
):
    values = {"lot": LOT, "expiry": EXPIRY, "production_date": MADE, **given}
    error = refused(
        ErrorCode.VALIDATION,
        services.device_label_pdf,
        identifier=unit_di,
        by=regulatory_a,
        **values,
    )
    assert field in error.details["fields"], error.message


def test_ma_and_retired_device_identifiers_print_no_label(ma_di, unit_di, regulatory_a):
    error = refused(
        ErrorCode.VALIDATION,
        services.device_label_pdf,
        identifier=ma_di,
        lot=LOT,
        expiry=EXPIRY,
        by=regulatory_a,
    )
    assert "MA issuing system" in str(error.message)
    pack = unit_di.packages.get()
    for level in pack.packages.get().packages.get(), pack.packages.get(), pack:
        catalog.retire_device_identifier(device_identifier=level, reason="obsolete", by=None)
    pack.refresh_from_db()
    refused(
        ErrorCode.INVALID_STATE,
        services.device_label_pdf,
        identifier=pack,
        lot=LOT,
        expiry=EXPIRY,
        production_date=MADE,
        by=regulatory_a,
    )


@pytest.mark.parametrize(
    "sscc, contents, field",
    [
        (SSCC[:-1] + str((int(SSCC[-1]) + 1) % 10), [], "sscc"),  # bad check digit
        (SSCC[:-1], [], "sscc"),  # 17 digits
        ("", [], "sscc"),
        (SSCC, [(CASE_GTIN[:-1] + str((int(CASE_GTIN[-1]) + 1) % 10), "A1", 2)], "contents"),
        (SSCC, [(CASE_GTIN, "A 1", 2)], "contents"),
        (SSCC, [(CASE_GTIN, "A1", 0)], "contents"),
    ],
)
def test_sscc_label_refusals(sscc, contents, field, regulatory_a):
    error = refused(
        ErrorCode.VALIDATION,
        services.sscc_label_pdf,
        sscc=sscc,
        contents=contents,
        by=regulatory_a,
    )
    assert field in error.details["fields"], error.message


def test_bad_sscc_check_digit_names_the_rule(regulatory_a):
    bad = SSCC[:-1] + str((int(SSCC[-1]) + 1) % 10)
    error = refused(ErrorCode.VALIDATION, services.sscc_label_pdf, sscc=bad, by=regulatory_a)
    assert "check digit" in str(error.message).lower()
