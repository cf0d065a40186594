"""Request bodies for the API fuzz target, from the API's own OpenAPI document: values that
follow an operation's schema (formats, enums and bounds loosely: patterns are not followed),
and the same values broken in ways the schema forbids."""

import json
from datetime import UTC, date, datetime

from hypothesis import strategies as st

from tests.fuzz.strategies import (
    NUL,
    SURROGATES,
    deep_json_text,
    hostile_text,
    json_values,
    mutated,
    without_surrogates,
)

MAX_DEPTH = 6
# What real records are called in the fixtures and the demo plant: a generated value that
# matches one gets past "not found" into the rules.
FAMILIAR_TEXT = ["A1", "B1", "SZ01", "RCV", "STK", "QUA", "RM-PVC", "IS-2001", "KG", "EA", "yes"]
ACTION_NAMES = [
    "submit",
    "approve",
    "reject",
    "close",
    "cancel",
    "release",
    "open",
    "start",
    "complete",
    "verify",
    "review",
    "sign",
    "reopen",
    "hold",
    "send",
    "activate",
    "qualify",
    "disqualify",
]
DATES = st.dates(date(1900, 1, 1), date(2100, 12, 31))
MOMENTS = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
FORMATS = {
    "date": DATES.map(date.isoformat),
    "date-time": MOMENTS.map(lambda moment: moment.isoformat().replace("+00:00", "Z")),
    "time": st.times().map(lambda moment: moment.isoformat()),
    "uuid": st.uuids().map(str),
    "binary": st.binary(max_size=64).map(lambda data: data.decode("latin-1")),
}


def resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def values(schema: dict, components: dict, depth: int = 0) -> st.SearchStrategy:
    """Values the schema accepts, near enough: the bounds, enums and formats it states."""
    schema = resolve(schema, components)
    if depth > MAX_DEPTH:
        return st.none()
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return st.one_of([values(part, components, depth + 1) for part in schema[combinator]])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _objects(schema, components, depth)
    if kind == "array":
        return st.lists(
            values(schema.get("items", {}), components, depth + 1),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 4), 4),
        )
    if kind == "string":
        return _strings(schema)
    if kind == "integer":
        return st.integers(_bound(schema, "minimum", 1), _bound(schema, "maximum", -1))
    if kind == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return json_values


def _bound(schema: dict, name: str, step: int) -> int | None:
    if name in schema:
        return int(schema[name])
    exclusive = "exclusiveMinimum" if name == "minimum" else "exclusiveMaximum"
    return int(schema[exclusive]) + step if exclusive in schema else None


def _strings(schema: dict) -> st.SearchStrategy:
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    low, high = schema.get("minLength", 0), schema.get("maxLength", 40)
    return st.one_of(
        st.sampled_from(
            [text for text in FAMILIAR_TEXT if low <= len(text) <= high] or ["x" * low]
        ),
        st.text(min_size=low, max_size=high),
    )


def _objects(schema: dict, components: dict, depth: int) -> st.SearchStrategy:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = {
        name: values(part, components, depth + 1)
        for name, part in properties.items()
        if name in required
    }
    optional = {
        name: values(part, components, depth + 1)
        for name, part in properties.items()
        if name not in required
    }
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and not properties:
        return st.dictionaries(
            st.text(max_size=12), values(extra, components, depth + 1), max_size=3
        )
    return st.fixed_dictionaries(fixed, optional=optional)


def _with_unstorable_text(body, text: str):
    """The body with `text` put where a reader must look at it: a string member, or a new one."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str):
                return {**body, key: value + text}
        return {**body, "note" + text: text}
    if isinstance(body, list):
        return [*body, text]
    return text


# (body, must be refused): a body breaking what every operation refuses must get a 4xx.
def json_bodies(schema: dict, components: dict) -> st.SearchStrategy[tuple[bytes, bool]]:
    conforming = values(schema, components)
    unstorable = st.one_of(st.just(NUL), SURROGATES, st.just("a" + NUL + "b"))
    return st.one_of(
        conforming.map(lambda body: (json.dumps(body).encode(), False)),
        conforming.flatmap(lambda body: mutated({"body": body})).map(
            lambda wrapper: (json.dumps(wrapper.get("body")).encode(), False)
        ),
        json_values.map(lambda body: (json.dumps(body).encode(), False)),
        st.builds(_with_unstorable_text, conforming, unstorable).map(
            lambda body: (json.dumps(body).encode(), True)
        ),
        hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass"))
        .filter(_not_an_object)
        .map(lambda data: (data, True)),
        st.binary(max_size=200).filter(_not_an_object).map(lambda data: (data, True)),
        # Nested lists are not an object; nested objects are one, with a member nobody reads.
        deep_json_text.map(lambda text: (text.encode(), text.startswith("["))),
    )


def _not_an_object(data: bytes) -> bool:
    try:
        return not isinstance(json.loads(data), dict)
    except (ValueError, RecursionError):
        return True


def form_fields(schema: dict, components: dict) -> st.SearchStrategy[dict]:
    """Multipart fields by the schema's names: hostile text, or what it asks for, as text."""
    schema = resolve(schema, components)
    fields = {
        name: st.one_of(values(part, components).map(_as_form_text), hostile_text).map(
            without_surrogates
        )
        for name, part in schema.get("properties", {}).items()
        if resolve(part, components).get("format") != "binary"
    }
    return st.fixed_dictionaries({}, optional=fields)


def _as_form_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)
