"""What a scan at a shipping station names: the traced lot, unit or case, and the quantity the
label carries (GS1 AI 30 / 37) when the picker gives none."""

from medtrace.scan import ScanError, parse
from medtrace.trace.models import TraceObject
from medtrace.trace.selectors import find_one


def resolve(user, code: str) -> TraceObject:
    return find_one(user, code)


def label_quantity(code: str):
    try:
        scanned = parse(code)
    except ScanError:
        return None
    return getattr(scanned, "count", None) or None
