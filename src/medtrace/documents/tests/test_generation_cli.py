"""medtrace documents: generating a PDF from the command line as a named user (recorded like
any generation), listing the templates, taking a skeleton in, and refusals named in one line."""

import json

import pytest
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.documents.models import ControlledDocument, GeneratedDocument
from medtrace.documents.tests.generation_fixtures import pdf_text

runner = CliRunner()
pytestmark = pytest.mark.django_db


def test_generate_the_quality_manual_to_a_file(tmp_path, qa_a, site_a):
    out = tmp_path / "manual.pdf"
    result = runner.invoke(
        app,
        ["documents", "generate", "quality-manual", "--market", "nmpa", "--user", "qa-a",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = GeneratedDocument.objects.get()
    assert document.sha256 in " ".join(result.output.split()) and document.site == site_a
    assert "质量方针" in pdf_text(out.read_bytes())


def test_templates_and_take_in(tmp_path, qa_a, site_a):
    listed = runner.invoke(app, ["documents", "templates", "--json"])
    assert {row["key"] for row in json.loads(listed.output)} >= {"quality-manual", "capa-report"}
    result = runner.invoke(
        app,
        ["documents", "generate", "sop-skeleton", "--market", "fda", "--subject", "calibration",
         "--user", "qa-a", "--site", "a1", "--out", str(tmp_path / "sop.pdf")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    generated = GeneratedDocument.objects.get()
    taken = runner.invoke(app, ["documents", "take-in", str(generated.pk), "--user", "qa-a"])
    assert taken.exit_code == 0, taken.output
    assert ControlledDocument.objects.get().title_en.startswith("Calibration")


def test_refusals_are_one_line(tmp_path, qa_a, operator_a):
    unsupported = runner.invoke(
        app, ["documents", "generate", "quality-manual", "--market", "mars", "--user", "qa-a"]
    )
    assert unsupported.exit_code == 1 and "not written for the market mars" in unsupported.output
    denied = runner.invoke(
        app, ["documents", "generate", "quality-manual", "--market", "nmpa", "--user", "operator-a"]
    )
    assert denied.exit_code == 1 and "add_controlleddocument" in denied.output
    nobody = runner.invoke(
        app, ["documents", "generate", "quality-manual", "--market", "nmpa", "--user", "nobody"]
    )
    assert nobody.exit_code == 1 and "nobody" in nobody.output
    assert not GeneratedDocument.objects.exists()
