"""The demo plant's suppliers and customers: suppliers in every qualification state, with their
evaluations, audits, a CAPA from a finding, a certificate expiring next month and a supplier
made conditional by a lapsed one; valid GLNs and one lapsed distributor licence."""

import pytest

from medtrace.audit import signatures
from medtrace.partners import alerts, selectors
from medtrace.partners.choices import SupplierStatus, Verdict
from medtrace.partners.models import (
    ApprovedSource,
    AuditFinding,
    Customer,
    QualificationDecision,
    Supplier,
    validate_gln,
)
from medtrace.partners.readiness import current_evaluation
from medtrace.partners.sourcing import check_approved_source

pytestmark = pytest.mark.django_db


def test_demo_partners(demo_plant):
    plant = demo_plant
    organization = plant.organization
    status = dict(Supplier.objects.values_list("code", "status"))
    assert set(status.values()) == set(SupplierStatus.values)
    assert status["SUP-ZJPVC"] == status["SUP-JSNDL"] == SupplierStatus.APPROVED
    assert status["SUP-GDABS"] == SupplierStatus.UNDER_EVALUATION
    half = current_evaluation(Supplier.objects.get(code="SUP-GDABS"))
    assert half.is_open and 0 < half.answers.count() < 10

    # SUP-JSNDL's ISO 13485 certificate expires next month; SUP-NBABS's has lapsed.
    soon = [c for c in selectors.certificates_to_renew(organization, 60) if c.expiry == "expiring"]
    assert [(c.supplier.code, c.kind) for c in soon] == [("SUP-JSNDL", "iso13485")]
    lapsed = QualificationDecision.objects.get(action="certificate_lapsed")
    assert lapsed.supplier.code == "SUP-NBABS" and lapsed.decided_by is None
    assert status["SUP-NBABS"] == SupplierStatus.CONDITIONAL

    # The Tyvek supplier: an open major finding with its CAPA, approved under conditions.
    finding = AuditFinding.objects.get(audit__supplier__code="SUP-SHTYV")
    assert finding.classification == "major" and finding.is_open
    assert finding.capa is not None and finding.capa.source == "audit"
    assert finding.capa.number in Supplier.objects.get(code="SUP-SHTYV").conditions
    pvc = plant.items["RM-PVC"]
    verdict = check_approved_source(supplier=Supplier.objects.get(code="SUP-ZJPVC"), item=pvc)
    assert verdict.verdict == Verdict.ALLOWED
    tyvek = check_approved_source(
        supplier=Supplier.objects.get(code="SUP-SHTYV"), item=plant.items["PK-TYVEK"]
    )
    assert tyvek.verdict == Verdict.CONDITIONAL
    for decision in QualificationDecision.objects.exclude(
        action__in=["start_evaluation", "certificate_lapsed"]
    ):
        assert all(valid for _signature, valid in signatures.with_validity(decision))

    buyer_alerts = {(a.kind, a.supplier.code) for a in alerts.supplier_alerts(plant.users["buyer"])}
    assert {
        ("conditional", "SUP-NBABS"),
        ("conditional", "SUP-SHTYV"),
        ("certificate", "SUP-JSNDL"),
        ("certificate", "SUP-NBABS"),
        ("under_evaluation", "SUP-GDABS"),
    } <= buyer_alerts

    assert ApprovedSource.objects.filter(item=pvc).exists()
    for customer in Customer.objects.exclude(gln=""):
        validate_gln(customer.gln)
    assert Customer.objects.filter(kind="hospital").count() >= 3
    (lapsed_customer,) = selectors.customers_with_expired_licence(organization)
    assert lapsed_customer.kind == "distributor"
