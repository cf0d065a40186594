"""GS1 Digital Link URIs on any domain, read into the same AIs as the element string."""

import contextlib
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.scan import ScanError, ScanErrorCode, parse
from medtrace.scan.checks import CSET82, gs1_check_digit

YEAR = 2026
GTIN = "09506000134352"
SSCC = "106141412345678908"
GLN = "9506000134352"


def read(*codes):
    return parse(list(codes), reference_year=YEAR).as_dict()


def refused(*codes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        parse(list(codes), reference_year=YEAR)
    return caught.value


def test_any_domain_with_a_path_prefix_reads_key_qualifiers_and_attributes():
    result = read(
        "https://brand.example.com/shop/p/01/09506000134352/10/A%2F1/21/S1"
        "?17=261231&linkType=gs1:pip#top"
    )
    assert result["scheme"] == "gs1-digital-link"
    assert result["ais"] == {"01": GTIN, "10": "A/1", "21": "S1", "17": "261231"}
    assert (result["lot"], result["serial"], result["expiry"]) == ("A/1", "S1", "2026-12-31")
    assert result["digital_link"] == (
        "https://id.gs1.org/01/09506000134352/10/A%2F1/21/S1?17=261231"
    )


def test_http_a_trailing_slash_and_a_plain_text_symbology():
    result = read("]Q1http://example.org/01/09506000134352/")
    assert (result["gtin"], result["symbology"]) == (GTIN, "QR")


@pytest.mark.parametrize("body", ["9638507", "61414112345", "950600013435", "0950600013435"])
def test_gtin_8_12_13_are_padded_to_fourteen_digits(body):
    gtin = body + gs1_check_digit(body)
    assert read(f"https://id.gs1.org/01/{gtin}")["gtin"] == gtin.zfill(14)


def test_qualifiers_may_be_left_out_but_keep_their_order():
    assert read(f"https://id.gs1.org/01/{GTIN}/21/S%2B1")["serial"] == "S+1"
    assert read(f"https://id.gs1.org/01/{GTIN}/22/V1/10/L1")["ais"]["22"] == "V1"
    assert read(f"https://id.gs1.org/01/{GTIN}/235/TPX1")["ais"]["235"] == "TPX1"


def test_query_values_are_form_decoded():
    result = read(f"https://id.gs1.org/01/{GTIN}/10/L1?3103=000195&7003=2612310800")
    assert result["ais"]["3103"] == "000195"
    assert read(f"https://id.gs1.org/01/{GTIN}?99=A%2BB")["ais"]["99"] == "A+B"


def test_sscc_with_contents_and_count_as_attributes():
    result = read(f"https://id.gs1.org/00/{SSCC}?02={GTIN}&37=25")
    assert (result["sscc"], result["count"]) == (SSCC, 25)
    assert result["digital_link"] == f"https://id.gs1.org/00/{SSCC}?02={GTIN}&37=25"


def test_locations_and_parties():
    assert read(f"https://id.gs1.org/414/{GLN}/254/DOCK-4")["ais"] == {"414": GLN, "254": "DOCK-4"}
    assert read(f"https://id.gs1.org/417/{GLN}")["ais"] == {"417": GLN}


def test_a_digital_link_and_an_element_string_of_one_label_merge():
    result = read(f"https://id.gs1.org/01/{GTIN}", "]d21726123110L1")
    assert (result["scheme"], result["gtin"], result["lot"]) == ("gs1", GTIN, "L1")


@pytest.mark.parametrize(
    "uri, code, ai",
    [
        # Not a Digital Link, or a broken one.
        ("https://example.com/products/page.html", ScanErrorCode.DL_INVALID_URI, None),
        ("https://example.com/", ScanErrorCode.DL_INVALID_URI, None),
        (f"https:///01/{GTIN}", ScanErrorCode.DL_INVALID_URI, None),
        (f"https://[::1/01/{GTIN}", ScanErrorCode.DL_INVALID_URI, None),
        (f"https://id.gs1.org/01/{GTIN}/10/A 1", ScanErrorCode.DL_INVALID_URI, None),
        (f"https://id.gs1.org/01/{GTIN}/10/A%G1", ScanErrorCode.DL_INVALID_URI, None),
        (f"https://id.gs1.org/01/{GTIN}/10", ScanErrorCode.DL_INVALID_URI, None),
        (f"https://id.gs1.org/01/{GTIN}/lot/L1", ScanErrorCode.DL_INVALID_URI, None),
        (f"https://id.gs1.org/01/{GTIN}/10//21/S1", ScanErrorCode.DL_INVALID_URI, "10"),
        (f"https://id.gs1.org/00/{SSCC}?21=S1", ScanErrorCode.DL_INVALID_URI, "21"),
        (f"https://id.gs1.org/01/{GTIN}?254=X", ScanErrorCode.DL_INVALID_URI, "254"),
        (f"https://id.gs1.org/01/{GTIN}?9999=1", ScanErrorCode.DL_INVALID_URI, "9999"),
        (f"https://id.gs1.org/01/{GTIN}?17=", ScanErrorCode.DL_INVALID_URI, "17"),
        (f"https://id.gs1.org/01/{GTIN}?17=261231&17=261231", ScanErrorCode.DL_INVALID_URI, "17"),
        # Qualifiers out of order, not the key's, or from two alternative sequences.
        (f"https://id.gs1.org/01/{GTIN}/21/S1/10/L1", ScanErrorCode.DL_BAD_PATH_ORDER, "01"),
        (f"https://id.gs1.org/01/{GTIN}/10/L1/10/L2", ScanErrorCode.DL_BAD_PATH_ORDER, "01"),
        (f"https://id.gs1.org/01/{GTIN}/235/T1/21/S1", ScanErrorCode.DL_BAD_PATH_ORDER, "01"),
        (f"https://id.gs1.org/414/{GLN}/10/L1", ScanErrorCode.DL_BAD_PATH_ORDER, "414"),
        (f"https://id.gs1.org/00/{SSCC}/21/S1", ScanErrorCode.DL_BAD_PATH_ORDER, "00"),
        (f"https://id.gs1.org/01/{GTIN}/414/{GLN}", ScanErrorCode.DL_BAD_PATH_ORDER, "01"),
        # A qualifier belongs in the path.
        (f"https://id.gs1.org/01/{GTIN}?10=L1", ScanErrorCode.DL_QUALIFIER_IN_QUERY, "10"),
        (f"https://id.gs1.org/01/{GTIN}/10/L1?21=S1", ScanErrorCode.DL_QUALIFIER_IN_QUERY, "21"),
        (f"https://id.gs1.org/414/{GLN}?254=X", ScanErrorCode.DL_QUALIFIER_IN_QUERY, "254"),
        # Key lengths.
        ("https://id.gs1.org/01/95060001343520", ScanErrorCode.BAD_CHECK_DIGIT, "01"),
        ("https://id.gs1.org/01/9506000134", ScanErrorCode.DL_INVALID_KEY_LENGTH, "01"),
        ("https://id.gs1.org/01/095060001343520", ScanErrorCode.DL_INVALID_KEY_LENGTH, "01"),
        (f"https://id.gs1.org/00/{SSCC[1:]}", ScanErrorCode.DL_INVALID_KEY_LENGTH, "00"),
        (f"https://id.gs1.org/414/{GLN[1:]}", ScanErrorCode.DL_INVALID_KEY_LENGTH, "414"),
        (f"https://id.gs1.org/417/0{GLN}", ScanErrorCode.DL_INVALID_KEY_LENGTH, "417"),
        # Compressed Digital Links, whole or after an uncompressed key.
        ("https://id.gs1.org/ARHKVAdpQgTSJSQCwQ", ScanErrorCode.UNSUPPORTED, None),
        (f"https://id.gs1.org/01/{GTIN}/ARHKVAdpQgTSJ", ScanErrorCode.UNSUPPORTED, None),
        # Values are validated like any GS1 data.
        (f"https://id.gs1.org/01/{GTIN}?17=261331", ScanErrorCode.INVALID_DATE, "17"),
        (f"https://id.gs1.org/01/{GTIN}/10/{'L' * 21}", ScanErrorCode.VALUE_TOO_LONG, "10"),
        (f"https://id.gs1.org/01/{GTIN}/10/%C3%A9", ScanErrorCode.INVALID_CHARACTER, "10"),
    ],
)
def test_refusals_name_the_rule(uri, code, ai):
    error = refused(uri)
    assert (error.code, error.ai) == (code, ai)
    assert error.as_dict()["error"]["message"]


# Property tests --------------------------------------------------------------------------

gtin_bodies = st.text("0123456789", min_size=13, max_size=13)
values = st.text(st.sampled_from(CSET82), min_size=1, max_size=20)
prefixes = st.sampled_from(["https://id.gs1.org", "http://example.com/a/b", "https://x.cn/dl"])


@given(prefixes, gtin_bodies, st.one_of(st.none(), values), st.one_of(st.none(), values))
def test_any_valid_digital_link_round_trips(prefix, body, lot, serial):
    gtin = body + gs1_check_digit(body)
    uri, expected = f"{prefix}/01/{gtin}", {"01": gtin}
    for ai, value in (("10", lot), ("21", serial)):
        if value is not None:
            uri += f"/{ai}/{quote(value, safe='')}"
            expected[ai] = value
    result = parse(uri, reference_year=YEAR)
    assert result.ais == expected
    assert parse(result.digital_link, reference_year=YEAR).ais == expected


@given(st.text(max_size=60))
def test_digital_links_never_raise_anything_but_scan_error(text):
    with contextlib.suppress(ScanError):
        parse("https://id.gs1.org/" + text, reference_year=YEAR)


@given(st.lists(st.text(max_size=40), min_size=1, max_size=3))
def test_any_text_never_raises_anything_but_scan_error(codes):
    with contextlib.suppress(ScanError):
        parse(codes, reference_year=YEAR)
