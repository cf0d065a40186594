"""Analytics fixtures: melt temperature read three times during the molding operation of each
of twelve work orders, steady around 230 °C (spec 220–240) until the last order runs hot."""

import pytest

from medtrace.production import services
from medtrace.production.services import operations, readings
from medtrace.production.tests.fixtures import op_of

PARAMETER = {"item": "FG-IV-01", "operation": "注塑", "parameter": "熔体温度"}
# Three readings per order: eleven in control (subgroup ranges 1–2 °C), then one hot.
MELT = [
    ("230", "231", "229"), ("229", "230", "230"), ("231", "230", "232"), ("230", "229", "231"),
    ("229", "231", "230"), ("230", "230", "231"), ("231", "229", "230"), ("230", "231", "231"),
    ("229", "230", "229"), ("230", "232", "231"), ("231", "230", "230"), ("238", "239", "239"),
]  # fmt: skip


@pytest.fixture
def melt_readings(product, site_a, supervisor_a, operator_a, molder, components):
    """The twelve orders, oldest first."""
    orders = []
    for values in MELT:
        order = services.create_work_order(
            site=site_a, item=product, quantity="10", by=supervisor_a
        )
        order = services.release(order, by=supervisor_a)
        molding = operations.start(op_of(order, 10), by=operator_a, equipment=molder)
        for value in values:
            readings.record(molding, parameter="熔体温度", value=value, by=operator_a)
        orders.append(order)
    return orders
