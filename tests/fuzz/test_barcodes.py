"""Fuzzing the scan parser (medtrace.scan.parse): GS1 element strings and bracketed text, GS1
Digital Links, EPC URNs, HIBC and MA codes, built from their grammars with valid check digits
and then damaged, besides arbitrary text. Every input either reads or is refused with a
ScanError; what reads holds no character its scheme forbids, and a GS1 result's own Digital
Link reads back to the same data."""

import json
from datetime import date
from urllib.parse import quote

from hypothesis import event, example, given
from hypothesis import strategies as st

from medtrace.scan import ScanError, ScanErrorCode, dictionary, parse
from medtrace.scan.checks import CSET82, HIBC_CHARSET, gs1_check_digit, hibc_check_character
from medtrace.scan.gs1 import GS, SEPARATOR_SPELLINGS
from tests.fuzz.budget import fuzzing, inputs
from tests.fuzz.strategies import AWKWARD_CHARACTERS, any_character

DIGITS = "0123456789"
UPPER_ALNUM = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = UPPER_ALNUM + "abcdefghijklmnopqrstuvwxyz"
CHARSETS = {
    "N": DIGITS,
    "X": CSET82,
    "Y": "#-/" + UPPER_ALNUM,
    "Z": ALNUM + "_-",
}
DATE_LINTERS = {"yymmdd", "yymmd0"}
COMMON_AIS = ["00", "01", "10", "11", "17", "21", "30", "37", "240", "241", "7003", "8020"]
LABEL_ATTRIBUTES = ["10", "11", "17", "21", "30", "240", "7003"]
SYMBOLOGY_PREFIXES = ["", "", "]d2", "]C1", "]Q3", "]e0", "]J1", "]d1", "]Q1", GS]
# Characters a damaged scan or a careless hand puts in: separators, line ends, NUL, the
# markup of every scheme here.
DAMAGE = [*AWKWARD_CHARACTERS, "(", ")", "+", "$", ".", "?", "=", "#", "*"]

ai_entries = st.one_of(
    st.sampled_from(COMMON_AIS).map(dictionary.lookup),
    st.sampled_from(sorted(dictionary.entries())).map(dictionary.lookup),
)
years = st.integers(2000, 2099)
# Nine times in ten; hypothesis leans to a list's first element, not to 0 of a range.
usually = st.sampled_from([True] * 9 + [False])


@st.composite
def ai_values(draw, entry):
    """A value for the AI from its components' character sets and lengths; dates and check
    digits mostly right, so the linters get to look at it."""
    parts = []
    for component in entry.components:
        if component.optional and draw(st.booleans()):
            break
        if DATE_LINTERS & set(component.linters) and draw(usually):
            moment = draw(st.dates(date(1951, 1, 1), date(2049, 12, 31)))
            parts.append(moment.strftime("%y%m%d"))
            continue
        length = draw(
            st.integers(component.min_length, component.max_length)
            if draw(usually)
            else st.integers(0, component.max_length + 5)
        )
        part = "".join(
            draw(
                st.lists(
                    st.sampled_from(CHARSETS[component.charset]), min_size=length, max_size=length
                )
            )
        )
        if "csum" in component.linters and part.isdigit() and len(part) > 1:
            part = part[:-1] + gs1_check_digit(part[:-1])
        parts.append(part)
    return "".join(parts)


@st.composite
def gs1_messages(draw):
    """[(AI, value)]: mostly a GTIN with the attributes a device label carries (so the
    message rules pass and the result is built), else any AIs of the dictionary."""
    if draw(usually):
        pairs = [("01", draw(ai_values(dictionary.lookup("01"))))]
        for ai in draw(st.lists(st.sampled_from(LABEL_ATTRIBUTES), max_size=4, unique=True)):
            pairs.append((ai, draw(ai_values(dictionary.lookup(ai)))))
        return pairs
    return [
        (entry.ai, draw(ai_values(entry)))
        for entry in draw(st.lists(ai_entries, min_size=1, max_size=5))
    ]


@st.composite
def damaged(draw, text):
    """The text with a few characters inserted, dropped or replaced."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(chars)))
        action = draw(st.sampled_from(["insert", "drop", "replace"]))
        damage = draw(st.one_of(st.sampled_from(DAMAGE), any_character()))
        if action == "insert" or position == len(chars):
            chars.insert(position, damage)
        elif action == "drop":
            del chars[position]
        else:
            chars[position] = damage
    return "".join(chars)


@st.composite
def element_strings(draw):
    pairs = draw(gs1_messages())
    separator = draw(st.sampled_from([GS, *SEPARATOR_SPELLINGS]))
    text = draw(st.sampled_from(SYMBOLOGY_PREFIXES))
    for ai, value in pairs:
        entry = dictionary.lookup(ai)
        text += ai + value
        if entry.fixed_length is None or draw(st.booleans()):
            text += separator
    return text


@st.composite
def bracketed(draw):
    return "".join(f"({ai}){value}" for ai, value in draw(gs1_messages()))


@st.composite
def digital_links(draw):
    domain = draw(st.sampled_from(["https://id.gs1.org", "http://example.com", "https://a.b"]))
    prefix = draw(st.sampled_from(["", "/prefix", "/a/b", "/01"]))
    pairs = draw(gs1_messages())
    encode = draw(st.booleans())
    path = "".join(f"/{ai}/{quote(value, safe='') if encode else value}" for ai, value in pairs[:3])
    query = "&".join(f"{ai}={quote(value, safe='')}" for ai, value in pairs[3:])
    extra = draw(st.sampled_from(["", "linkType=gs1:pip", "17=", "99=x", "&&"]))
    query = "&".join(part for part in (query, extra) if part)
    return (
        domain + prefix + path + (f"?{query}" if query else "") + draw(st.sampled_from(["", "/"]))
    )


def _text(draw, alphabet: str, min_size: int, max_size: int) -> str:
    return "".join(draw(st.lists(st.sampled_from(alphabet), min_size=min_size, max_size=max_size)))


@st.composite
def hibc_codes(draw):
    """HIBC primary, secondary (linked to the primary by its check character) or both in one,
    with the mod-43 check character usually right."""
    lic = draw(st.sampled_from("ABCXZ")) + _text(draw, UPPER_ALNUM, 3, 3)
    primary = "+" + lic + _text(draw, UPPER_ALNUM, 1, 19) + draw(st.sampled_from(DIGITS))
    dated = draw(
        st.sampled_from(["$$", "$$+", "$", "$+", "$$2", "$$3", "$$4", "$$5", "$$6", "$$7", "$$8"])
    )
    secondary = dated + _text(draw, DIGITS, 0, 10) + _text(draw, UPPER_ALNUM + ".-", 0, 19)
    for supplement in draw(
        st.lists(
            st.sampled_from(["S123", "14D20261231", "16D20250101", "Q100", "X1", ""]), max_size=3
        )
    ):
        secondary += "/" + supplement
    kind = draw(st.sampled_from(["primary", "secondary", "concatenated", "pair"]))
    data = {
        "primary": primary,
        "secondary": "+" + secondary,
        "concatenated": primary + "/" + secondary,
        "pair": primary,
    }[kind]
    data = draw(damaged(data)) if draw(st.booleans()) else data
    if not all(char in HIBC_CHARSET for char in data):
        return [data]
    code = data + (hibc_check_character(data) if draw(usually) else "A")
    if kind != "pair":
        return [draw(st.sampled_from(["", "*", "]A0*"])) + code]
    link = code[-1]
    second = "+" + secondary + link
    return [code, second + hibc_check_character(second)]


@st.composite
def ma_codes(draw):
    text = "MA.156.M0." + _text(draw, DIGITS, 5, 7) + "." + _text(draw, ALNUM, 1, 12)
    for letter in draw(st.lists(st.sampled_from("LSEMVDCXl"), max_size=5)):
        if letter in "EM":
            value = draw(st.sampled_from(["260101", "20261231", "261332", "2612", "000000"]))
        else:
            value = _text(draw, ALNUM, 0 if letter == "X" else 1, 10)
        text += f".{letter}{value}"
    return draw(damaged(text)) if draw(st.booleans()) else text


@st.composite
def epc_urns(draw):
    company = _text(draw, DIGITS, 5, 13)
    reference = _text(draw, DIGITS, 0, 13 - min(len(company), 12))
    serial = _text(draw, ALNUM + "!'()*+,-.:;=_%", 0, 21)
    kind = draw(
        st.sampled_from(["id:sgtin", "class:lgtin", "id:sscc", "id:sgln", "id:grai", "idpat:sgtin"])
    )
    parts = [company, reference] if kind == "id:sscc" else [company, reference, serial]
    text = f"urn:epc:{kind}:" + ".".join(parts)
    return draw(damaged(text)) if draw(st.booleans()) else text


structured_codes = st.one_of(
    element_strings(), bracketed(), digital_links(), ma_codes(), epc_urns()
).flatmap(lambda text: st.one_of(st.just(text), damaged(text)))
labels = st.one_of(
    st.lists(structured_codes, min_size=1, max_size=3),
    hibc_codes(),
    st.lists(st.text(any_character(), max_size=60), max_size=3),
)


def read(codes: list[str], year: int):
    """The result, or None when refused as documented; any other exception fails the test."""
    inputs["barcodes"] += 1
    try:
        result = parse(codes, reference_year=year)
    except ScanError as refusal:
        assert refusal.code in set(ScanErrorCode)
        json.dumps(refusal.as_dict())
        return None
    json.dumps(result.as_dict())
    return result


def printable_identifiers(result) -> list[str]:
    """The identifier fields of a result that are not an internal code's free text."""
    values = [result.gtin, result.lot, result.serial, result.sscc, result.lic, result.pcn]
    values += [result.uom, result.device_identifier, *result.ais.values()]
    return [value for value in values if value is not None]


@fuzzing
@given(codes=labels, year=years)
@example(codes=["(01)09506000134352(10)AB\n(17)261231"], year=2026)
@example(codes=["MA.156.M0.123456\n.ABC1.L12"], year=2026)
@example(codes=["]d20109506000134352" + GS + "10A\n"], year=2026)
def test_a_scan_reads_or_is_refused_never_crashes(codes, year):
    result = read(codes, year)
    event(f"read {result.scheme}" if result else "refused")
    if result is None or result.scheme == "internal":
        return
    for value in printable_identifiers(result):
        assert value.isprintable() and not any(char.isspace() for char in value), value
    if result.digital_link:
        again = read([result.digital_link], year)
        assert again is not None, result.digital_link
        assert all(result.ais[ai] == value for ai, value in again.ais.items())
