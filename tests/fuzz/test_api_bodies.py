"""Fuzzing every write of the REST API (each POST, PUT and PATCH its OpenAPI document lists) as
a system administrator with a read-write token: bodies that follow the operation's schema,
the same bodies mutated, any JSON, bytes that are not JSON, text with NUL or lone surrogates,
multipart forms with any file. No answer is a server error; a body no operation can take (not
JSON, or carrying text no database stores) is refused with a 4xx; every refusal is the API's
error body. Path parameters name real records where the database has some (the first page of
the collection above them), else anything of their type.

The Schemathesis conformance test (core/tests/test_api_conformance.py) checks the answers
against the document for mostly valid input; this one is about input nobody should send.

Set MEDTRACE_FUZZ_DEMO=1 to fuzz against the demo plant (built once, about 40 s): far more
path parameters then name records, so more bodies reach the services."""

import json
import os
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import event, example, given
from hypothesis import strategies as st

from medtrace.accounts.services import create_api_token
from medtrace.api import api
from tests.fuzz.budget import api_fuzzing, inputs
from tests.fuzz.openapi import ACTION_NAMES, form_fields, json_bodies, values
from tests.fuzz.strategies import hostile_text, without_surrogates

DOCUMENT = api.get_openapi_schema()  # touches no database
COMPONENTS = DOCUMENT["components"]["schemas"]
WRITES = sorted(
    (method, path)
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method in {"post", "put", "patch"}
)
PARAMETER = re.compile(r"\{(\w+)\}")
# Fields of a collection's items that a path parameter may name, besides its own name.
ID_FIELDS = ("id", "pk", "public_id", "number", "code")
# The demo plant is committed (transactional_db); asked for at run time, it must be said here.
ON_THE_DEMO_PLANT = bool(os.environ.get("MEDTRACE_FUZZ_DEMO"))


@pytest.fixture
def caller(request):
    """(user, sites) the requests are made as: a system administrator."""
    if ON_THE_DEMO_PLANT:
        plant = request.getfixturevalue("demo_plant")
        return plant.users["admin"], list(plant.sites.values())
    return request.getfixturevalue("admin_a"), [request.getfixturevalue("site_a")]


@pytest.fixture
def client(caller):
    user, sites = caller
    _token, plaintext = create_api_token(
        user=user, name="fuzz", sites=sites, can_write=True, expires_in_days=1, by=user
    )
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def existing_values(client: Client, path: str, name: str) -> list:
    """Values of the parameter `name` that name records: from the collection the path
    continues (its text before the parameter), with earlier parameters already filled in."""
    collection = path[: path.index("{" + name + "}")].rstrip("/")
    if "{" in collection:
        return []
    answer = client.get(collection, {"page_size": 20})
    if answer.status_code != 200 or "json" not in answer.get("Content-Type", ""):
        return []
    found = answer.json()
    items = found.get("items", []) if isinstance(found, dict) else found
    fields = (name, *ID_FIELDS)
    return [
        next(item[field] for field in fields if field in item)
        for item in items
        if isinstance(item, dict) and any(field in item for field in fields)
    ]


def parameter_values(client: Client, path: str, operation: dict) -> dict[str, st.SearchStrategy]:
    strategies = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        name = parameter["name"]
        of_type = values(parameter["schema"], COMPONENTS)
        if name == "name":
            of_type = st.one_of(st.sampled_from(ACTION_NAMES), of_type)
        known = existing_values(client, path, name)
        strategies[name] = st.one_of(st.sampled_from(known), of_type) if known else of_type
    return strategies


def address(path: str, parameters: dict) -> str:
    return PARAMETER.sub(lambda match: quote(str(parameters[match.group(1)]), safe=""), path)


def requests(operation: dict) -> st.SearchStrategy:
    """(content type, body, must be refused) for the operation."""
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        schema = content["multipart/form-data"]["schema"]
        files = st.builds(
            SimpleUploadedFile,
            hostile_text.map(file_name),
            st.binary(),
        )
        forms = st.tuples(form_fields(schema, COMPONENTS), st.one_of(st.none(), files))
        return forms.map(lambda form: ("multipart", _form(*form), False))
    json_types = [kind for kind in content if "json" in kind]
    if not json_types:
        # No body is read: anything may be sent and nothing must be refused for it.
        return json_bodies({}, COMPONENTS).map(lambda body: ("application/json", body[0], False))
    schema = content[json_types[0]]["schema"]
    return st.tuples(st.sampled_from(json_types), json_bodies(schema, COMPONENTS)).map(
        lambda typed: (typed[0], *typed[1])
    )


def file_name(text: str) -> str:
    """The text as a name a client can send (Django's test client refuses "", "." and "..")."""
    name = without_surrogates(text)[:200]
    return name if os.path.basename(name) not in {"", ".", ".."} else "f" + name.replace("/", "")


def _form(fields: dict, upload) -> dict:
    return {**fields, "file": upload} if upload is not None else fields


def send(client: Client, method: str, url: str, kind: str, body):
    if kind == "multipart":  # every multipart operation is a POST
        return client.post(url, body)
    return client.generic(method.upper(), url, body, content_type=kind)


def reads_json(operation: dict) -> bool:
    return any("json" in kind for kind in operation.get("requestBody", {}).get("content", {}))


@pytest.mark.django_db(transaction=ON_THE_DEMO_PLANT)
@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m.upper()} {p}" for m, p in WRITES])
def test_no_body_gets_a_server_error(method, path, client):
    operation = DOCUMENT["paths"][path][method]

    @api_fuzzing
    @given(
        parameters=st.fixed_dictionaries(parameter_values(client, path, operation)),
        request=requests(operation),
    )
    @example(parameters=None, request=("application/json", b'{"a": "\\ud800"}', True))
    @example(parameters=None, request=("application/json", b"[" * 100 + b"]" * 100, True))
    def fuzz(parameters, request):
        inputs["api"] += 1
        kind, body, must_be_refused = request
        must_be_refused = must_be_refused and reads_json(operation)
        url = address(path, parameters or {name: 1 for name in PARAMETER.findall(path)})
        answer = send(client, method, url, kind, body)
        sent = body[:500] if isinstance(body, bytes) else body
        event(f"answered {answer.status_code}")
        assert answer.status_code < 500, (answer.status_code, url, sent)
        if must_be_refused:
            assert 400 <= answer.status_code < 500, (answer.status_code, url, sent)
        if answer.status_code >= 400 and "json" in answer.get("Content-Type", ""):
            assert "error" in json.loads(answer.content), answer.content[:500]

    fuzz()
