from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.quality.choices import (
    CapaSource,
    CapaStatus,
    DeviationKind,
    DeviationStatus,
    Effectiveness,
)
from medtrace.quality.models import Capa
from medtrace.quality.services import capa as capas
from medtrace.quality.services import deviation as deviations

pytestmark = pytest.mark.django_db


@pytest.fixture
def sterilizer_deviation(site_a, qa_a, received_lot):
    return deviations.open_deviation(
        site=site_a,
        kind=DeviationKind.UNPLANNED,
        title="EO 灭菌周期温度偏低 Sterilizer cycle ran cold",
        description="Cycle 2611-07 held 48 °C for 20 min (spec 50-60 °C).",
        lots=[received_lot],
        window_start=timezone.now() - timedelta(hours=6),
        window_end=timezone.now() - timedelta(hours=2),
        by=qa_a,
    )


def test_a_deviation_blocks_release_of_its_lots_until_closed(
    sterilizer_deviation, received_lot, qa_a
):
    assert list(deviations.blocking_release(received_lot)) == [sterilizer_deviation]
    with pytest.raises(DomainError) as refused:
        deviations.approve(sterilizer_deviation, by=qa_a, password=PASSWORD)
    assert refused.value.details["fields"].keys() == {"impact_assessment", "risk_level"}
    assert not Signature.objects.exists()
    deviations.update_deviation(
        sterilizer_deviation,
        impact_assessment="BI results pending; lot quarantined until they read negative.",
        risk_level="high",
        by=qa_a,
    )
    deviation = deviations.approve(sterilizer_deviation, by=qa_a, password=PASSWORD)
    assert deviation.status == DeviationStatus.APPROVED
    assert list(deviations.blocking_release(received_lot)) == [deviation]
    with pytest.raises(DomainError) as refused:
        deviations.close(deviation, by=qa_a, password=PASSWORD)
    assert refused.value.details["fields"].keys() == {"closure_summary"}
    deviations.record_closure_summary(
        deviation, summary="BIs negative after 7 days; lot released by QA.", by=qa_a
    )
    deviation = deviations.close(deviation, by=qa_a, password=PASSWORD)
    assert deviation.status == DeviationStatus.CLOSED and deviation.closed_at
    assert not deviations.blocking_release(received_lot).exists()


def test_an_approved_deviation_cannot_be_rescoped(sterilizer_deviation, qa_a):
    deviations.update_deviation(
        sterilizer_deviation, impact_assessment="x", risk_level="low", by=qa_a
    )
    deviations.approve(sterilizer_deviation, by=qa_a, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        deviations.update_deviation(sterilizer_deviation, lots=[], by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_a_deviation_scope_stays_at_its_site(site_b, qa_b, received_lot):
    with pytest.raises(DomainError) as refused:
        deviations.open_deviation(
            site=site_b, kind=DeviationKind.PLANNED, title="x", description="y",
            lots=[received_lot], by=qa_b,
        )  # fmt: skip
    assert "lots" in refused.value.details["fields"]


def test_a_window_may_not_end_before_it_starts(site_a, qa_a):
    now = timezone.now()
    with pytest.raises(DomainError) as refused:
        deviations.open_deviation(
            site=site_a, kind=DeviationKind.PLANNED, title="x", description="y",
            window_start=now, window_end=now - timedelta(hours=1), by=qa_a,
        )  # fmt: skip
    assert "window_end" in refused.value.details["fields"]


def test_an_ncr_escalates_to_a_capa_once(make_ncr, qa_a):
    ncr = make_ncr()
    capa = capas.escalate_nonconformance(ncr, by=qa_a)
    assert (capa.source, capa.nonconformance, capa.site) == (
        CapaSource.NONCONFORMANCE, ncr, ncr.site,
    )  # fmt: skip
    assert ncr.number in capa.problem_statement and capa.number.startswith("CAPA-")
    with pytest.raises(DomainError) as refused:
        capas.escalate_nonconformance(ncr, by=qa_a)
    assert refused.value.code == ErrorCode.DUPLICATE
    assert Capa.objects.count() == 1


def walk_to_effectiveness_check(capa, qa_a, owner):
    capas.update_investigation(
        capa,
        containment="Supplier's lots on hold at receiving.",
        five_whys=["Specks in pellets", "Regrind mixed in", "No regrind control", ""],
        fishbone={"material": ["regrind"], "method": ["no incoming AQL for specks"]},
        root_cause="The supplier mixed regrind into virgin resin without segregation.",
        effectiveness_criteria="No speck rejections in the next 10 lots.",
        by=qa_a,
    )
    action = capas.add_action(
        capa, kind="corrective", description="Supplier segregates regrind (8D D5).",
        owner=owner, due_on=date.today() + timedelta(days=30), by=qa_a,
    )  # fmt: skip
    capa = capas.start_implementation(capa, by=qa_a)
    capas.complete_action(action, evidence="Supplier audit report SA-2026-14, photo 3.", by=owner)
    return capas.verify_implementation(capa, by=qa_a, password=PASSWORD)


def test_the_capa_loop_closes_only_when_effective(make_ncr, qa_a, operator_a):
    capa = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    capa = walk_to_effectiveness_check(capa, qa_a, operator_a)
    assert capa.status == CapaStatus.EFFECTIVENESS_CHECK
    assert capa.five_whys == ["Specks in pellets", "Regrind mixed in", "No regrind control"]
    capas.record_effectiveness(
        capa, result=Effectiveness.NOT_EFFECTIVE, note="2 of 10 lots rejected again.", by=qa_a
    )
    with pytest.raises(DomainError) as refused:
        capas.close(capa, by=qa_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    capa = capas.reopen(capa, by=qa_a, reason="Specks recurred.")
    assert capa.status == CapaStatus.IMPLEMENTING and capa.effectiveness == ""


def test_a_skipped_check_needs_its_rationale_and_a_signature(make_ncr, qa_a, operator_a):
    capa = walk_to_effectiveness_check(capas.escalate_nonconformance(make_ncr(), by=qa_a),
                                       qa_a, operator_a)  # fmt: skip
    with pytest.raises(DomainError) as refused:
        capas.record_effectiveness(capa, result=Effectiveness.SKIPPED, note=" ", by=qa_a)
    assert "effectiveness_note" in refused.value.details["fields"]
    capas.record_effectiveness(
        capa, result=Effectiveness.SKIPPED,
        note="Supplier disqualified; no further lots to judge.", by=qa_a,
    )  # fmt: skip
    capa = capas.close(capa, by=qa_a, password=PASSWORD)
    assert capa.status == CapaStatus.CLOSED
    assert set(Signature.objects.values_list("meaning", flat=True)) == {"verified", "approved"}


def test_implementation_needs_a_root_cause_and_an_action(make_ncr, qa_a):
    capa = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    with pytest.raises(DomainError) as refused:
        capas.start_implementation(capa, by=qa_a)
    assert "root_cause" in refused.value.details["fields"]


def test_verification_needs_every_action_done(make_ncr, qa_a, operator_a):
    capa = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    capas.update_investigation(capa, root_cause="x", effectiveness_criteria="y", by=qa_a)
    capas.add_action(
        capa, kind="preventive", description="Train receiving staff.", owner=operator_a,
        due_on=date.today(), by=qa_a,
    )  # fmt: skip
    capa = capas.start_implementation(capa, by=qa_a)
    with pytest.raises(DomainError) as refused:
        capas.verify_implementation(capa, by=qa_a, password=PASSWORD)
    assert "1 actions" in refused.value.message
    assert not Signature.objects.exists()


def test_only_the_owner_or_qa_completes_an_action(make_ncr, qa_a, operator_a, make_user, site_a):
    from medtrace.accounts.roles import Role

    other = make_user("other-operator", (site_a, Role.OPERATOR))
    capa = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    capas.update_investigation(capa, root_cause="x", by=qa_a)
    action = capas.add_action(
        capa, kind="corrective", description="Fix.", owner=operator_a, due_on=date.today(),
        by=qa_a,
    )  # fmt: skip
    capas.start_implementation(capa, by=qa_a)
    with pytest.raises(DomainError) as refused:
        capas.complete_action(action, evidence="done", by=other)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert capas.complete_action(action, evidence="done", by=operator_a).done_at


def test_unknown_fishbone_categories_are_refused(make_ncr, qa_a):
    capa = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    with pytest.raises(DomainError) as refused:
        capas.update_investigation(capa, fishbone={"money": ["cheap"]}, by=qa_a)
    assert "fishbone" in refused.value.details["fields"]


def test_aging(make_ncr, qa_a):
    capa = capas.escalate_nonconformance(make_ncr(), by=qa_a)
    capas.update_investigation(capa, due_on=date.today() - timedelta(days=1), by=qa_a)
    capa.refresh_from_db()
    assert capas.is_overdue(capa, date.today())
