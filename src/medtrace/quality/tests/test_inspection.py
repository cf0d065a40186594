from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment import services as equipment_services
from medtrace.quality.choices import InspectionStatus, InspectionVerdict, NcrStatus
from medtrace.quality.models import InspectionRecord, Nonconformance, SamplingScheme
from medtrace.quality.services import inspection as inspections
from medtrace.quality.services import inspection_plans
from medtrace.trace.models import Lot, TraceEvent

pytestmark = pytest.mark.django_db


def start(plan, lot, by, equipment, lot_size=500):
    return inspections.start_inspection(
        site=lot.site, plan=plan, lot=lot, lot_size=lot_size, equipment=equipment, by=by
    )


def fill(record, *, specks_failing=0, weight=Decimal("25.0"), labels_failing=0, by):
    """Every sample of every characteristic; the first N samples fail where asked."""
    results = []
    for characteristic in record.plan.characteristics.all():
        size = inspections.sample_size_of(record, characteristic)
        for sample in range(1, size + 1):
            if characteristic.kind == "variable":
                results.append(
                    {"characteristic": characteristic, "sample": sample, "value": weight}
                )
                continue
            failing = specks_failing if characteristic.name == "Black specks" else labels_failing
            results.append(
                {"characteristic": characteristic, "sample": sample, "passed": sample > failing}
            )
    inspections.record_results(record, results, by=by)


def test_the_sample_comes_from_iso_2859_1(resin_plan, received_lot, inspector_a, balance):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    # Lot 500, level II: code letter H; major AQL 1.0 -> n 50 (Ac 1, Re 2); minor 4.0 -> Ac 5
    assert record.sampling["major"] | {} == {
        "aql": "1.0", "level": "II", "severity": "normal", "code_letter": "H",
        "plan_letter": "H", "sample_size": 50, "accept": 1, "reject": 2, "inspect_all": False,
    }  # fmt: skip
    assert (record.sampling["minor"]["accept"], record.sampling["minor"]["reject"]) == (5, 6)
    assert record.sample_size == 50 and record.severity == "normal"
    assert record.supplier.code == "SUP-PC" and record.number.startswith("INS-")


def test_an_accepted_lot_is_signed_and_moves_nothing_but_its_record(
    resin_plan, received_lot, inspector_a, balance
):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    fill(record, specks_failing=1, by=inspector_a)
    record = inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    assert record.status == InspectionStatus.COMPLETED
    assert record.verdict == InspectionVerdict.ACCEPTED
    assert record.verdict_detail["major"]["defectives"] == 1
    assert not Nonconformance.objects.exists() and not TraceEvent.objects.exists()
    scheme = SamplingScheme.objects.get()
    assert scheme.state["status"] == "normal"


def test_a_rejected_lot_opens_a_linked_ncr_and_holds_the_lot(
    resin_plan, received_lot, inspector_a, balance
):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    fill(record, specks_failing=2, by=inspector_a)
    record = inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    assert record.verdict == InspectionVerdict.REJECTED
    ncr = Nonconformance.objects.get()
    assert (ncr.lot, ncr.supplier.code, ncr.inspection) == (received_lot, "SUP-PC", record)
    assert ncr.status == NcrStatus.OPEN and ncr.severity == "major"
    assert "2 nonconforming in 50 sampled" in ncr.description
    assert Lot.objects.get(pk=received_lot.pk).disposition == "non_conformant"
    assert AuditEntry.objects.filter(object_type="quality.nonconformance").count() == 1


def test_measured_values_outside_the_limits_count_against_their_class(
    resin_plan, received_lot, inspector_a, balance
):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    fill(record, weight=Decimal("25.4"), by=inspector_a)
    record = inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    assert record.verdict_detail["major"]["defectives"] == 50
    assert record.verdict == InspectionVerdict.REJECTED


def test_a_unit_failing_twice_in_a_class_is_one_defective(
    resin_plan, received_lot, inspector_a, balance
):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    fill(record, specks_failing=1, by=inspector_a)
    weight = record.plan.characteristics.get(name="Bag weight")
    inspections.record_results(
        record, [{"characteristic": weight, "sample": 1, "value": "30"}], by=inspector_a
    )
    verdict, detail = inspections.judge(record)
    assert detail["major"]["defectives"] == 1 and verdict == InspectionVerdict.ACCEPTED


def test_completion_needs_every_result(resin_plan, received_lot, inspector_a, balance):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    with pytest.raises(DomainError) as refused:
        inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    assert refused.value.code == ErrorCode.INVALID_STATE
    assert "150" in refused.value.message  # 50 + 50 + 50 results missing
    assert InspectionRecord.objects.get(pk=record.pk).status == InspectionStatus.IN_PROGRESS


def test_results_are_checked_against_the_plan(resin_plan, received_lot, inspector_a, balance):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    specks = record.plan.characteristics.get(name="Black specks")
    weight = record.plan.characteristics.get(name="Bag weight")
    for bad in (
        {"characteristic": specks, "sample": 51, "passed": True},
        {"characteristic": specks, "sample": 1, "value": "1"},
        {"characteristic": weight, "sample": 1, "passed": True},
    ):
        with pytest.raises(DomainError) as refused:
            inspections.record_results(record, [bad], by=inspector_a)
        assert "results" in refused.value.details["fields"]
    assert not record.results.exists()


def test_equipment_out_of_calibration_is_refused(
    resin_plan, received_lot, inspector_a, balance, qa_a
):
    equipment_services.update_equipment(
        equipment=balance,
        last_calibrated_on=timezone.localdate() - timedelta(days=400),
        by=qa_a,
    )
    balance.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        start(resin_plan, received_lot, inspector_a, [balance])
    assert "out of calibration" in refused.value.message
    assert not InspectionRecord.objects.exists()


def test_a_characteristic_needing_a_balance_needs_one_named(resin_plan, received_lot, inspector_a):
    with pytest.raises(DomainError) as refused:
        start(resin_plan, received_lot, inspector_a, [])
    assert "Bag weight" in refused.value.message
    assert refused.value.details["fields"].keys() == {"equipment"}


def test_two_rejections_in_five_lots_tighten_the_next_inspection(
    resin_plan, received_lot, inspector_a, balance
):
    for _round in range(2):
        record = start(resin_plan, received_lot, inspector_a, [balance])
        fill(record, specks_failing=2, by=inspector_a)
        inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    scheme = SamplingScheme.objects.get()
    assert scheme.state["status"] == "tightened"
    tightened = start(resin_plan, received_lot, inspector_a, [balance])
    assert tightened.severity == "tightened"
    # Table II-B, code H at AQL 1.0 points down to J: n 80, Ac 1, Re 2.
    major = tightened.sampling["major"]
    assert (major["plan_letter"], major["sample_size"], major["accept"]) == ("J", 80, 1)


def test_a_plan_refuses_a_class_without_an_aql(organization, resin, qa_a):
    with pytest.raises(DomainError) as refused:
        inspection_plans.create_plan(
            organization=organization, code="IP-X", name="x", stage="incoming", item=resin,
            aql_major="1.0",
            characteristics=[{"name": "Crack", "kind": "attribute", "defect_class": "critical"}],
            by=qa_a,
        )  # fmt: skip
    assert "characteristics" in refused.value.details["fields"]


def test_a_plan_refuses_an_aql_outside_the_series(organization, resin, qa_a):
    with pytest.raises(DomainError) as refused:
        inspection_plans.create_plan(
            organization=organization, code="IP-X", name="x", stage="incoming", item=resin,
            aql_major="1.2",
            characteristics=[{"name": "Crack", "kind": "attribute", "defect_class": "major"}],
            by=qa_a,
        )  # fmt: skip
    assert refused.value.details["fields"].keys() == {"aql_major"}


def test_measured_limits_must_be_in_order(organization, resin, qa_a):
    with pytest.raises(DomainError):
        inspection_plans.create_plan(
            organization=organization, code="IP-X", name="x", stage="incoming", item=resin,
            aql_major="1.0",
            characteristics=[{
                "name": "Length", "kind": "variable", "defect_class": "major", "unit": "mm",
                "lower_limit": Decimal(10), "upper_limit": Decimal(9),
            }],
            by=qa_a,
        )  # fmt: skip


def test_an_operator_may_not_record_results(
    resin_plan, received_lot, inspector_a, balance, operator_a
):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    specks = record.plan.characteristics.get(name="Black specks")
    with pytest.raises(DomainError) as refused:
        inspections.record_results(
            record, [{"characteristic": specks, "sample": 1, "passed": True}], by=operator_a
        )
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_a_completed_inspection_cannot_change(resin_plan, received_lot, inspector_a, balance):
    record = start(resin_plan, received_lot, inspector_a, [balance])
    fill(record, by=inspector_a)
    inspections.complete_inspection(record, by=inspector_a, password=PASSWORD)
    specks = record.plan.characteristics.get(name="Black specks")
    with pytest.raises(DomainError) as refused:
        inspections.record_results(
            record, [{"characteristic": specks, "sample": 1, "passed": False}], by=inspector_a
        )
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_a_lot_too_small_to_sample_is_refused_by_rule(
    resin_plan, received_lot, inspector_a, balance
):
    with pytest.raises(DomainError) as refused:
        start(resin_plan, received_lot, inspector_a, [balance], lot_size=1)
    assert "ISO 2859-1" in refused.value.message
    assert refused.value.details["fields"].keys() == {"lot_size"}
    assert not InspectionRecord.objects.exists()
