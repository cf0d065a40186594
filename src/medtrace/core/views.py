from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from medtrace.accounts.selectors import locked_users, visible_users
from medtrace.analytics import home as home_tiles
from medtrace.catalog.selectors import item_for_code, search_items, visible_items
from medtrace.org import access
from medtrace.org.models import Location, Membership
from medtrace.trace import selectors as trace_selectors

SEARCH_LIMIT = 20


@login_required
def home(request):
    sites = access.visible_sites(request.user).order_by("code")
    if request.site:
        sites = sites.filter(pk=request.site.pk)
    memberships = (
        Membership.objects.filter(user=request.user, revoked_at__isnull=True)
        .select_related("site")
        .order_by("site__code", "role")
    )
    locations = access.scoped(Location.objects.filter(is_active=True), request.user)
    if request.site:
        locations = locations.filter(site=request.site)
    context = {
        "sites": sites,
        "memberships": memberships,
        "location_count": locations.count(),
        # What needs attention at the site worked at (all the user's sites when none is chosen).
        "tiles": home_tiles.tiles_for(request.user, request.site),
        # Security notices: accounts locked after failed sign-ins or signatures (§11.300(d)).
        "locked_users": list(locked_users(request.user).order_by("username")),
    }
    return render(request, "core/home.html", context)


@login_required
def tile_count(request, key: str):
    """A deferred home tile's count, as plain text: the home page loads it after itself."""
    count = home_tiles.count_of(request.user, request.site, key)
    if count is None:
        raise Http404
    return HttpResponse(str(count), content_type="text/plain; charset=utf-8")


@login_required
def search(request):
    """The header's scan/search box: finds what exists by code or name within the user's sites.
    A code that names one traced lot, unit or container (a whole label scan with its lot or
    serial, a Digital Link, an SSCC) opens its trace page; one that names an item exactly (its
    code, a DI value or GTIN) opens that item's page."""
    query = request.GET.get("q", "").strip()
    results = {"items": [], "sites": [], "locations": [], "users": []}
    if query and request.user.has_perm("trace.view_traceobject"):
        traced = trace_selectors.find(request.user, query)
        if len(traced) == 1:
            return redirect("trace:object", traced[0].pk)
    if query and request.user.has_perm("catalog.view_item"):
        item = item_for_code(request.user.organization, query)
        if item is not None:
            return redirect("catalog:item-detail", item.code)
        results["items"] = list(search_items(visible_items(request.user), query)[:SEARCH_LIMIT])
    if query:
        by_code_or_name = Q(code__icontains=query) | Q(name__icontains=query)
        by_code_or_name |= Q(name_en__icontains=query)
        results["sites"] = list(
            access.visible_sites(request.user).filter(by_code_or_name)[:SEARCH_LIMIT]
        )
        locations = access.scoped(Location.objects.select_related("site"), request.user)
        results["locations"] = list(
            locations.filter(by_code_or_name | Q(path__icontains=query))[:SEARCH_LIMIT]
        )
        users = visible_users(request.user).filter(
            Q(username__icontains=query) | Q(full_name__icontains=query)
        )
        results["users"] = list(users[:SEARCH_LIMIT])
    found = sum(len(rows) for rows in results.values())
    return render(
        request,
        "core/search.html",
        {"search_query": query, "results": results, "found": found},
    )
