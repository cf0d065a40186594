"""Test-only jobs, declared inside registry.isolated() so they vanish after each test."""

from datetime import UTC, datetime, timedelta

import pytest

from medtrace.jobs.registry import PermanentFailure, job, periodic, registry

T0 = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)


@pytest.fixture
def test_jobs():
    """Declares test.echo, test.count, test.flaky, test.broken and test.hourly (periodic);
    yields the list of arguments each test.echo run received."""
    seen = []
    with registry.isolated():

        @job("test.echo", max_attempts=3, timeout=timedelta(minutes=5))
        def echo(ctx):
            seen.append(ctx.arguments)
            ctx.log(f"echo {ctx.arguments}")
            return {"echo": ctx.arguments}

        @job("test.count", label="Count to five")
        def count(ctx):
            total = int(ctx.arguments.get("to", 5))
            for done in range(1, total + 1):
                ctx.progress(done, total, f"item {done}")
            return {"counted": total}

        @job("test.flaky", max_attempts=3)
        def flaky(ctx):
            raise RuntimeError("the far end is down")

        @job("test.broken")
        def broken(ctx):
            raise PermanentFailure("no such record")

        @job("test.hourly")
        def hourly(ctx):
            return None

        periodic("test.hourly", every=timedelta(hours=1))
        yield seen
