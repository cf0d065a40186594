"""The nightly certificate check: an approved supplier whose last ISO 13485 certificate or
production licence has expired becomes conditional, with a system reason naming it, once."""

import datetime

import pytest
from django.utils import timezone

from medtrace.audit.models import AuditEntry
from medtrace.jobs.registry import registry
from medtrace.partners import services
from medtrace.partners.choices import SupplierStatus
from medtrace.partners.models import QualificationDecision, Supplier
from medtrace.partners.tests.conftest import add_iso

pytestmark = pytest.mark.django_db


def later(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def approve_with_iso_until(qualify, supplier, days: int):
    add_iso(supplier, days=days, number="CN-13485-SHORT")
    return qualify(supplier, certificate=False)


def test_an_expired_required_certificate_makes_the_supplier_conditional_once(qualify, supplier):
    supplier = approve_with_iso_until(qualify, supplier, 10)
    assert services.lapse_expired_certificates(today=later(10)) == []  # valid through day 10
    (decision,) = services.lapse_expired_certificates(today=later(11))
    stored = Supplier.objects.get(pk=supplier.pk)
    assert stored.status == SupplierStatus.CONDITIONAL
    assert "CN-13485-SHORT" in stored.conditions and stored.conditions_due_on == later(41)
    assert decision.action == "certificate_lapsed" and decision.decided_by is None
    assert decision.reason.startswith(
        f"ISO 13485 certificate CN-13485-SHORT expired on {later(10)}"
    )
    entry = AuditEntry.objects.filter(
        object_type="partners.supplier", object_id=str(supplier.pk), action="transition"
    ).last()
    assert entry.actor_id is None and entry.actor_name == "medtrace (nightly certificate check)"
    assert entry.changes["status"] == ["approved", "conditional"]
    assert "CN-13485-SHORT" in entry.reason
    # Idempotent: the second run finds nothing to do and writes nothing.
    before = (AuditEntry.objects.count(), QualificationDecision.objects.count())
    assert services.lapse_expired_certificates(today=later(11)) == []
    assert services.lapse_expired_certificates(today=later(12)) == []
    assert (AuditEntry.objects.count(), QualificationDecision.objects.count()) == before


def test_another_valid_required_certificate_keeps_the_approval(qualify, supplier):
    supplier = approve_with_iso_until(qualify, supplier, 10)
    services.add_certificate(
        supplier=supplier, kind="production_licence", number="浙械生产许2",
        valid_until=later(400),
    )  # fmt: skip
    assert services.lapse_expired_certificates(today=later(30)) == []
    assert Supplier.objects.get(pk=supplier.pk).status == "approved"


def test_only_approved_suppliers_are_moved(supplier, organization, qa_a):
    add_iso(supplier, days=-5)
    assert services.lapse_expired_certificates() == []
    assert Supplier.objects.get(pk=supplier.pk).status == "prospective"


def test_the_job_runs_the_check_daily_and_logs_what_it_moved(qualify, supplier, qa_a):
    supplier = approve_with_iso_until(qualify, supplier, 100)
    certificate = supplier.certificates.get()
    services.update_certificate(
        certificate, by=qa_a, valid_until=later(-2),
        reason="Suspended by the certification body after its surveillance audit",
    )  # fmt: skip
    periodic = {p.name: p for p in registry.periodic_jobs()}["partners.check_certificates"]
    assert periodic.every == datetime.timedelta(days=1)

    class Context:
        def __init__(self):
            self.lines = []

        def log(self, message, **kwargs):
            self.lines.append(message)

    context = Context()
    job = registry.get("partners.check_certificates")
    assert job.func(context) == {"conditional": 1}
    assert context.lines[0].startswith("SUP-PVC: conditional. ISO 13485 certificate")
    assert job.func(Context()) == {"conditional": 0}
