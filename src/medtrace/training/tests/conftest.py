import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.services import OperationIn
from medtrace.documents.tests.fixtures import *  # noqa: F403
from medtrace.training.services import curricula
from medtrace.training.tests.fixtures import *  # noqa: F403 (the page, API and matrix scenes)


@pytest.fixture
def operator_b(make_user, site_b):
    return make_user("operator-b", (site_b, Role.OPERATOR))


@pytest.fixture
def line_operators(site_a, sop, qa_a):
    return curricula.create_curriculum(
        site=site_a, code="OPS-LINE1", name="一线操作工", roles=[Role.OPERATOR],
        documents=[sop], by=qa_a, requalify_months=12,
    )  # fmt: skip


@pytest.fixture
def bonding(organization, sop, qa_a):
    """Operation 10 of an approved-later routing that requires the SOP."""
    item = catalog.create_item(
        organization=organization, code="FG-SET-01", name="输液器", kind=ItemKind.FINISHED_DEVICE
    )
    routing = catalog.create_routing_draft(item=item, by=qa_a)
    catalog.set_routing_operations(
        routing=routing, operations=[OperationIn(name="粘接", documents=[sop.number])], by=qa_a
    )
    return routing.operations.get()
