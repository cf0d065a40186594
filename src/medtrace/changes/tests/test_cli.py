"""medtrace changes list [--open] and medtrace changes implement-due."""

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from medtrace.catalog.models import Bom, VersionStatus
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.changes.models import ChangeRequest
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import bom_draft, implemented
from medtrace.cli import app
from medtrace.quality.choices import RiskLevel

runner = CliRunner()
pytestmark = pytest.mark.django_db


def test_list_and_implement_due(site_a, infusion_set, engineer_a, qa_a):
    bom = bom_draft(infusion_set, engineer_a)
    released = implemented(
        site=site_a, author=engineer_a, approvers=[qa_a], boms=[bom], kind=ChangeKind.FAST_TRACK,
        planned_effective_on=site_a.local_date() + timedelta(days=1), title="新夹具 New clamp",
    )  # fmt: skip
    draft = changes.open_change(
        site=site_a, by=engineer_a, title="Label update", kind=ChangeKind.STANDARD, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    changes.cancel(draft, by=engineer_a, reason="Not needed")

    listed = runner.invoke(app, ["changes", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert {row["number"]: row["status"] for row in rows} == {
        released.number: "scheduled",
        draft.number: "cancelled",
    }
    text = runner.invoke(app, ["changes", "list", "--open"])
    assert released.number in text.output and draft.number not in text.output
    assert "新夹具 New clamp" in text.output

    nothing = runner.invoke(app, ["changes", "implement-due"])
    assert nothing.exit_code == 0 and "0 change(s) implemented" in nothing.output
    ChangeRequest.objects.filter(pk=released.pk).update(planned_effective_on=site_a.local_date())
    done = runner.invoke(app, ["changes", "implement-due"])
    assert done.exit_code == 0 and f"{released.number} implemented" in done.output
    assert ChangeRequest.objects.get(pk=released.pk).status == ChangeStatus.IMPLEMENTED
    assert Bom.objects.get(pk=bom.pk).status == VersionStatus.APPROVED
