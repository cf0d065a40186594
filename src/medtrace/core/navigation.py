"""The navigation menu: areas in a fixed order, filled by each app's AppConfig.ready().

An area shows only when the user may open at least one of its pages, so the menu never offers
an empty area or a page that would answer 403.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AREAS: list[tuple[str, Promise]] = [
    ("trace", _("Trace")),
    ("inventory", _("Inventory")),
    ("production", _("Production")),
    ("quality", _("Quality")),
    ("recall", _("Recall")),
    ("dashboards", _("Dashboards")),
    ("masterdata", _("Master data")),
    ("admin", _("Administration")),
]


@dataclass(frozen=True)
class NavItem:
    area: str
    label: Promise
    url_name: str
    permission: str

    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class NavArea:
    key: str
    label: Promise
    items: list[NavItem]


_items: list[NavItem] = []


def register(*items: NavItem) -> None:
    known = {key for key, _label in AREAS}
    for item in items:
        if item.area not in known:
            raise ValueError(f"unknown navigation area {item.area!r}")
        if item not in _items:
            _items.append(item)


def menu_for(user) -> list[NavArea]:
    if not user.is_authenticated:
        return []
    menu = []
    for key, label in AREAS:
        items = [item for item in _items if item.area == key and user.has_perm(item.permission)]
        if items:
            menu.append(NavArea(key=key, label=label, items=items))
    return menu
