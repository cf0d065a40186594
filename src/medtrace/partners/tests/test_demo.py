"""The demo plant's suppliers and customers: qualified makers with certificates, one about to
expire, one conditional supplier, valid GLNs and one lapsed distributor licence."""

import pytest

from medtrace.demo import generate
from medtrace.partners import selectors
from medtrace.partners.choices import SupplierStatus
from medtrace.partners.models import ApprovedSource, Customer, Supplier, validate_gln

pytestmark = pytest.mark.django_db


def test_demo_partners():
    plant = generate()
    organization = plant.organization
    statuses = set(Supplier.objects.values_list("status", flat=True))
    assert {SupplierStatus.APPROVED, SupplierStatus.CONDITIONAL} <= statuses
    (soon,) = selectors.certificates_expiring(organization, 30)
    assert soon.kind == "iso13485"
    assert ApprovedSource.objects.filter(item=plant.items["RM-PVC"]).exists()
    for customer in Customer.objects.exclude(gln=""):
        validate_gln(customer.gln)
    assert Customer.objects.filter(kind="hospital").count() >= 3
    (lapsed,) = selectors.customers_with_expired_licence(organization)
    assert lapsed.kind == "distributor"
