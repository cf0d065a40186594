"""Timing of page requests for the benchmarks: median and p95 server time over a number of
rounds after one warm-up call (templates compiled, URL map loaded, caches warm)."""

import statistics
import time


def measure(label: str, call, *, rounds: int, goal_ms: float, strict: bool = False) -> bool:
    """Time `call` (a request answering 200) and print one line; True when the median meets
    the goal (below it when `strict`, else at most it)."""
    call()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (label, response.status_code)
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    ok = median < goal_ms if strict else median <= goal_ms
    print(f"  {label:<40} median {median:7.1f} ms   p95 {p95:7.1f} ms   {'ok' if ok else 'SLOW'}")
    return ok
