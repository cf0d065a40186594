"""The approved-source check purchasing and receiving call: allowed, conditional with the
conditions, refused with the reason; require_approved_source raising the refusal."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.catalog import services as catalog
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners import services
from medtrace.partners.choices import Verdict
from medtrace.partners.sourcing import check_approved_source, require_approved_source

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def check(supplier, item, **kwargs):
    return check_approved_source(supplier=supplier, item=item, **kwargs)


def test_an_approved_listed_supplier_is_allowed(qualify, supplier, pvc, qa_a):
    supplier = qualify(supplier)
    services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    verdict = check(supplier, pvc)
    assert verdict.verdict == Verdict.ALLOWED and verdict.allowed
    assert verdict.reason == "SUP-PVC is an approved source of RM-PVC."
    assert require_approved_source(supplier=supplier, item=pvc) == verdict


def test_an_approved_supplier_not_listed_for_the_item_is_refused(qualify, supplier, pvc):
    supplier = qualify(supplier)
    verdict = check(supplier, pvc)
    assert verdict.verdict == Verdict.REFUSED
    assert verdict.reason == "SUP-PVC is not an approved source of RM-PVC."
    with pytest.raises(DomainError) as refused:
        require_approved_source(supplier=supplier, item=pvc)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert refused.value.details == {"supplier": "SUP-PVC", "item": "RM-PVC", "verdict": "refused"}


@pytest.mark.parametrize("status", ["prospective", "under_evaluation"])
def test_a_supplier_not_yet_approved_is_refused(supplier, pvc, buyer_a, status):
    if status == "under_evaluation":
        supplier = services.start_evaluation(supplier, by=buyer_a)
    verdict = check(supplier, pvc)
    assert verdict.verdict == Verdict.REFUSED and "not approved" in verdict.reason


def test_a_conditional_supplier_is_allowed_with_its_conditions(supplier, pvc, qa_a):
    from medtrace.partners.tests.conftest import ready_for_approval

    supplier = ready_for_approval(supplier, qa_a)
    supplier = services.approve_conditionally(
        supplier, by=qa_a, password=PASSWORD, conditions="100 % incoming inspection",
        conditions_due_on=days(20),
    )  # fmt: skip
    services.approve_source(
        supplier=supplier, item=pvc, status="conditional", note="Trial lots only", by=qa_a
    )
    verdict = check(supplier, pvc)
    assert verdict.verdict == Verdict.CONDITIONAL and verdict.allowed
    assert verdict.conditions == "100 % incoming inspection\nTrial lots only"
    assert verdict.conditions_due_on == days(20)
    # After the deadline, unmet conditions refuse.
    later = timezone.now() + datetime.timedelta(days=21)
    overdue = check(supplier, pvc, at=later)
    assert overdue.verdict == Verdict.REFUSED and "were due on" in overdue.reason


def test_a_disqualified_supplier_is_refused_even_when_listed(qualify, supplier, pvc, qa_a):
    supplier = qualify(supplier)
    services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    services.disqualify(supplier, by=qa_a, password=PASSWORD, reason="Fraudulent CoA")
    verdict = check(supplier, pvc)
    assert verdict.verdict == Verdict.REFUSED
    assert verdict.reason == "Supplier SUP-PVC is disqualified: nothing may be bought from it."


def test_a_requalification_suspends_the_source(qualify, supplier, pvc, qa_a):
    supplier = qualify(supplier)
    services.approve_source(supplier=supplier, item=pvc, by=qa_a)
    services.requalify(supplier, by=qa_a, reason="Process change notified")
    assert check(supplier, pvc).verdict == Verdict.REFUSED


def test_a_source_listed_from_a_later_day_is_refused_until_then(qualify, supplier, pvc, qa_a):
    supplier = qualify(supplier)
    services.approve_source(supplier=supplier, item=pvc, since=days(3), by=qa_a)
    assert check(supplier, pvc).verdict == Verdict.REFUSED
    in_a_week = timezone.now() + datetime.timedelta(days=7)
    assert check(supplier, pvc, at=in_a_week).verdict == Verdict.ALLOWED


def test_another_organizations_item_is_never_a_source(qualify, supplier, outsider):
    supplier = qualify(supplier)
    theirs = catalog.create_item(
        organization=outsider.organization, code="RM-X", name="x", kind="raw_material", unit="KG"
    )
    assert check(supplier, theirs).verdict == Verdict.REFUSED
