"""The OpenAPI document tells the truth: one schema per name, every operation names the
answers the shared layers can give, unknown API addresses answer the API's own 404, and
paging refuses what the database cannot take."""

import json
from collections import defaultdict

import pytest
from django.test import Client
from ninja import Schema

import medtrace.api  # noqa: F401  (every router and its schemas loaded)
from medtrace.core.api import declare_common_responses

pytestmark = pytest.mark.django_db


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_no_two_schemas_share_a_name_with_different_content(mode):
    """django-ninja names an OpenAPI component after its class (an enum after its TextChoices):
    two different ones under one name would both be documented as the last one written."""
    shapes = defaultdict(lambda: defaultdict(set))
    for cls in set(_subclasses(Schema)):
        if not cls.__module__.startswith("medtrace.") or ".tests" in cls.__module__:
            continue
        schema = cls.model_json_schema(mode=mode)
        named = {**schema.pop("$defs", {}), cls.__name__: schema}
        for name, definition in named.items():
            shapes[name][json.dumps(definition, sort_keys=True)].add(cls.__module__)
    clashes = {name: sorted(map(sorted, found.values())) for name, found in shapes.items()
               if len(found) > 1}  # fmt: skip
    assert clashes == {}


def test_every_operation_declares_the_shared_answers(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 300
    for method, path, operation in operations:
        codes = set(operation["responses"])
        assert {"401", "403"} <= codes, (method, path)
        if operation.get("security"):
            assert "429" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert {"404", "422"} <= codes, (method, path)
        if operation.get("requestBody"):
            assert "400" in codes, (method, path)
    own = schema["paths"]["/api/v1/udi/submissions"]["post"]["responses"]
    assert own["201"]["content"]["application/json"]["schema"]["$ref"].endswith("SubmissionOut")


def test_an_operations_own_declaration_is_kept():
    schema = {
        "paths": {
            "/x/{id}": {
                "get": {
                    "security": [{"token": []}],
                    "responses": {404: {"description": "mine"}},
                }
            }
        }
    }
    responses = declare_common_responses(schema)["paths"]["/x/{id}"]["get"]["responses"]
    assert responses[404] == {"description": "mine"}
    assert set(responses) == {401, 403, 404, 429}
    assert "ErrorBody" in schema["components"]["schemas"]


def test_an_address_no_operation_takes_answers_the_api_404(admin_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    # A path parameter the route types as int that does not parse; a POST without a CSRF
    # token (nothing is done, so nothing to protect).
    for answer in (
        client.get("/api/v1/partners/certificates/null,null/file"),
        client.post("/api/v1/nowhere", {}, content_type="application/json"),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"


def test_paging_refuses_a_page_beyond_what_the_database_takes(client, admin_a):
    client.force_login(admin_a)
    answer = client.get("/api/v1/jobs", {"page": 10**12})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["errors"][0]["loc"] == ["query", "page"]
    assert client.get("/api/v1/jobs", {"page": 3, "page_size": 500}).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"code": "A\\u0000"}', "NUL character"),
        ('{"code": "\\ud800"}', "lone surrogate"),
        ("5", "must be a JSON object"),
        ("[[]]", "must be a JSON object"),
    ],
)
def test_a_body_no_field_can_take_is_refused_by_name(client, admin_a, body, message):
    """Found by fuzzing: a lone surrogate was a 500 at the database; django-ninja read a JSON
    array as an object of defaults (a PATCH that changed nothing answered 200), and answered
    the parser's named refusals as a bare 400."""
    client.force_login(admin_a)
    answer = client.patch("/api/v1/locations/1", body, content_type="application/json")
    assert answer.status_code == 422
    [error] = answer.json()["error"]["details"]["errors"]
    assert error["loc"][0] == "body" and message in error["msg"]
