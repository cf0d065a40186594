"""The pages BOMs and routings share: drafting a version, making it obsolete and comparing two
versions (a draft is released by a change request). Each URL passes its `kind`."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.catalog import selectors
from medtrace.catalog.models import Bom, ProductVersion, Routing, VersionStatus
from medtrace.catalog.services import create_bom_draft, create_routing_draft, versions
from medtrace.core.errors import DomainError


@dataclass(frozen=True)
class VersionKind:
    model: type[ProductVersion]
    name: str  # the model name in permissions and URL names: "bom", "routing"
    create_draft: object  # services.create_<name>_draft
    visible: object  # selectors.visible_<name>s

    def perm(self, action: str) -> str:
        return f"catalog.{action}_{self.name}"

    def url(self, page: str) -> str:
        return f"catalog:{self.name}-{page}"


BOMS = VersionKind(Bom, "bom", create_bom_draft, selectors.visible_boms)
ROUTINGS = VersionKind(Routing, "routing", create_routing_draft, selectors.visible_routings)


def check_perm(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def get_version(request, kind: VersionKind, pk: int) -> ProductVersion:
    return get_object_or_404(kind.visible(request.user), pk=pk)


def page_context(request, kind: VersionKind, record: ProductVersion) -> dict:
    """What every version page shows beside the content: other versions to compare with,
    whether a change request may be raised to release a draft, and whether a draft may be
    edited, copied or made obsolete."""
    may_change = request.user.has_perm(kind.perm("change"))
    return {
        "item": record.item,
        "versions": record.versions().exclude(pk=record.pk).order_by("-version"),
        "can_change": record.is_draft and may_change,
        "can_raise_change": request.user.has_perm("changes.add_changerequest"),
        "can_obsolete": record.status != VersionStatus.OBSOLETE and may_change,
        "can_add": request.user.has_perm(kind.perm("add")),
    }


def _signed_in(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@_signed_in
def create(request, code: str, kind: VersionKind):
    """A new draft version of the item's record, copying version `copy_from` if posted."""
    check_perm(request, kind.perm("add"))
    item = selectors.get_item_or_404(request.user, code)
    copy_from = None
    if request.POST.get("copy_from"):
        copy_from = kind.model.objects.filter(item=item, version=request.POST["copy_from"]).first()
        if copy_from is None:
            raise Http404
    try:
        record = kind.create_draft(item=item, by=request.user, copy_from=copy_from)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("catalog:item-detail", item.code)
    messages.success(request, _("Draft %(record)s created.") % {"record": record})
    return redirect(kind.url("detail"), record.pk)


@require_POST
@_signed_in
def obsolete(request, pk: int, kind: VersionKind):
    check_perm(request, kind.perm("change"))
    record = get_version(request, kind, pk)
    try:
        versions.make_obsolete(record, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(record)s is obsolete.") % {"record": record})
    return redirect(kind.url("detail"), record.pk)


@_signed_in
def compare(request, pk: int, version: int, kind: VersionKind):
    """The rows added, removed and changed from version `version` to this one."""
    check_perm(request, kind.perm("view"))
    record = get_version(request, kind, pk)
    other = get_object_or_404(record.versions(), version=version)
    return render(
        request,
        f"catalog/{kind.name}_compare.html",
        {
            "record": record,
            "other": other,
            "item": record.item,
            "differences": selectors.compare_versions(other, record),
        },
    )
