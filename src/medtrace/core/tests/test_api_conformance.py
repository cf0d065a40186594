"""Schemathesis over the whole REST API: every operation, fed generated parameters and bodies
(valid and invalid) by a system administrator with a read-write token, answers no server
error, only the status codes and content types its OpenAPI declares, and bodies that match
the declared schemas.

CI runs a few examples per operation, derandomized so a run is reproducible; set
MEDTRACE_API_EXAMPLES for a longer run (docs/api.md, "Conformance")."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from medtrace.accounts.services import create_api_token
from medtrace.wsgi import application

EXAMPLES = int(os.environ.get("MEDTRACE_API_EXAMPLES", "4"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI app is called directly: as Django's test client does, keep the end of each
    request from closing the connection the test's transaction lives on."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(admin_a, site_a):
    _token, plaintext = create_api_token(
        user=admin_a, name="conformance", sites=[site_a], can_write=True,
        expires_in_days=1, by=admin_a,
    )  # fmt: skip
    return {"Authorization": f"Bearer {plaintext}"}


# Read at collection: producing the document touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_operation_answers_as_documented(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
