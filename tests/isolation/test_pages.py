"""Every page and download, as a person of another site and of another organization: a record
of the demo plant answers 404, and no list, export, search, dashboard or trace names one."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from .page_table import KNOWN_LEAKS, MENTIONS, PAGES
from .probe import demo_record, judge_listing, judge_record, split_variant, url_parameters
from .routes import Listing, Record, page_routes

ROUTES = {route.name: route for route in page_routes()}


def names_of(kind) -> list:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[name]))
        if name in KNOWN_LEAKS
        else name
        for name, entry in sorted(PAGES.items())
        if isinstance(entry, kind)
    ]


def asker(client, url: str):
    """Ask as a person: GET, or for a route that only takes a POST, an empty POST."""

    def ask(user):
        client.force_login(user)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        return response

    return ask


@pytest.mark.parametrize("name", names_of(Record))
def test_a_record_of_another_site_or_organization_is_not_found(name, client, people, markers):
    route, entry = ROUTES[name], PAGES[name]
    found = demo_record(entry)
    url = reverse(name, kwargs=url_parameters(route, entry, found))
    markers = markers.without(MENTIONS.get(name, set()))
    judge_record(asker(client, url), people, markers, entry, found, url)


@pytest.mark.parametrize("name", names_of(Listing))
def test_a_listing_names_nothing_of_another_site_or_organization(name, client, people, markers):
    route, entry = ROUTES[name], PAGES[name]
    shown = set()
    for variant in entry.variants:
        in_path, query = split_variant(route, variant)
        # A search answers with what was asked ("nothing found for …"): not a leak.
        markers = markers.without(MENTIONS.get(name, set()) | set(query.values()))
        url = reverse(name, kwargs=in_path or None) + (f"?{urlencode(query)}" if query else "")
        shared = variant in entry.shared_counts
        shown |= judge_listing(asker(client, url), people, markers, shared, url)
    if entry.shows_records:
        assert shown, f"{name}: the insider's answers name no demo record, so prove nothing"
