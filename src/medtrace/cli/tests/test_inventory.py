"""medtrace inventory stock / expiring / mark-expired."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.inventory.tests.fixtures import *  # noqa: F403

runner = CliRunner()


@pytest.mark.django_db
def test_stock_expiring_and_mark_expired(bins, resin, make_lot, put):
    today = timezone.localdate()
    soon = make_lot(resin, "S1", expires_on=today + timedelta(days=10))
    past = make_lot(resin, "P1", expires_on=today - timedelta(days=2))
    put(soon, bins["A-01"], Decimal("7.5"), at=timezone.now() - timedelta(days=30))
    put(past, bins["A-02"], 2, at=timezone.now() - timedelta(days=30))
    result = runner.invoke(app, ["inventory", "stock", "--site", "a1", "--json"])
    assert result.exit_code == 0, result.output
    rows = {
        row["lot"]: (row["location"], row["quantity"], row["status"])
        for row in json.loads(result.output)
    }
    assert rows == {"S1": ("A-01", "7.5", "available"), "P1": ("A-02", "2", "expired")}
    expiring = runner.invoke(app, ["inventory", "expiring", "--days", "30"])
    assert "S1" in expiring.output and "EXPIRED" in expiring.output
    marked = runner.invoke(app, ["inventory", "mark-expired"])
    assert "PVC-100 P1: expired on" in marked.output and "1 lots marked expired" in marked.output
    bad = runner.invoke(app, ["inventory", "stock", "--status", "lost"])
    assert bad.exit_code != 0 and "unknown status" in bad.output
