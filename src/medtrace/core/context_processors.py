from medtrace.core.navigation import menu_for
from medtrace.org import access


def shell(request):
    """What the base layout needs on every page: menu, sites for the switcher, current site."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_menu": menu_for(user),
        "switchable_sites": list(access.visible_sites(user).order_by("code")),
        "current_site": request.site,
    }
