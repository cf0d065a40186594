"""GS1's EPCIS 2.0 JSON Schema and JSON-LD context, read once from the unmodified files in
data/: the document validator, and the code lists and term names the codec takes from them.

Draft 7 treats "format" as a note unless a checker asserts it, and jsonschema's own "uri" and
"date-time" checkers need optional packages; without them the schema's only guard on member
names (extensions must be URIs) and on CBV values (a bare name must be a standard one,
anything else a URI) would be void. So the two formats are checked here.

Validation runs twice only when a document is refused: a compiled validator (fastjsonschema,
an order of magnitude faster) decides, and jsonschema then lists every problem with its path."""

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

DATA = Path(__file__).parent / "data"
SCHEMA_FILE = DATA / "EPCIS-JSON-Schema.json"
CONTEXT_FILE = DATA / "epcis-context.jsonld"
CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
MAX_ERRORS = 20

# An absolute URI (RFC 3986 scheme, then no blanks or controls; IRI characters allowed) or a
# JSON-LD blank node ("_:document1", as the standard's own examples name their documents).
URI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:|_:)[^\s\x00-\x1f\x7f<>\"{}|\\^`]*\Z")
# RFC 3339 date-time: the offset is required.
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})\Z"
)


def is_uri(value: Any) -> bool:
    return not isinstance(value, str) or bool(URI.match(value))


def is_date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if not DATE_TIME.match(value):
        return False
    try:
        parse_time(value)
    except ValueError:
        return False
    return True


def parse_time(value: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime; digits beyond microseconds are dropped."""
    if not DATE_TIME.match(value):
        raise ValueError(value)
    main, dot, rest = value.partition(".")
    if dot:
        digits = re.match(r"\d+", rest).group()
        value = f"{main}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))


@cache
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def standard_context() -> dict:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


@cache
def validator() -> Draft7Validator:
    checker = FormatChecker(formats=())
    checker.checks("uri")(is_uri)
    checker.checks("date-time")(is_date_time)
    return Draft7Validator(schema(), format_checker=checker)


@cache
def compiled_validator():
    return fastjsonschema.compile(
        schema(), formats={"uri": is_uri, "date-time": is_date_time}, use_default=False
    )


def is_valid(instance: Any) -> bool:
    try:
        compiled_validator()(instance)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@cache
def standard_terms() -> frozenset[str]:
    """The names the standard context defines (prefixes such as cbvmda and gs1, member names):
    a document's @context may use but not redefine them."""
    return frozenset(name for name in standard_context() if not name.startswith("@"))


def standard_prefixes() -> dict[str, str]:
    return {
        name: value
        for name, value in standard_context().items()
        if isinstance(value, str) and not value.startswith("@") and value.endswith(("/", ":"))
    }


@cache
def code_list(definition: str) -> frozenset[str]:
    """The standard bare names the schema enumerates for a CBV-valued member (bizStep,
    disposition, bizTransaction-type, source-dest-type, error-reason)."""
    names = set()
    for option in schema()["definitions"][definition]["anyOf"]:
        names.update(option.get("enum", ()))
    return frozenset(names)


def errors(instance: Any) -> list[dict[str, str]]:
    """Up to MAX_ERRORS schema violations as {"path": JSON pointer, "message": ...}, in
    document order."""
    if is_valid(instance):
        return []
    found = sorted(validator().iter_errors(instance), key=lambda error: _sort_key(error))
    listed, seen = [], set()
    for error in found:
        entry = {"path": pointer(error.absolute_path), "message": _message(error)}
        key = (entry["path"], entry["message"])
        if key in seen:
            continue
        seen.add(key)
        listed.append(entry)
        if len(listed) == MAX_ERRORS:
            break
    return listed


def pointer(path) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _sort_key(error: ValidationError):
    return [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in error.path]


def _message(error: ValidationError) -> str:
    if "propertyNames" in error.schema_path:
        return (
            f"{_shown(error.instance)} is not a member this object may have: use a member the "
            "standard defines here, or an extension named by a URI or prefix:name."
        )
    if not error.context:
        return _short(error)
    alternatives = []
    for sub in error.context:
        relative = list(sub.absolute_path)[len(error.absolute_path) :]
        text = ("/".join(map(str, relative)) + ": " if relative else "") + _short(sub)
        if text not in alternatives:
            alternatives.append(text)
    subject = "This object" if isinstance(error.instance, dict | list) else _shown(error.instance)
    return f"{subject} matches none of the allowed forms: " + "; or ".join(alternatives)


def _short(error: ValidationError) -> str:
    shown = _shown(error.instance)
    if error.validator == "enum":
        return f"{shown} is not a standard value"
    if error.validator == "format":
        return f"{shown} is not a {error.validator_value}"
    if error.validator == "pattern" and error.validator_value.startswith("^(?!"):
        return f"{shown} uses a form the standard reserves (use the bare CBV name)"
    if error.validator == "pattern":
        return f"{shown} does not match {error.validator_value}"
    if error.validator == "not":
        return "must not be present here"
    if error.validator in ("type", "minItems", "uniqueItems", "const", "anyOf", "oneOf"):
        return f"{shown} " + error.message.partition(repr(error.instance))[2].strip()
    message = error.message
    return message if len(message) <= 200 else message[:197] + "…"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"
