"""How hard the fuzz tests try, and how many inputs they ran.

CI: a few derandomized examples per test (a reproducible run of well under a minute). The long
run sets MEDTRACE_FUZZ_EXAMPLES (examples per parser or importer test; a quarter of it for the
tests that write to the database) and MEDTRACE_FUZZ_API_EXAMPLES (examples per API operation,
each one a request): the same tests, random, as many as asked."""

import os
from collections import Counter

from hypothesis import HealthCheck, settings

LONG_RUN = any(
    name in os.environ for name in ("MEDTRACE_FUZZ_EXAMPLES", "MEDTRACE_FUZZ_API_EXAMPLES")
)
EXAMPLES = int(os.environ.get("MEDTRACE_FUZZ_EXAMPLES", "60"))
API_EXAMPLES = int(os.environ.get("MEDTRACE_FUZZ_API_EXAMPLES", "2"))

settings.register_profile(
    "medtrace-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
# Applied per test as a decorator, never loaded: the rest of the suite keeps its own defaults.
fuzzing = settings.get_profile("medtrace-fuzz")
# Tests that write to the database take a quarter of the count: each example is a transaction.
database_fuzzing = settings(fuzzing, max_examples=max(1, EXAMPLES // 4))
api_fuzzing = settings(fuzzing, max_examples=API_EXAMPLES)

# Inputs executed per target, written out by conftest.py for bench/fuzz_long.py.
inputs: Counter[str] = Counter()
