"""medtrace shipping orders / link."""

import json

import pytest
from typer.testing import CliRunner

from medtrace.cli import app
from medtrace.shipping.services import packing, picking, shipment

runner = CliRunner()
pytestmark = pytest.mark.django_db


def test_open_orders_and_the_confirmation_link(make_order, infusion, lots, clerk_a):
    order = make_order((infusion, 5))
    listed = runner.invoke(app, ["shipping", "orders", "--site", "a1", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)[0]["number"] == order.number
    refused = runner.invoke(app, ["shipping", "link", order.number])
    assert refused.exit_code != 0 and "only a shipped order" in refused.output
    picking.pick(order, obj=lots["early"], quantity=5, by=clerk_a)
    packing.pack_case(order, by=clerk_a)
    packing.finish_packing(order, by=clerk_a)
    shipment.ship(order, by=clerk_a)
    link = runner.invoke(
        app, ["shipping", "link", order.number, "--base-url", "https://mt.example"]
    )
    assert link.exit_code == 0, link.output
    token = link.output.strip().rstrip("/").rsplit("/", 1)[-1]
    assert link.output.startswith("https://mt.example/shipping/confirm/")
    assert shipment.order_for_token(token) == order
    bad = runner.invoke(app, ["shipping", "orders", "--status", "lost"])
    assert bad.exit_code != 0 and "no status" in bad.output
