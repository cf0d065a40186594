"""Hostile input shared by the fuzz targets: text no form would type, JSON of any shape, and
mutations of a valid document that keep most of it valid so the reader gets past its first
check."""

import copy

from hypothesis import strategies as st

NUL = "\x00"
# Lone surrogates cannot be encoded as UTF-8: JSON can carry them ("\ud800"), a database cannot.
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
AWKWARD_CHARACTERS = [
    NUL,
    "\x1d",  # GS, the FNC1 separator
    "\n",
    "\r",
    "\t",
    " ",
    "\u00a0",
    "\u200b",  # zero-width space
    "\u202e",  # right-to-left override
    "\ufeff",
    "\uffff",
    "\U0001f600",
    "e\u0301",  # a combining accent
    "%",
    "%00",
    "'",
    '"',
    "\\",
    "<",
    "&",
    "/",
    "..",
    "0",
    "-1",
    "1e309",
    "NaN",
    "null",
    "中文",
]


def huge_text(min_length: int = 1_000, max_length: int = 200_000) -> st.SearchStrategy[str]:
    """One character repeated: long enough to overflow a column without costing the generator."""
    return st.builds(
        lambda char, length: char * length,
        st.sampled_from(["x", "9", "中", NUL, "\U0001f600"]),
        st.integers(min_length, max_length),
    )


def any_character() -> st.SearchStrategy[str]:
    return st.one_of(st.characters(), SURROGATES)


hostile_text = st.one_of(
    st.text(any_character(), max_size=40),
    st.lists(st.sampled_from(AWKWARD_CHARACTERS), min_size=1, max_size=8).map("".join),
    st.builds(lambda a, b: a + NUL + b, st.text(max_size=10), st.text(max_size=10)),
    st.builds(lambda a, b: a + b, st.text(max_size=10), SURROGATES),
    huge_text(),
)


def without_surrogates(text: str) -> str:
    """The text as bytes off the wire can carry it: only JSON escapes make lone surrogates."""
    return "".join(char for char in text if not 0xD800 <= ord(char) <= 0xDFFF)


hostile_numbers = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 2**64, 10**100]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 5e-324, 0.1, -0.0]),
)

scalars = st.one_of(st.none(), st.booleans(), hostile_numbers, hostile_text)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=12), hostile_text), children, max_size=5),
    ),
    max_leaves=20,
)


def nested_text(depth: int, kind: str) -> str:
    """JSON nested `depth` deep, as text: deeper than json.dumps itself will write."""
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


deep_json_text = st.builds(
    nested_text, st.integers(100, 100_000), st.sampled_from(["list", "object"])
)


def _children(node):
    """(container, key) for every member and item below `node`, depth first."""
    if isinstance(node, dict):
        members = list(node.items())
    elif isinstance(node, list):
        members = list(enumerate(node))
    else:
        return
    for key, child in members:
        yield node, key
        yield from _children(child)


MUTATIONS = ["replace", "delete", "hostile", "wrap", "add", "retype", "duplicate"]


@st.composite
def mutated(draw, document):
    """`document` (JSON) with one to four members replaced, deleted, retyped, wrapped in a
    list, duplicated, or given a hostile value or a new sibling."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        places = list(_children(document))
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(MUTATIONS))
        if action == "delete":
            container.pop(key)
        elif action == "replace":
            container[key] = draw(json_values)
        elif action == "hostile":
            container[key] = draw(hostile_text)
        elif action == "wrap":
            container[key] = [container[key]]
        elif action == "retype":
            container[key] = _retyped(container[key])
        elif action == "duplicate" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
        elif isinstance(container, dict):
            container[draw(hostile_text)] = draw(json_values)
        else:
            container.insert(key, draw(json_values))
    return document


def _retyped(value):
    """The value as the JSON type a sloppy writer would use instead."""
    if isinstance(value, str):
        return int(value) if value.isdigit() and len(value) < 30 else [value]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return ""
