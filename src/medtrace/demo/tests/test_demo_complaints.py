import pytest
from django.utils import timezone

from medtrace.demo.complaint_history import HISTORY
from medtrace.partners.choices import CustomerKind
from medtrace.quality import complaint_selectors as selectors
from medtrace.quality.models import Complaint
from medtrace.trace.engine import trace_forward

pytestmark = pytest.mark.django_db
HISTORY_DESCRIPTIONS = [description for _d, _i, _p, _c, description, _v, _s in HISTORY]


def test_the_demo_has_complaints_on_shipped_devices_one_reportable_one_closed(demo_plant):
    plant = demo_plant
    regulatory = plant.users["regulatory"]
    today = timezone.localdate()
    recent = Complaint.objects.exclude(description__in=HISTORY_DESCRIPTIONS)
    by_status = {c.status: c for c in recent.select_related("site", "customer")}
    assert len(by_status) == recent.count()
    assert set(by_status) == {"decided", "closed", "received"}
    for complaint in by_status.values():
        device = complaint.unit or complaint.lot
        shipped_to = {party.customer for party in trace_forward(device).parties}
        assert complaint.customer in shipped_to
        assert complaint.customer.kind == CustomerKind.HOSPITAL

    event = by_status["decided"]
    assert event.reportable is True and event.unit is not None and event.patient_involved
    assert event.nonconformance is not None and event.nonconformance.source == "complaint"
    assert event.report_due_on is not None and event.report_due_on >= today  # upcoming
    rows = {row.region: row for row in selectors.deadlines(event).rows if row.form}
    assert rows["nmpa"].drafts and rows["nmpa"].rule_id == "NMPA-25-SERIOUS"
    assert not rows["eu"].drafts and rows["eu"].rule_id == "EU-87(3)"
    assert rows["eu"].due_date == event.report_due_on and not rows["eu"].overdue
    assert selectors.device_trace(regulatory, event).consignees

    closed = by_status["closed"]
    assert closed.reportable is False and closed.closure_letter and closed.closed_at
    assert closed.report_due_on is None
    received = by_status["received"]
    assert received.reportable is None and received.report_due_on > today


def test_the_year_of_complaints_names_lots_shipped_before_each_came_in(demo_plant):
    today = timezone.localdate()
    history = Complaint.objects.filter(description__in=HISTORY_DESCRIPTIONS).select_related("lot")
    assert history.count() == len(HISTORY)
    planned = {description: (days, item, problem, state)
               for days, item, problem, _c, description, _v, state in HISTORY}  # fmt: skip
    for complaint in history:
        days, item, problem, state = planned[complaint.description]
        assert (today - complaint.aware_on).days == days
        assert (complaint.item.code, complaint.problem_code, complaint.status) == (
            item,
            problem,
            state,
        )
        shipped = trace_forward(complaint.lot).shipments
        assert any(event.event_time.date() < complaint.aware_on for event in shipped)
        if state == "closed":
            assert complaint.reportable is False and complaint.closed_at
