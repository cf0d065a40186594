"""The site the user is working at (the header's site switcher), and its time zone.

`request.site` is a Site the user may see, or None for "all my sites". Lists narrow to it;
detail pages of the user's other sites stay reachable. Times render in the site's zone.
"""

import zoneinfo

from django.utils import timezone

from medtrace.org import access

SESSION_KEY = "medtrace_site_id"


def current_site(request):
    site_id = request.session.get(SESSION_KEY)
    if not site_id or not request.user.is_authenticated:
        return None
    return access.visible_sites(request.user).filter(pk=site_id).first()


class CurrentSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site = current_site(request)
        if request.site is not None:
            timezone.activate(zoneinfo.ZoneInfo(request.site.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
