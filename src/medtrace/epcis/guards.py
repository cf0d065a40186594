"""What is refused in an EPCIS document before the schema or the reader touch it: nesting too
deep to walk safely, and text a database cannot store."""

from collections import deque

from django.utils.translation import gettext_lazy as _

from medtrace.core.validation import unstorable_text
from medtrace.epcis import schema

# Events nest about ten levels, extensions a few more. Deeper documents are refused before
# anything that recurses (the schema validator, deepcopy) reads them.
MAX_DEPTH = 64


def too_deep() -> str:
    return str(_("Nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})


def unreadable(document: dict) -> list[dict]:
    """Problems no schema names: nesting too deep to read safely, and text a database cannot
    store (NUL, which PostgreSQL refuses; lone surrogates, which are not UTF-8). Walked
    without recursion, since the depth is what is in question."""
    problems, pending = [], deque([((), document)])
    while pending and len(problems) < schema.MAX_ERRORS:
        path, value = pending.popleft()
        if len(path) > MAX_DEPTH:
            problems.append({"path": schema.pointer(path), "message": too_deep()})
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and (message := unstorable_text(key)):
                    problems.append({"path": schema.pointer((*path, key)), "message": message})
                pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str) and (message := unstorable_text(value)):
            problems.append({"path": schema.pointer(path), "message": message})
    return problems
