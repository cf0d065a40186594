"""A nonconformance's disposition takes the quantity decided out of stock, from the MRB cage
first; the hold it opens with makes the lot unavailable to pick."""

from decimal import Decimal

import pytest

from conftest import PASSWORD
from medtrace.core.errors import DomainError
from medtrace.inventory.choices import Operation
from medtrace.inventory.models import Stock
from medtrace.inventory.services import moves
from medtrace.quality.services import nonconformance as ncrs

pytestmark = pytest.mark.django_db


def test_scrap_by_an_ncr_leaves_stock_from_the_segregated_place_first(
    site_a, bins, resin, make_lot, put, qa_a, clerk_a
):
    lot = make_lot(resin, "R1")
    put(lot, bins["A-01"], 30)
    put(lot, bins["QUA"], 5)
    ncr = ncrs.open_nonconformance(
        site=site_a, title="Black specks", description="Found at issue.", source="incoming",
        severity="major", lot=lot, quantity=Decimal(8), uom="KG", by=qa_a,
    )  # fmt: skip
    with pytest.raises(DomainError, match="has status On hold"):
        moves.move(
            site=site_a, lines=[moves.Line(lot, Decimal(1))], operation=Operation.ISSUE,
            biz_step="picking", source=bins["A-01"], destination=bins["PRD"], by=clerk_a,
        )  # fmt: skip
    ncr = ncrs.start_review(ncr, by=qa_a)
    ncrs.add_disposition(
        ncr, decision="scrap", quantity=Decimal(8), justification="Contaminated.", by=qa_a
    )
    ncr = ncrs.approve_dispositions(ncr, by=qa_a, password=PASSWORD)
    ncrs.execute_disposition(ncr.dispositions.get(), note="Scrapped.", by=qa_a)
    left = {row.location.code: row.quantity for row in Stock.objects.filter(lot=lot)}
    assert left == {"A-01": Decimal(27)}
