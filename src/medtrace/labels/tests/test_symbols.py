"""The symbols on their own: element strings with their separators, and a round trip over
generated lots, serials and dates (drawn from the symbol's own vector geometry, decoded with
zxing-cpp, parsed with medtrace's scan parser)."""

import re
from datetime import date

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from medtrace.labels import symbols
from medtrace.scan import parse
from medtrace.scan.checks import CSET82, gs1_check_digit

RECTANGLE = re.compile(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+Z")
PIXELS_PER_UNIT = 4  # 8 pixels a module
ROUND_TRIP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

GTIN = "0950600020001" + gs1_check_digit("0950600020001")
gs1_values = st.text(st.sampled_from(CSET82), min_size=1, max_size=20)
hibc_values = st.text(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-."), max_size=18)
# Within GS1's two-digit-year window around today, where a YYMMDD reads back the same.
dates = st.dates(min_value=date(date.today().year - 40, 1, 1), max_value=date(2070, 12, 31))


def draw(symbol: symbols.Symbol) -> Image.Image:
    """The symbol's rectangles on white, as a printer would put them."""
    scale = PIXELS_PER_UNIT
    width = round(symbol.columns * symbols.UNITS_PER_MODULE * scale)
    height = round(symbol.rows * symbols.UNITS_PER_MODULE * scale)
    image = Image.new("L", (width, max(height, 40 * scale)), 255)
    pen = ImageDraw.Draw(image)
    for x, y, w, h in RECTANGLE.findall(symbol.path):
        x, y, w, h = (float(v) * scale for v in (x, y, w, h))
        pen.rectangle([x, y, x + w - 1, y + h - 1], fill=0)
    return image


def decode(symbol: symbols.Symbol):
    found = zxingcpp.read_barcodes(draw(symbol), text_mode=zxingcpp.TextMode.Plain)
    assert len(found) == 1, symbol.hri
    return found[0]


def test_element_string_separates_only_variable_length_values_before_another():
    pairs = [("01", GTIN), ("17", "270131"), ("10", "A1"), ("21", "S1")]
    assert symbols.element_string(pairs) == f"01{GTIN}17270131" + "10A1\x1d21S1"
    assert symbols.bracketed(pairs) == f"[01]{GTIN}[17]270131[10]A1[21]S1"
    assert symbols.hri(pairs) == (f"(01){GTIN}", "(17)270131", "(10)A1", "(21)S1")


def test_svg_is_sized_by_the_x_dimension_and_escapes_its_text():
    symbol = symbols.gs1_datamatrix([("01", GTIN), ("10", '<A&"1>')])
    assert symbol.columns == symbol.rows  # square, quiet zone included
    svg = symbol.svg(x_mm=0.5)
    assert f'width="{symbol.columns * 0.5:.3f}mm"' in svg
    assert "<A&" not in svg and "&lt;A&amp;&quot;1&gt;" in svg


def test_zint_refuses_what_the_gs1_rules_refuse():
    with pytest.raises(symbols.SymbolError):
        symbols.gs1_datamatrix([("01", GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10))])
    with pytest.raises(symbols.SymbolError):
        symbols.hibc_datamatrix("A123X1")  # no "+"


@ROUND_TRIP
@given(
    lot=gs1_values,
    serial=st.one_of(st.none(), gs1_values),
    expiry=st.one_of(st.none(), dates),
    made=st.one_of(st.none(), dates),
)
def test_gs1_datamatrix_round_trip(lot, serial, expiry, made):
    pairs = [("01", GTIN)]
    pairs += [("11", made.strftime("%y%m%d"))] if made else []
    pairs += [("17", expiry.strftime("%y%m%d"))] if expiry else []
    pairs += [("10", lot)] + ([("21", serial)] if serial else [])
    found = decode(symbols.gs1_datamatrix(pairs))
    assert found.format == zxingcpp.BarcodeFormat.DataMatrix
    assert found.symbology_identifier == "]d2"
    assert found.text == symbols.element_string(pairs)
    read = parse(found.symbology_identifier + found.text)
    assert (read.gtin, read.lot, read.serial) == (GTIN, lot, serial)
    assert (read.expiry, read.production_date) == (expiry, made)


@ROUND_TRIP
@given(body=st.text("0123456789", min_size=17, max_size=17))
def test_sscc_gs1_128_round_trip(body):
    sscc = body + gs1_check_digit(body)
    symbol = symbols.gs1_128([("00", sscc)])
    assert symbol.hri == (f"(00){sscc}",)
    found = decode(symbol)
    assert found.format == zxingcpp.BarcodeFormat.Code128
    assert found.symbology_identifier == "]C1"
    assert parse(found.symbology_identifier + found.text).sscc == sscc


@ROUND_TRIP
@given(lot=hibc_values, expiry=st.one_of(st.none(), dates))
def test_hibc_datamatrix_round_trip(lot, expiry):
    from medtrace.labels.services import hibc_data

    data = hibc_data("A123CVC30011", lot=lot, serial=None, expiry=expiry, production_date=None)
    found = decode(symbols.hibc_datamatrix(data))
    assert found.symbology_identifier == "]d1"
    read = parse(found.symbology_identifier + found.text)
    assert (read.device_identifier, read.lot or "", read.expiry) == ("+A123CVC30011", lot, expiry)
