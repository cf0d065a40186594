"""The demo's stores: stock derived from the year's events, a posted count with an explained
difference, a count under way, the held lot in the MRB cage and the returned kit in returns."""

import pytest
from django.utils import timezone

from medtrace.inventory import selectors
from medtrace.inventory.choices import CountStatus, StockStatus
from medtrace.inventory.models import CycleCount

pytestmark = pytest.mark.django_db


def test_the_demo_stores(demo_plant):
    qa = demo_plant.users["qa"]
    rows = selectors.totals(selectors.stock_list(qa, today=timezone.localdate()))
    where = {(row["item__code"], row["location__path"], row["status"]) for row in rows}
    assert ("CVC-3001", "FG", StockStatus.AVAILABLE) in where
    assert ("CVC-3001", "RET", StockStatus.QUARANTINE) in where
    assert ("IS-2001", "MRB", StockStatus.ON_HOLD) in where
    assert any(code.startswith("RM-") and path.startswith("WH/") for code, path, _s in where)
    posted = CycleCount.objects.get(status=CountStatus.POSTED)
    [adjusted] = [line for line in posted.lines.all() if line.adjustment_id]
    assert adjusted.reason == "damaged" and adjusted.difference == -1
    assert CycleCount.objects.filter(status=CountStatus.OPEN).count() == 1
