"""Asking a route as each person and judging the answers, shared by the pages and the API."""

import io
import json
import zipfile
from dataclasses import dataclass

import pypdfium2
from django.apps import apps

from medtrace.accounts.models import User
from medtrace.org.access import site_id_of
from medtrace.org.models import Site

from .routes import Record, Route

NOT_FOUND = 404


@dataclass(frozen=True)
class People:
    insider: User
    neighbour: User
    foreigner: User
    neighbour_site: Site
    foreign_site: Site


@dataclass(frozen=True)
class Markers:
    of_sites: frozenset[str]  # what the neighbour must not see
    of_organization: frozenset[str]  # what the foreigner must not see either

    def without(self, mentioned: set[str]) -> "Markers":
        return Markers(self.of_sites - mentioned, self.of_organization - mentioned)

    def seen_by_neighbour(self, text: str) -> list[str]:
        return sorted(marker for marker in self.of_sites if marker in text)

    def seen_by_foreigner(self, text: str) -> list[str]:
        return sorted(marker for marker in self.of_sites | self.of_organization if marker in text)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_of(response) -> str:
    """What a reader of the answer sees, as text: pages, JSON, CSV, spreadsheets, PDFs."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF"):
        document = pypdfium2.PdfDocument(content)
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    if content.startswith(b"PK") or kind.startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    text = content.decode("utf-8", "replace")
    if "json" in kind and text:
        # JSON escapes non-ASCII; the markers are compared as the reader sees them.
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def demo_record(entry: Record):
    """The demo record a route entry is about (the demo plant's rows come first by pk)."""
    model = apps.get_model(entry.model)
    found = model._default_manager.filter(**entry.where).order_by("pk").first()
    assert found is not None, f"the demo plant has no {entry.model} with {entry.where}"
    return found


def url_parameters(route: Route, entry: Record, found) -> dict:
    values = {}
    for name in route.params:
        assert name in entry.params, f"{route.name}: the entry does not say what {name} is"
        value = entry.params[name]
        values[name] = value(found) if callable(value) else value
    return values


def is_site_owned(entry: Record, found) -> bool:
    owner = entry.owner(found) if entry.owner else found
    return site_id_of(owner) is not None


def split_variant(route: Route, variant: dict) -> tuple[dict, dict]:
    """A listing variant's URL parameters, and the rest as the query string."""
    in_path = {key: value for key, value in variant.items() if key in route.params}
    query = {key: value for key, value in variant.items() if key not in route.params}
    return in_path, query


def judge_record(
    ask, people: People, markers: Markers, entry: Record, found, what: str, ask_missing=None
) -> None:
    """`ask(user)` answers the route for one person: outsiders get 404 (the neighbour may read
    organization-wide master data, but nothing of the demo sites in it), or, where the route
    refuses a request before it looks for the record, exactly what a record that does not
    exist gets (`ask_missing(user)`). The insider's answer differs: the route really reached
    the record. The insider asks last: their write may change it."""

    def refused_as_missing(user, response) -> bool:
        if response.status_code == NOT_FOUND:
            return True
        if ask_missing is None:
            return False
        missing = ask_missing(user)
        return (missing.status_code, missing.content) == (response.status_code, response.content)

    foreign = ask(people.foreigner)
    assert refused_as_missing(people.foreigner, foreign), (
        f"{what}: another organization got {foreign}"
    )
    neighbour = ask(people.neighbour)
    if is_site_owned(entry, found):
        assert refused_as_missing(people.neighbour, neighbour), (
            f"{what}: another site got {neighbour}"
        )
    else:
        seen = markers.seen_by_neighbour(text_of(neighbour))
        assert seen == [], f"{what}: another site read {seen[:8]}"
    if not entry.unreached:
        insider = ask(people.insider)
        # A write whose body names a row the demo lacks answers 404 too, naming that row.
        reached = insider.status_code != NOT_FOUND or insider.content != foreign.content
        assert reached, f"{what}: the record's own site got the outsiders' 404"


def judge_listing(ask, people: People, markers: Markers, shared_count: bool, what: str):
    """Outsiders' answers name no demo record and a bare count of theirs is 0 (the neighbour's
    may count `shared_count` organization-wide records); returns what the insider's names."""
    for user, seen in (
        (people.foreigner, markers.seen_by_foreigner),
        (people.neighbour, markers.seen_by_neighbour),
    ):
        response = ask(user)
        assert response.status_code < 500, f"{what} as {user}: {response}"
        text = text_of(response) + response.get("Location", "")
        found = seen(text)
        assert found == [], f"{what}: {user} read {found[:8]}"
        is_count = response.get("Content-Type", "").startswith("text/plain") and text.isdigit()
        if is_count and not (shared_count and user == people.neighbour):
            assert text == "0", f"{what} as {user}: counted {text} records of others"
    return set(markers.seen_by_foreigner(text_of(ask(people.insider))))
