"""Every route the project answers: the Django URL patterns (pages, downloads, the admin) and
the REST API's operations (from its OpenAPI document), and the kinds of entry the matrix keeps
for each: a route about one record, a route that lists or computes, or an exemption."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from medtrace.api import api

API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" for a page, "METHOD /path" for an API operation
    path: str  # the pattern as written, e.g. "quality/ncrs/<int:pk>/"
    params: tuple[str, ...]


def page_routes() -> list[Route]:
    """Every named Django URL pattern outside the REST API (which `api_operations` walks)."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, params: tuple[str, ...]):
        for entry in resolver.url_patterns:
            here = prefix + str(entry.pattern)
            names = params + tuple(getattr(entry.pattern, "converters", {}))
            if isinstance(entry, URLResolver):
                if here.startswith(API_PREFIX) or here.startswith("^" + API_PREFIX):
                    continue
                inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
                walk(entry, here, inner, names)
            elif isinstance(entry, URLPattern):
                if here.startswith("^" + API_PREFIX):
                    continue  # the catch-all that answers unknown API paths
                name = ":".join(filter(None, [namespace, entry.name or ""]))
                found.append(Route(name=name, path=here, params=names))

    walk(get_resolver(), "", "", ())
    return found


@cache
def openapi() -> dict:
    """The OpenAPI document, built once: building it walks every operation."""
    return api.get_openapi_schema()


def api_operations() -> list[Route]:
    """Every REST operation, named "METHOD /path" as the OpenAPI document spells it."""
    schema = openapi()
    found = []
    for path, operations in schema["paths"].items():
        short = path.removeprefix("/" + API_PREFIX)
        for method in operations:
            found.append(
                Route(
                    name=f"{method.upper()} /{short}",
                    path=short,
                    params=tuple(re.findall(r"{(\w+)}", short)),
                )
            )
    return found


def operation_schema(route: Route) -> dict:
    method, _space, _path = route.name.partition(" ")
    return openapi()["paths"]["/" + API_PREFIX + route.path][method.lower()]


Param = Any | Callable[[Any], Any]


@dataclass(frozen=True)
class Record:
    """A route about one record of `model` (an "app.Model" label): the URL's parameters are
    read from a demo record picked by `where`; `owner` names the record whose site or
    organization decides who may see it (default: the record itself)."""

    model: str
    params: dict[str, Param] = field(default_factory=dict)
    where: dict[str, Any] = field(default_factory=dict)
    owner: Callable[[Any], Any] | None = None
    # Why even the insider gets 404 here (a personal record, a file the demo never uploads):
    # then only the outsiders are asked.
    unreached: str = ""


def record(model: str, *, where=None, owner=None, unreached="", **params) -> Record:
    """Record(...) with `pk` defaulting to the record's primary key: params are constants or
    functions of the record."""
    params = {"pk": attrgetter("pk"), **params}
    return Record(model, params, where or {}, owner, unreached)


def coded(model: str, *, key: str = "code", where=None, unreached="", **params) -> Record:
    """A record addressed by its code in the URL (an item, a supplier, a site)."""
    return Record(model, {key: attrgetter(key), **params}, where or {}, None, unreached)


@dataclass(frozen=True)
class Listing:
    """A route that lists, searches, exports or computes over many records: an outsider's
    answer names none of the demo organization's records. `variants` are the URL parameters
    to try (each a separate request); `shows_records` says the insider's answer names some,
    so an empty page cannot pass for a scoped one."""

    variants: tuple[dict[str, Any], ...] = ({},)
    shows_records: bool = True
    # Variants whose bare count covers organization-wide records, which the neighbour shares.
    shared_counts: tuple[dict[str, Any], ...] = ()


def listing(*variants: dict, shows_records: bool = True, shared_counts=()) -> Listing:
    """Variants hold the URL's parameters and, under other names, its query string."""
    return Listing(variants or ({},), shows_records, tuple(shared_counts))


def form() -> Listing:
    """A page that shows a form (or answers a POST) and lists nobody's records on its own."""
    return Listing(shows_records=False)


@dataclass(frozen=True)
class Exempt:
    """A route with no record and no data of anyone's: a reason, for the reader."""

    reason: str
