"""Supplier qualification, certificates, approved sources and customers: each write with its
audit entry; each refusal with its code, and nothing written."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import services
from medtrace.partners.choices import CustomerKind, SupplierStatus
from medtrace.partners.models import ApprovedSource, Customer, Supplier, SupplierCertificate
from medtrace.partners.tests.conftest import HOSPITAL_GLN, ready_for_approval

pytestmark = pytest.mark.django_db


def entries(obj):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("sequence")


def test_create_supplier_starts_prospective_and_is_audited(supplier, qa_a):
    assert supplier.code == "SUP-PVC" and supplier.status == SupplierStatus.PROSPECTIVE
    (entry,) = entries(supplier)
    assert entry.action == "create" and entry.actor_id == qa_a.pk
    with pytest.raises(DomainError) as refused:
        services.create_supplier(organization=supplier.organization, code="SUP-PVC", name="x")
    assert refused.value.code == ErrorCode.DUPLICATE


def test_status_transition_needs_a_reason_and_is_audited(supplier, qa_a):
    """set_supplier_status takes the lifecycle action that leads to the status (see
    test_qualification for the lifecycle's own rules)."""
    services.set_supplier_status(
        supplier, SupplierStatus.UNDER_EVALUATION, by=qa_a, reason="Samples received"
    )
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.UNDER_EVALUATION
    entry = entries(supplier).last()
    assert entry.action == "transition"
    assert entry.changes == {"status": ["prospective", "under_evaluation"]}
    assert entry.reason == "Samples received"
    services.set_supplier_status(
        supplier, "disqualified", by=qa_a, reason="Recall", password=PASSWORD
    )
    assert Supplier.objects.get(pk=supplier.pk).status == SupplierStatus.DISQUALIFIED


@pytest.mark.parametrize("reason", ["", "   "])
def test_status_change_without_reason_is_refused_and_writes_nothing(supplier, qa_a, reason):
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.set_supplier_status(supplier, SupplierStatus.APPROVED, by=qa_a, reason=reason)
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    assert Supplier.objects.get(pk=supplier.pk).status == SupplierStatus.PROSPECTIVE
    assert AuditEntry.objects.count() == before


def test_status_change_to_the_same_status_is_refused(supplier, qa_a):
    with pytest.raises(DomainError) as refused:
        services.set_supplier_status(supplier, "prospective", by=qa_a, reason="again")
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_update_supplier_never_changes_code_or_status(supplier, qa_a):
    services.update_supplier(supplier=supplier, by=qa_a, contact="李四")
    assert entries(supplier).last().changes == {"contact": ["张华", "李四"]}
    with pytest.raises(TypeError):
        services.update_supplier(supplier=supplier, by=qa_a, status="approved")


@pytest.mark.parametrize("status", ["prospective", "disqualified"])
def test_only_approved_or_conditional_suppliers_are_approved_sources(supplier, pvc, qa_a, status):
    if status != "prospective":
        services.set_supplier_status(supplier, status, by=qa_a, reason="r", password=PASSWORD)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "only an approved or conditionally approved" in str(refused.value.message)
    assert not ApprovedSource.objects.exists()
    assert AuditEntry.objects.count() == before


def test_conditional_supplier_becomes_an_approved_source_once(supplier, pvc, qa_a):
    supplier = ready_for_approval(supplier, qa_a)
    services.approve_conditionally(
        supplier, by=qa_a, password=PASSWORD, conditions="CAPA open",
        conditions_due_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    source = services.approve_source(
        supplier=supplier, item=pvc, status="conditional", note="until CAPA closes", by=qa_a
    )
    assert source.since == timezone.localdate()
    assert entries(source).get().action == "create"
    with pytest.raises(DomainError) as refused:
        services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    assert refused.value.code == ErrorCode.DUPLICATE


def test_certificate_with_end_before_start_is_refused(supplier, qa_a):
    with pytest.raises(DomainError) as refused:
        services.add_certificate(
            supplier=supplier,
            kind="iso13485",
            number="C-1",
            valid_from=datetime.date(2026, 1, 2),
            valid_until=datetime.date(2026, 1, 1),
            by=qa_a,
        )
    assert refused.value.code == ErrorCode.VALIDATION
    assert not SupplierCertificate.objects.exists()


def test_certificate_with_document_is_stored_and_audited(supplier, qa_a, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    certificate = services.add_certificate(
        supplier=supplier,
        kind="iso13485",
        number="CN-13485-1",
        valid_until=datetime.date(2027, 1, 1),
        file=SimpleUploadedFile("iso.pdf", b"%PDF-1.4 test"),
        by=qa_a,
    )
    assert certificate.file.name.startswith("partners/certificates/")
    assert (media_root / certificate.file.name).read_bytes() == b"%PDF-1.4 test"
    assert entries(certificate).get().changes["file"] == [None, certificate.file.name]


def test_customer_gln_is_checked_and_nothing_written_on_refusal(organization, hospital, qa_a):
    assert hospital.code == "H-SUDA1" and hospital.gln == HOSPITAL_GLN
    wrong = HOSPITAL_GLN[:-1] + str((int(HOSPITAL_GLN[-1]) + 1) % 10)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.create_customer(
            organization=organization,
            code="D-1",
            name="x",
            kind=CustomerKind.DISTRIBUTOR,
            gln=wrong,
        )
    assert refused.value.code == ErrorCode.VALIDATION
    assert "gln" in refused.value.details["fields"]
    assert not Customer.objects.filter(code="D-1").exists()
    assert AuditEntry.objects.count() == before
    services.update_customer(customer=hospital, by=qa_a, region="江苏省")
    assert entries(hospital).last().changes == {"region": ["江苏", "江苏省"]}


def test_update_supplier_writes_the_country_in_capitals(supplier, qa_a):
    services.update_supplier(supplier=supplier, by=qa_a, country=" de ", reason="moved")
    assert Supplier.objects.get(pk=supplier.pk).country == "DE"
    entry = entries(supplier).last()
    assert entry.changes == {"country": ["CN", "DE"]} and entry.reason == "moved"


def test_an_inactive_item_gets_no_new_approved_source(qualify, supplier, pvc, qa_a):
    from medtrace.catalog import services as catalog

    supplier = qualify(supplier)
    catalog.set_item_active(item=pvc, active=False, by=qa_a)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "item" in refused.value.details["fields"]
    assert not ApprovedSource.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_certificate_is_corrected_with_a_reason(supplier, qa_a):
    certificate = services.add_certificate(
        supplier=supplier, kind="iso13485", number="C-1", valid_until=datetime.date(2027, 1, 1)
    )
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.update_certificate(certificate, by=qa_a, reason="", number="C-2")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    with pytest.raises(DomainError) as refused:
        services.update_certificate(
            certificate, by=qa_a, reason="typo", valid_from=datetime.date(2027, 2, 1)
        )
    assert refused.value.code == ErrorCode.VALIDATION
    assert AuditEntry.objects.count() == before
    services.update_certificate(
        certificate, by=qa_a, reason="Suspended by TÜV", valid_until=datetime.date(2026, 3, 1)
    )
    entry = entries(certificate).last()
    assert entry.changes == {"valid_until": ["2027-01-01", "2026-03-01"]}
    assert entry.reason == "Suspended by TÜV"
    assert SupplierCertificate.objects.get(pk=certificate.pk).number == "C-1"
