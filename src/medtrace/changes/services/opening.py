"""Opening a change request with its scope in one step, as the pages and the API do when a
change is raised from a BOM or routing draft or a document revision: nothing is written when
the scope is refused (a draft already in another change)."""

from django.db import transaction

from medtrace.changes.models import ChangeRequest
from medtrace.changes.services import changes
from medtrace.org.models import Site


@transaction.atomic
def open_with_scope(
    *, site: Site, by, boms=(), routings=(), revisions=(), items=(), **fields
) -> ChangeRequest:
    change = changes.open_change(site=site, by=by, **fields)
    if boms or routings or revisions or items:
        change = changes.set_scope(
            change, by=by, boms=list(boms), routings=list(routings), revisions=list(revisions),
            items=list(items),
        )  # fmt: skip
    return change
