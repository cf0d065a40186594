"""The matrix covers every route: a page, download or REST operation added without an entry
(or an exemption with its reason) fails here, by name."""

from .api_table import API
from .page_table import PAGES
from .routes import Exempt, Listing, Record, page_routes
from .test_api import OPERATIONS, entry_of


def test_every_page_route_is_in_the_matrix():
    names = {route.name for route in page_routes() if not route.path.startswith("admin/")}
    assert sorted(names - set(PAGES)) == [], "add these routes to tests/isolation/page_table.py"
    assert sorted(set(PAGES) - names) == [], "these matrix entries name no route any more"


def test_every_operation_with_a_parameter_is_in_the_matrix():
    """Operations without one are asked as listings by test_api without an entry."""
    unmatched = sorted(
        name for name, route in OPERATIONS.items() if route.params and entry_of(route) is None
    )
    assert unmatched == [], "add these operations to tests/isolation/api_table.py"
    assert all(isinstance(entry, Record | Listing | Exempt) for entry in API.values())
