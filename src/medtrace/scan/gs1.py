"""GS1 element strings (as read from GS1 DataMatrix, GS1-128, GS1 QR, DataBar) and bracketed
HRI text, validated strictly against GS1's syntax dictionary: each value's components, character
sets and linters, then the message: duplicates, mandatory associations and exclusions.

The parse is literal: a variable-length value runs to the next GS separator or the end, so
"10ABC17261231" is lot "ABC17261231" with no expiry (the caller is warned, never guessed for).
"""

import re

from django.utils.translation import gettext_lazy as _

from medtrace.scan import dictionary
from medtrace.scan.dictionary import AIEntry
from medtrace.scan.errors import ScanErrorCode, refuse
from medtrace.scan.linters import lint

GS = "\x1d"
SYMBOLOGIES = {
    "]d2": "GS1_DATAMATRIX",
    "]C1": "GS1_128",
    "]Q3": "GS1_QR",
    "]e0": "GS1_DATABAR",
    "]J1": "GS1_DOTCODE",
}
PLAIN_TEXT_SYMBOLOGIES = {"]d1": "DATAMATRIX", "]Q1": "QR", "]C0": "CODE_128", "]A0": "CODE_39"}
# Ways scanners and people write the FNC1 separator in text.
SEPARATOR_SPELLINGS = ("<GS>", "{GS}", "\\x1d", "\\u001d", "␝", "^]")
# Used with fullmatch: "$" would also match before a final newline and let it into a value.
CHARSETS = {
    "N": re.compile(r"[0-9]*"),
    "X": re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*"),
    "Y": re.compile(r"[#\-/0-9A-Z]*"),
    "Z": re.compile(r"[A-Za-z0-9_\-]*"),
}
HRI = re.compile(r"\((\d{2,4})\)")


def split_symbology(text: str) -> tuple[str | None, str]:
    """(symbology name or None, the data without its identifier)."""
    prefix = text[:3]
    if prefix in SYMBOLOGIES:
        return SYMBOLOGIES[prefix], text[3:]
    if prefix in PLAIN_TEXT_SYMBOLOGIES:
        return PLAIN_TEXT_SYMBOLOGIES[prefix], text[3:]
    return None, text


def normalize_separators(data: str) -> str:
    for spelling in SEPARATOR_SPELLINGS:
        data = data.replace(spelling, GS)
    return data


def parse_element_string(data: str) -> list[tuple[str, str]]:
    """[(AI, value), …] from unbracketed data with GS separators (a leading FNC1 is dropped)."""
    data = normalize_separators(data).lstrip(GS)
    if not data:
        refuse(ScanErrorCode.EMPTY_DATA, _("The scan is empty."))
    pairs, position = [], 0
    while position < len(data):
        entry = dictionary.ai_at(data, position)
        if entry is None:
            refuse(
                ScanErrorCode.UNKNOWN_AI,
                _("No GS1 Application Identifier starts at “%(data)s”.")
                % {"data": data[position : position + 8]},
                ai=data[position : position + 4],
            )
        start = position + len(entry.ai)
        if entry.fixed_length is not None:
            end = start + entry.fixed_length
            value = data[start:end]
            if len(value) < entry.fixed_length or GS in value:
                refuse(
                    ScanErrorCode.VALUE_TOO_SHORT,
                    _("(%(ai)s) needs %(length)s characters.")
                    % {"ai": entry.ai, "length": entry.fixed_length},
                    ai=entry.ai,
                )
            position = end + (1 if data[end : end + 1] == GS else 0)
        else:
            end = data.find(GS, start)
            end = len(data) if end == -1 else end
            value = data[start:end]
            position = end + 1
        pairs.append((entry.ai, value))
    return pairs


def parse_hri(text: str) -> list[tuple[str, str]]:
    """[(AI, value), …] from bracketed text such as "(01)09506000134352(17)261231(10)A1"."""
    text = text.strip()
    marks = list(HRI.finditer(text))
    if not marks or marks[0].start() != 0:
        refuse(ScanErrorCode.UNKNOWN_AI, _("Bracketed GS1 text must start with (AI)."))
    pairs = []
    for number, mark in enumerate(marks):
        end = marks[number + 1].start() if number + 1 < len(marks) else len(text)
        pairs.append((mark.group(1), text[mark.end() : end]))
    return pairs


def validate_value(ai: str, value: str, reference_year: int) -> AIEntry:
    entry = dictionary.lookup(ai)
    if entry is None:
        refuse(
            ScanErrorCode.UNKNOWN_AI,
            _("(%(ai)s) is not a GS1 Application Identifier.") % {"ai": ai},
            ai=ai,
        )
    if len(value) > entry.max_length:
        refuse(
            ScanErrorCode.VALUE_TOO_LONG,
            _("(%(ai)s) %(title)s allows at most %(length)s characters; got %(got)s.")
            % {"ai": ai, "title": entry.title, "length": entry.max_length, "got": len(value)},
            ai=ai,
        )
    if len(value) < entry.min_length:
        refuse(
            ScanErrorCode.VALUE_TOO_SHORT,
            _("(%(ai)s) %(title)s needs at least %(length)s characters; got %(got)s.")
            % {"ai": ai, "title": entry.title, "length": entry.min_length, "got": len(value)},
            ai=ai,
        )
    position = 0
    for number, component in enumerate(entry.components):
        remaining = value[position:]
        if not remaining and component.optional:
            break
        last = number == len(entry.components) - 1
        length = len(remaining) if last else min(component.max_length, len(remaining))
        part = remaining[:length]
        position += length
        if len(part) < component.min_length:
            refuse(
                ScanErrorCode.VALUE_TOO_SHORT,
                _("(%(ai)s) %(title)s is too short.") % {"ai": ai, "title": entry.title},
                ai=ai,
            )
        if not CHARSETS[component.charset].fullmatch(part):
            refuse(
                ScanErrorCode.INVALID_CHARACTER,
                _("(%(ai)s) %(title)s has a character its character set forbids: %(value)s")
                % {"ai": ai, "title": entry.title, "value": part},
                ai=ai,
            )
        for linter in component.linters:
            problem = lint(linter, part, reference_year)
            if problem is not None:
                code, message = problem
                refuse(
                    code,
                    _("(%(ai)s) %(title)s: %(message)s")
                    % {"ai": ai, "title": entry.title, "message": message},
                    ai=ai,
                )
    return entry


def _present(pattern_group: tuple[str, ...], ais: list[str]) -> bool:
    return all(any(dictionary.matches(ai, pattern) for ai in ais) for pattern in pattern_group)


def validate_message(pairs: list[tuple[str, str]]) -> None:
    """Rules over the whole message (all symbols of one label): duplicates, req=, ex=."""
    seen: dict[str, str] = {}
    for ai, value in pairs:
        if ai in seen and seen[ai] != value:
            refuse(
                ScanErrorCode.DUPLICATE_AI_CONFLICT,
                _("(%(ai)s) appears twice with different values: %(first)s and %(second)s.")
                % {"ai": ai, "first": seen[ai], "second": value},
                ai=ai,
            )
        seen[ai] = value
    ais = list(seen)
    for ai in ais:
        entry = dictionary.lookup(ai)
        for pattern in entry.excluded:
            clash = next(
                (other for other in ais if other != ai and dictionary.matches(other, pattern)), None
            )
            if clash:
                refuse(
                    ScanErrorCode.INVALID_AI_PAIR,
                    _("(%(ai)s) cannot appear together with (%(other)s).")
                    % {"ai": ai, "other": clash},
                    ai=ai,
                )
        for alternatives in entry.required:
            if not any(_present(group, ais) for group in alternatives):
                wanted = " or ".join("+".join(f"({p})" for p in group) for group in alternatives)
                refuse(
                    ScanErrorCode.MISSING_REQUIRED_AI,
                    _("(%(ai)s) %(title)s needs %(wanted)s in the same label.")
                    % {"ai": ai, "title": entry.title, "wanted": wanted},
                    ai=ai,
                )
