import pytest
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.integration import delivery as sending
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.tests.test_delivery import publish

pytestmark = pytest.mark.django_db

runner = CliRunner(env={"COLUMNS": "200"})


def test_list_and_redeliver_every_dead_letter(organization, admin_a, webhook, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500, 500]
    publish(organization, admin_a, count=2)
    sending.deliver_due("w1")
    listing = runner.invoke(app, ["webhooks", "list", "--user", admin_a.username])
    assert listing.exit_code == 0, listing.output
    assert "ERP" in listing.output and receiver.url in listing.output
    result = runner.invoke(
        app, ["webhooks", "redeliver", str(webhook.pk), "--user", admin_a.username]
    )
    assert result.exit_code == 0, result.output
    assert "2 dead letter(s) of ERP queued again." in result.output
    assert set(webhook.deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}


def test_redeliver_refuses_a_subscription_the_user_may_not_change(qa_a, webhook):
    result = runner.invoke(app, ["webhooks", "redeliver", str(webhook.pk), "--user", qa_a.username])
    assert result.exit_code == 1 and "no subscription" in result.output
    unknown = runner.invoke(app, ["webhooks", "list", "--user", "nobody"])
    assert unknown.exit_code == 1 and "no active user named 'nobody'" in unknown.output
