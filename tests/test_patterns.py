"""Every anchored regular expression in medtrace ends at the end of the text (`\\Z`), not at
`$`, which also matches before a final newline: "ABC-1\\n" passed as a code, a URI or a
number where the rules meant "ABC-1" (the fuzzing found it in GS1 and MA values)."""

import importlib
import pkgutil
import re

import medtrace

SKIPPED = (".migrations.", ".tests.", ".__main__.", "medtrace.settings", "medtrace.wsgi")


def module_patterns():
    for info in pkgutil.walk_packages(medtrace.__path__, "medtrace."):
        if any(part in info.name + "." for part in SKIPPED):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{info.name}.{name}", value


def test_no_anchored_pattern_lets_a_trailing_newline_through():
    found = dict(module_patterns())
    assert len(found) > 20, "the walk found medtrace's patterns"
    loose = [
        name
        for name, pattern in found.items()
        if pattern.pattern.startswith("^")
        and pattern.pattern.endswith("$")
        and not pattern.pattern.endswith("\\$")
        and not pattern.flags & re.MULTILINE
    ]
    assert loose == [], f"end these with \\Z: {loose}"


def test_a_trailing_newline_is_refused_where_it_was_accepted():
    from medtrace.catalog.identifiers import MA_DI
    from medtrace.epcis.schema import is_date_time, is_uri
    from medtrace.exchange.cells import INTEGER

    assert not is_uri("urn:epc:id:sgtin:0614141.107346.2017\n")
    assert not is_date_time("2026-01-05T08:00:00Z\n")
    assert MA_DI.match("MA.156.M0.100001.ABC12") and not MA_DI.match("MA.156.M0.100001.ABC12\n")
    assert not INTEGER.match("12\n")
