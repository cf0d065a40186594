from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from medtrace.jobs.registry import PeriodicSpec, job, periodic, registry


def test_housekeeping_jobs_are_declared_and_periodic():
    assert registry.get("sessions.clear_expired") is not None
    assert registry.get("jobs.prune") is not None
    assert {spec.name for spec in registry.periodic_jobs()} >= {
        "sessions.clear_expired",
        "jobs.prune",
    }


def test_isolated_forgets_what_was_declared_inside(test_jobs):
    with registry.isolated():

        @job("test.temporary")
        def temporary(ctx):
            return None

        assert registry.get("test.temporary") is not None
    assert registry.get("test.temporary") is None
    assert registry.get("test.echo") is not None


def test_unregister_removes_job_and_schedule():
    with registry.isolated():

        @job("test.gone")
        def gone(ctx):
            return None

        periodic("test.gone", every=timedelta(minutes=5))
        registry.unregister("test.gone")
        assert registry.get("test.gone") is None
        assert "test.gone" not in {spec.name for spec in registry.periodic_jobs()}


def test_a_name_cannot_be_declared_twice_by_different_functions():
    with registry.isolated():

        @job("test.twice")
        def first(ctx):
            return None

        with pytest.raises(ImproperlyConfigured, match="declared twice"):

            @job("test.twice")
            def second(ctx):
                return None


@pytest.mark.parametrize("name", ["Upper.case", "spaces here", "", "trailing."])
def test_malformed_names_are_refused(name):
    with registry.isolated(), pytest.raises(ImproperlyConfigured):
        job(name)(lambda ctx: None)


def test_periodic_needs_a_declared_job():
    with registry.isolated(), pytest.raises(ImproperlyConfigured, match="declare the job"):
        periodic("test.undeclared", every=timedelta(hours=1))


def test_slots_are_aligned_and_shifted_by_the_offset():
    spec = PeriodicSpec(name="x", every=timedelta(days=1), offset=timedelta(hours=1))
    late = datetime(2030, 5, 6, 23, 59, tzinfo=UTC)
    early = datetime(2030, 5, 7, 0, 30, tzinfo=UTC)
    assert spec.slot_start(late) == datetime(2030, 5, 6, 1, 0, tzinfo=UTC)
    assert spec.slot_start(early) == spec.slot_start(late)
    assert spec.key(late) == "x@2030-05-06T01:00:00+00:00"
