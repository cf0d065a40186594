"""Partners test data: a purchaser, a warehouse clerk, a PVC supplier, an item to source, a
hospital customer, and a QA manager of another organization with a supplier of their own."""

import pytest

from medtrace.accounts.roles import Role
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.partners import services
from medtrace.partners.choices import CustomerKind
from medtrace.scan.checks import gs1_check_digit


def gln(body: str) -> str:
    return body + gs1_check_digit(body)


HOSPITAL_GLN = gln("950600020001")


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def buyer_a(make_user, site_a):
    return make_user("buyer-a", (site_a, Role.PURCHASING))


@pytest.fixture
def clerk_a(make_user, site_a):
    return make_user("clerk-a", (site_a, Role.WAREHOUSE_CLERK))


@pytest.fixture
def supplier(organization, qa_a):
    return services.create_supplier(
        organization=organization,
        code="sup-pvc",
        name="浙江康塑医用材料有限公司",
        name_en="Zhejiang Kangsu Medical Materials",
        contact="张华",
        by=qa_a,
    )


@pytest.fixture
def pvc(organization, qa_a):
    return catalog.create_item(
        organization=organization,
        code="RM-PVC",
        name="医用 PVC 粒料",
        kind=ItemKind.RAW_MATERIAL,
        unit="KG",
        by=qa_a,
    )


@pytest.fixture
def hospital(organization, qa_a):
    return services.create_customer(
        organization=organization,
        code="h-suda1",
        name="苏州大学附属第一医院",
        kind=CustomerKind.HOSPITAL,
        region="江苏",
        gln=HOSPITAL_GLN,
        by=qa_a,
    )


@pytest.fixture
def outsider(stranger):
    """A QA manager of another organization, with a supplier and customer coded like ours."""
    other, user = stranger.organization, stranger
    services.create_supplier(organization=other, code="SECRET-S", name="他们的供应商")
    services.create_customer(
        organization=other, code="SECRET-C", name="他们的医院", kind=CustomerKind.HOSPITAL
    )
    return user
