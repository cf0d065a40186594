"""My tasks: the change requests waiting on the user (their own draft to submit, an approval
for a role they hold and did not give, a release, a closure) and the change tasks they own;
the page and `medtrace quality tasks`."""

import json

import pytest
from typer.testing import CliRunner

from conftest import PASSWORD
from medtrace.changes.choices import ChangeKind
from medtrace.changes.services import changes
from medtrace.changes.tests.fixtures import bom_draft
from medtrace.cli import app
from medtrace.quality.choices import RiskLevel
from medtrace.quality.tasks import inbox

pytestmark = pytest.mark.django_db


def waiting(user) -> dict:
    return {task.record.number: [a.name for a in task.actions] for task in inbox(user)["changes"]}


def test_changes_wait_on_whoever_takes_the_next_step(
    client, site_a, infusion_set, engineer_a, approvers_a, operator_a
):
    qa, supervisor, regulatory = approvers_a
    change = changes.open_change(
        site=site_a, by=engineer_a, title="Clamp", kind=ChangeKind.STANDARD, reason="x",
        description="x", risk_level=RiskLevel.LOW,
    )  # fmt: skip
    changes.set_scope(change, by=engineer_a, boms=[bom_draft(infusion_set, engineer_a)])
    assert waiting(engineer_a) == {change.number: ["submit"]}
    assert waiting(qa) == {}  # someone else's draft
    changes.submit(change, by=engineer_a, password=PASSWORD)
    assert waiting(engineer_a) == {}
    assert waiting(qa) == {change.number: ["approve"]}
    changes.approve(change, by=qa, password=PASSWORD)
    assert waiting(qa) == {}
    assert waiting(supervisor) == waiting(regulatory) == {change.number: ["approve"]}
    for approver in (supervisor, regulatory):
        changes.approve(change, by=approver, password=PASSWORD)
    assert waiting(qa) == {change.number: ["release"]}
    assert waiting(operator_a) == {}

    task = changes.add_task(
        change, by=engineer_a, description="Print the new label", owner=operator_a,
        due_on=site_a.local_date(),
    )  # fmt: skip
    assert inbox(operator_a)["change_tasks"] == [task]
    client.force_login(operator_a)
    page = client.get("/quality/tasks/").content.decode()
    assert 'data-task="change-task"' in page and "Print the new label" in page
    client.force_login(qa)
    page = client.get("/quality/tasks/").content.decode()
    assert 'data-task="change"' in page and change.number in page
    listed = CliRunner().invoke(app, ["quality", "tasks", operator_a.username, "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["change_tasks"][0]["number"] == change.number
    changes.complete_task(task, by=operator_a, evidence="Label rev. C")
    assert inbox(operator_a)["change_tasks"] == []
