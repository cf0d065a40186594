"""`medtrace scan --json` and GET /api/v1/scan answer the same object."""

import json

import pytest
from typer.testing import CliRunner

from medtrace.cli import app

runner = CliRunner()
LABEL = "]d2010950600013435217261231\x1d10A1B2"


def test_cli_json_contract():
    result = runner.invoke(app, ["scan", LABEL, "--json", "--reference-year", "2026"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["scheme"] == "gs1" and body["gtin"] == "09506000134352"
    assert body["expiry"] == "2026-12-31" and body["serial"] is None and body["lic"] is None
    assert set(body) >= {
        "scheme",
        "symbology",
        "gtin",
        "lot",
        "serial",
        "expiry",
        "production_date",
        "sscc",
        "count",
        "ais",
        "digital_link",
        "lic",
        "pcn",
        "uom",
    }


def test_cli_refusal_exits_2_with_the_error_object():
    result = runner.invoke(app, ["scan", "]d20109506000134353", "--json"])
    assert result.exit_code == 2
    error = json.loads(result.output)["error"]
    assert (error["code"], error["ai"]) == ("BAD_CHECK_DIGIT", "01")


def test_cli_merges_codes_of_one_label():
    result = runner.invoke(app, ["scan", "]d20109506000134352", "]d21726123110L1", "--json"])
    body = json.loads(result.output)
    assert (body["gtin"], body["lot"]) == ("09506000134352", "L1")


@pytest.mark.django_db
def test_api_answers_the_same_object(client, qa_a):
    client.force_login(qa_a)
    response = client.get("/api/v1/scan", {"code": ["]d20109506000134352", "]d21726123110L1"]})
    assert response.status_code == 200
    cli = json.loads(
        runner.invoke(app, ["scan", "]d20109506000134352", "]d21726123110L1", "--json"]).output
    )
    assert response.json() == cli


@pytest.mark.django_db
def test_api_refusal_is_422_with_code_and_ai(client, qa_a):
    client.force_login(qa_a)
    response = client.get("/api/v1/scan", {"code": "(01)09506000134352(17)261331"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_DATE"
    assert response.json()["error"]["ai"] == "17"


@pytest.mark.django_db
def test_api_message_follows_the_language(client, qa_a):
    client.force_login(qa_a)
    response = client.get(
        "/api/v1/scan", {"code": "]d20109506000134353"}, headers={"Accept-Language": "zh-hans"}
    )
    error = response.json()["error"]
    assert error["code"] == "BAD_CHECK_DIGIT" and "校验位错误" in error["message"]
