"""GS1's Barcode Syntax Dictionary, read from the unmodified file in data/ (Apache-2.0,
gs1/gs1-syntax-engine; see its header): every AI's components, linters, pairing rules and
Digital Link keys, so none of them is re-typed here."""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DICTIONARY_FILE = Path(__file__).parent / "data" / "gs1-syntax-dictionary.txt"
COMPONENT = re.compile(r"^(\[)?([NXYZ])(\d+)?(?:\.\.(\d+))?(\])?((?:,[a-z0-9]+)*)\Z")


@dataclass(frozen=True)
class Component:
    charset: str  # N numeric, X CSET 82, Y CSET 39, Z base64url
    min_length: int
    max_length: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True)
class AIEntry:
    ai: str
    title: str
    predefined_length: bool  # the "*" flag: no FNC1 separator needed after it
    dl_attribute: bool  # the "?" flag: allowed as a Digital Link query attribute
    components: tuple[Component, ...]
    required: tuple[tuple[tuple[str, ...], ...], ...] = ()  # each req=: any of (all of …)
    excluded: tuple[str, ...] = ()
    dl_primary_key: bool = False
    dl_qualifier_paths: tuple[tuple[str, ...], ...] = ()
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def min_length(self) -> int:
        return sum(c.min_length for c in self.components if not c.optional)

    @property
    def max_length(self) -> int:
        return sum(c.max_length for c in self.components)

    @property
    def fixed_length(self) -> int | None:
        if self.predefined_length and self.min_length == self.max_length:
            return self.max_length
        return None


def _component(text: str) -> Component:
    match = COMPONENT.match(text)
    if not match:
        raise ValueError(f"unreadable component {text!r} in the GS1 syntax dictionary")
    opening, charset, fixed, upto, _closing, linters = match.groups()
    if upto:
        low, high = 1, int(upto)
    else:
        low = high = int(fixed)
    return Component(
        charset=charset,
        min_length=low,
        max_length=high,
        optional=bool(opening),
        linters=tuple(name for name in linters.split(",") if name),
    )


def _expand(ais: str) -> list[str]:
    if "-" not in ais:
        return [ais]
    first, last = ais.split("-")
    return [str(number).zfill(len(first)) for number in range(int(first), int(last) + 1)]


def _entry_lines():
    for raw in DICTIONARY_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            body, _hash, title = line.partition("#")
            yield body.split(), title.strip()


def _parse_line(tokens: list[str], title: str) -> list[AIEntry]:
    ais, rest = tokens[0], tokens[1:]
    flags = ""
    if rest and not COMPONENT.match(rest[0]):
        flags, rest = rest[0], rest[1:]
    components, attributes = [], []
    for token in rest:
        (components if not attributes and COMPONENT.match(token) else attributes).append(token)
    required, excluded, primary, paths = [], [], False, []
    for attribute in attributes:
        key, _equals, value = attribute.partition("=")
        if key == "req":
            required.append(tuple(tuple(group.split("+")) for group in value.split(",")))
        elif key == "ex":
            excluded.extend(value.split(","))
        elif key == "dlpkey":
            primary = True
            paths = [tuple(path.split(",")) for path in value.split("|")] if value else []
    return [
        AIEntry(
            ai=ai,
            title=title,
            predefined_length="*" in flags,
            dl_attribute="?" in flags,
            components=tuple(_component(token) for token in components),
            required=tuple(required),
            excluded=tuple(excluded),
            dl_primary_key=primary,
            dl_qualifier_paths=tuple(paths),
        )
        for ai in _expand(ais)
    ]


@cache
def entries() -> dict[str, AIEntry]:
    table = {}
    for tokens, title in _entry_lines():
        for entry in _parse_line(tokens, title):
            table[entry.ai] = entry
    return table


def lookup(ai: str) -> AIEntry | None:
    return entries().get(ai)


def ai_at(data: str, position: int) -> AIEntry | None:
    """The AI that starts at `position` (AIs are 2 to 4 digits and prefix-free)."""
    table = entries()
    for length in (2, 3, 4):
        entry = table.get(data[position : position + length])
        if entry is not None:
            return entry
    return None


def matches(ai: str, pattern: str) -> bool:
    """An AI against a dictionary pattern such as '310n' or '35nn' ('n' is any digit)."""
    return len(ai) == len(pattern) and all(
        p == "n" or p == a for a, p in zip(ai, pattern, strict=True)
    )
