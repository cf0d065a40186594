"""Recall fixtures: a finished lot made from the tube lot T-001 and released into A-01, 30 of its
100 sets shipped to a hospital; T-001's remaining 300 tubes still at the line PRD."""

import pytest

from conftest import PASSWORD
from medtrace.catalog.models import Item
from medtrace.epcis.model import TypedId
from medtrace.inventory.choices import Operation
from medtrace.inventory.services import moves
from medtrace.partners.models import Customer, Supplier
from medtrace.production.services import lot_release
from medtrace.production.tests.fixtures import lot_of, run_through
from medtrace.recall.services import recalls
from medtrace.trace.models import Party
from medtrace.trace.services.objects import create_lot, ensure_party

HOSPITAL = "https://id.gs1.org/417/6901234567892"
DISTRIBUTOR = "https://id.gs1.org/417/6901234567809"


@pytest.fixture
def made_and_shipped(released, operator_a, molder, supervisor_a, qa_a, bins, site_a, admin_a):
    run_through(released, operator_a, molder)
    lot_release.complete(released, by=supervisor_a)
    lot_release.release_lot(released, by=qa_a, password=PASSWORD, location=bins["A-01"])
    released.refresh_from_db()
    ensure_party(organization=site_a.organization, identifier=HOSPITAL)
    # Part of the lot leaves: its disposition stays (decision 0010).
    moves.move(
        site=site_a, lines=[moves.Line(released.lot, 30)], operation=Operation.SHIP,
        biz_step="shipping", source=bins["A-01"],
        parties_to=(TypedId("owning_party", HOSPITAL),), by=admin_a,
    )  # fmt: skip
    return {"order": released, "product": released.lot, "tube": lot_of(released, "T-001")}


@pytest.fixture
def open_from(site_a, qa_a):
    """open_from(roots, **fields) -> a draft recall at site A opened by QA (NMPA class II,
    removal down to the users) from `roots`."""

    def open_from(roots, **fields):
        values = {
            "site": site_a, "title": "管路破裂 Tubing bursts", "depth": "user",
            "reason": "Supplier tube lot fails burst pressure.", "strategy": "removal",
            "nmpa_class": "II", "by": qa_a, **fields,
        }  # fmt: skip
        return recalls.open_recall(roots=roots, **values)

    return open_from


@pytest.fixture
def supplier_lot(organization, site_a):
    """(supplier SUP-9, our lot R-77 received as its lot SL-2026-5)."""
    supplier = Supplier.objects.create(organization=organization, code="SUP-9", name="管路厂")
    item = Item.objects.create(
        organization=organization, code="CMP-T9", name="管", kind="component"
    )
    lot = create_lot(
        item=item, lot_number="R-77", site=site_a, supplier=supplier,
        supplier_lot_number="SL-2026-5",
    )  # fmt: skip
    return supplier, lot


@pytest.fixture
def two_consignees(made_and_shipped, organization, site_a, bins, admin_a):
    """made_and_shipped with customers (e-mail, language) behind the consignees: the product
    lot's 30 at a hospital (zh) and 20 more shipped to a distributor (en)."""
    hospital = Customer.objects.create(
        organization=organization, code="H-1", name="协和医院", kind="hospital",
        region="北京", email="shebei@xiehe.example.cn", language="zh-hans",
    )  # fmt: skip
    distributor = Customer.objects.create(
        organization=organization, code="D-1", name="华东医疗器械", name_en="East Med",
        kind="distributor", region="上海", email="qa@eastmed.example.com", language="en",
    )  # fmt: skip
    Party.objects.filter(identifier=HOSPITAL).update(customer=hospital)
    ensure_party(organization=organization, identifier=DISTRIBUTOR)
    Party.objects.filter(identifier=DISTRIBUTOR).update(customer=distributor)
    moves.move(
        site=site_a, lines=[moves.Line(made_and_shipped["product"], 20)],
        operation=Operation.SHIP, biz_step="shipping", source=bins["A-01"],
        parties_to=(TypedId("owning_party", DISTRIBUTOR),), by=admin_a,
    )  # fmt: skip
    return {**made_and_shipped, "hospital": hospital, "distributor": distributor}


@pytest.fixture
def approved(two_consignees, open_from, qa_a):
    recall = open_from([two_consignees["product"]])
    return recalls.approve(recall, by=qa_a, password=PASSWORD)
