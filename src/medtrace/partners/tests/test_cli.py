"""medtrace suppliers expiring / check-certificates / check-source."""

import datetime
import json

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.partners import services
from medtrace.partners.models import Supplier
from medtrace.partners.tests.conftest import add_iso, approve_now

pytestmark = pytest.mark.django_db
runner = CliRunner()


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def test_expiring_lists_the_certificates_to_renew(supplier, outsider):
    add_iso(supplier, days=20, number="SOON")
    add_iso(supplier, days=-3, number="GONE")
    services.add_certificate(
        supplier=supplier, kind="business_licence", number="BL-OLD", valid_until=ago(3)
    )
    result = runner.invoke(app, ["suppliers", "expiring", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "SUP-PVC  iso13485 SOON  expires" in result.output
    assert "GONE" not in result.output  # superseded by SOON
    assert "BL-OLD  expired" in result.output
    rows = json.loads(runner.invoke(app, ["suppliers", "expiring", "--days", "5", "--json"]).output)
    assert [row["number"] for row in rows] == ["BL-OLD"] and rows[0]["expired"]
    quiet = runner.invoke(app, ["suppliers", "expiring", "--days", "5", "--org", "另一家公司"])
    assert "no supplier certificate expires within 5 days" in quiet.output
    assert runner.invoke(app, ["suppliers", "expiring", "--org", "Nobody"]).exit_code == 1


def test_check_certificates_runs_the_nightly_check(qualify, supplier, qa_a):
    supplier = qualify(supplier)
    services.update_certificate(
        supplier.certificates.get(), by=qa_a, reason="Suspended", valid_until=ago(1)
    )
    result = runner.invoke(app, ["suppliers", "check-certificates"])
    assert result.exit_code == 0, result.output
    assert "SUP-PVC: conditional." in result.output
    assert Supplier.objects.get(pk=supplier.pk).status == "conditional"
    again = runner.invoke(app, ["suppliers", "check-certificates"])
    assert "no approved supplier's required certificate has lapsed" in again.output


def test_check_source_answers_with_the_verdict(supplier, pvc, qa_a, outsider):
    refused = runner.invoke(
        app, ["suppliers", "check-source", "sup-pvc", "rm-pvc", "--org", "测试医疗器械有限公司"]
    )
    assert refused.exit_code == 1 and "refused: Supplier SUP-PVC is Prospective" in refused.output
    approve_now(supplier, qa_a)
    services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    allowed = runner.invoke(
        app, ["suppliers", "check-source", "SUP-PVC", "RM-PVC", "--org", "Test Devices Co.",
              "--json"],
    )  # fmt: skip
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.output)["verdict"] == "allowed"
    several = runner.invoke(app, ["suppliers", "check-source", "SUP-PVC", "RM-PVC"])
    assert several.exit_code == 1 and "several organizations" in several.output
