"""Every REST operation, with an API token of a person of another site and of another
organization: an operation on a demo record answers 404 (whatever the body: the body is a
valid one, built from the operation's schema, so validation cannot answer first), and no
list, search, trace or export names a demo record."""

import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .api_table import API, KNOWN_LEAKS, MENTIONS, QUERY_VALUES
from .probe import demo_record, judge_listing, judge_record, split_variant, url_parameters
from .routes import API_PREFIX, Listing, Record, Route, api_operations, openapi, operation_schema

OPERATIONS = {route.name: route for route in api_operations()}


def entry_of(route: Route):
    """The operation's own entry, else the longest entry its path starts with."""
    if route.name in API:
        return API[route.name]
    prefixes = [key for key in API if " " not in key and route.path.startswith(key)]
    return API[max(prefixes, key=len)] if prefixes else None


def example(schema: dict, depth: int = 0):
    """A value the schema accepts, as plain as possible: what a validator lets through."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example(openapi()["components"]["schemas"][name], depth + 1)
    for combined in ("allOf", "anyOf", "oneOf"):
        if combined in schema:
            return example(schema[combined][0], depth + 1)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: example(properties[name], depth + 1) for name in schema.get("required", [])}
    if kind == "array":
        return [example(schema["items"], depth + 1)] if schema.get("minItems") else []
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return {"date": "2026-01-05", "date-time": "2026-01-05T08:00:00Z"}.get(
        schema.get("format"), "x" * max(1, schema.get("minLength", 1))
    )


def required_query(route: Route) -> dict:
    return {
        parameter["name"]: QUERY_VALUES.get(parameter["name"], "1")
        for parameter in operation_schema(route).get("parameters", [])
        if parameter["in"] == "query" and parameter.get("required")
    }


def asker(client, route: Route, url_params: dict, query: dict, headers: dict):
    method = route.name.partition(" ")[0]
    schema = operation_schema(route)
    path = route.path.format(**url_params)
    url = f"/{API_PREFIX}{path}?{urlencode({**required_query(route), **query})}"
    content = schema.get("requestBody", {}).get("content", {})

    def ask(user):
        auth = headers[user.username]
        if "multipart/form-data" in content:
            fields = example(content["multipart/form-data"]["schema"])
            data = {
                name: SimpleUploadedFile(f"{name}.pdf", b"%PDF-1.4\n")
                if value == "x"
                else json.dumps(value)
                if isinstance(value, dict | list)
                else value
                for name, value in fields.items()
            }
            return client.post(url, data, **auth)
        body = example(content["application/json"]["schema"]) if content else None
        return client.generic(
            method, url, json.dumps(body) if content else "", "application/json", **auth
        )

    return ask


def marked(names) -> list:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[name]))
        if name in KNOWN_LEAKS
        else name
        for name in sorted(names)
    ]


def cases(kind) -> list:
    return marked(
        name
        for name, route in OPERATIONS.items()
        if route.params and isinstance(entry_of(route), kind)
    )


@pytest.fixture
def headers(people, bearer):
    everyone = (people.insider, people.neighbour, people.foreigner)
    return {user.username: bearer(user) for user in everyone}


@pytest.mark.parametrize("name", cases(Record))
def test_an_operation_on_a_record_of_another_site_or_organization_is_not_found(
    name, client, people, markers, headers
):
    route = OPERATIONS[name]
    entry = entry_of(route)
    found = demo_record(entry)
    parameters = url_parameters(route, entry, found)
    ask = asker(client, route, parameters, {}, headers)
    # The same request about a record that does not exist: what an outsider must not tell apart.
    missing = asker(client, route, dict.fromkeys(parameters, "999999999"), {}, headers)
    judge_record(ask, people, markers, entry, found, name, ask_missing=missing)


LISTINGS = marked(
    name
    for name, route in OPERATIONS.items()
    if not route.params or isinstance(entry_of(route), Listing)
)


@pytest.mark.parametrize("name", LISTINGS)
def test_an_operation_names_nothing_of_another_site_or_organization(
    name, client, people, markers, headers
):
    route = OPERATIONS[name]
    entry = entry_of(route) or Listing(shows_records=False)
    for variant in entry.variants:
        in_path, query = split_variant(route, variant)
        # A search or scan answers with what was asked: not a leak.
        asked = {str(value) for value in {**required_query(route), **variant}.values()}
        markers = markers.without(MENTIONS.get(name, set()) | asked)
        ask = asker(client, route, in_path, query, headers)
        judge_listing(ask, people, markers, False, f"{name} {variant}")
