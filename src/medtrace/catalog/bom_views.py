"""The BOM pages: a version with its lines and signatures, drafting a version, editing a
draft's lines, approving by electronic signature, making obsolete, and comparing versions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.audit.choices import SignatureMeaning
from medtrace.audit.signature_forms import SignatureForm
from medtrace.audit.signatures import may_sign, signable_for
from medtrace.catalog import selectors, services
from medtrace.catalog.bom_forms import BomLinesForm, ObsoleteForm, lines_as_text
from medtrace.catalog.models import Bom, BomStatus
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error


def _bom(request, pk: int) -> Bom:
    return get_object_or_404(selectors.visible_boms(request.user), pk=pk)


def _may_approve(user, bom: Bom) -> bool:
    return bom.is_draft and may_sign(user, signable_for(bom), bom)


@perm_required("catalog.view_bom")
def bom_detail(request, pk: int, lines_form=None, approve_form=None):
    bom = _bom(request, pk)
    can_change = bom.is_draft and request.user.has_perm("catalog.change_bom")
    if can_change and lines_form is None:
        lines_form = BomLinesForm(initial={"lines": lines_as_text(bom)})
    if _may_approve(request.user, bom) and approve_form is None:
        approve_form = SignatureForm(meanings=[SignatureMeaning.APPROVED], auto_id="id_sign_%s")
    return render(
        request,
        "catalog/bom_detail.html",
        {
            "bom": bom,
            "item": bom.item,
            "lines": bom.lines.select_related("component"),
            "versions": bom.item.boms.exclude(pk=bom.pk).order_by("-version"),
            "lines_form": lines_form if can_change else None,
            "approve_form": approve_form if _may_approve(request.user, bom) else None,
            "obsolete_form": ObsoleteForm()
            if bom.status != BomStatus.OBSOLETE and request.user.has_perm("catalog.change_bom")
            else None,
            "can_add": request.user.has_perm("catalog.add_bom"),
        },
    )


@require_POST
@perm_required("catalog.add_bom")
def bom_create(request, code: str):
    """A new draft version of the item's BOM, copying the lines of version `copy_from`."""
    item = selectors.get_item_or_404(request.user, code)
    copy_from = None
    if request.POST.get("copy_from"):
        copy_from = item.boms.filter(version=request.POST["copy_from"]).first()
        if copy_from is None:
            raise Http404
    try:
        bom = services.create_bom_draft(item=item, by=request.user, copy_from=copy_from)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("catalog:item-detail", item.code)
    messages.success(request, _("Draft %(bom)s created.") % {"bom": bom})
    return redirect("catalog:bom-detail", bom.pk)


@require_POST
@perm_required("catalog.change_bom")
def bom_lines(request, pk: int):
    bom = _bom(request, pk)
    form = BomLinesForm(request.POST)
    if form.is_valid():
        try:
            services.set_bom_lines(
                bom=bom,
                lines=form.cleaned_data["lines"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Lines saved."))
            return redirect("catalog:bom-detail", bom.pk)
    return bom_detail(request, pk, lines_form=form)


@require_POST
@perm_required("catalog.approve_bom")
def bom_approve(request, pk: int):
    bom = _bom(request, pk)
    if not may_sign(request.user, signable_for(bom), bom):
        raise PermissionDenied
    form = SignatureForm(request.POST, meanings=[SignatureMeaning.APPROVED], auto_id="id_sign_%s")
    if form.is_valid():
        try:
            services.approve_bom(
                bom=bom,
                by=request.user,
                password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(bom)s approved.") % {"bom": bom})
    else:
        messages.error(request, _("Enter your password to sign."))
    return redirect("catalog:bom-detail", bom.pk)


@require_POST
@perm_required("catalog.change_bom")
def bom_obsolete(request, pk: int):
    bom = _bom(request, pk)
    try:
        services.obsolete_bom(bom=bom, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(bom)s is obsolete.") % {"bom": bom})
    return redirect("catalog:bom-detail", bom.pk)


@perm_required("catalog.view_bom")
def bom_compare(request, pk: int, version: int):
    """The lines added, removed and changed from version `version` to this one."""
    bom = _bom(request, pk)
    other = get_object_or_404(bom.item.boms, version=version)
    return render(
        request,
        "catalog/bom_compare.html",
        {
            "bom": bom,
            "other": other,
            "item": bom.item,
            "differences": selectors.compare_boms(other, bom),
        },
    )
