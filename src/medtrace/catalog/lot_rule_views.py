"""The lot-number rules' pages: the list, create and edit with a live preview of the next
numbers (an htmx GET on the pattern field renders only the preview fragment)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from medtrace.catalog.lot_rule_forms import LotRuleForm
from medtrace.catalog.models import LotSequenceReset
from medtrace.catalog.selectors import visible_rules
from medtrace.catalog.services import lot_numbers
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.org import access


@perm_required("catalog.view_lotnumberrule")
def lot_rule_list(request):
    return render(
        request,
        "catalog/lot_rule_list.html",
        {
            "rules": visible_rules(request.user).order_by("item__code"),
            "can_add": request.user.has_perm("catalog.add_lotnumberrule"),
            "can_change": request.user.has_perm("catalog.change_lotnumberrule"),
        },
    )


@perm_required("catalog.view_lotnumberrule")
def lot_rule_preview(request):
    """The preview fragment for the pattern and reset being typed; consumes nothing."""
    site = request.site or access.visible_sites(request.user).order_by("code").first()
    context = {"site": site}
    if site is not None:
        try:
            context["lot_numbers"] = lot_numbers.preview_pattern(
                request.GET.get("pattern", ""),
                request.GET.get("reset", LotSequenceReset.YEAR),
                site=site,
                day=lot_numbers.site_today(site),
            )
        except DomainError as error:
            context["error"] = error.message
    return render(request, "catalog/_lot_preview.html", context)


def _save(request, form, rule=None):
    data = form.cleaned_data
    if rule is None:
        return lot_numbers.create_lot_rule(
            organization=request.user.organization, by=request.user, **data
        )
    return lot_numbers.update_lot_rule(
        rule=rule, by=request.user, pattern=data["pattern"], reset=data["reset"]
    )


def _form_page(request, rule=None):
    form = LotRuleForm(request.POST or None, user=request.user, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            _save(request, form, rule)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Lot-number rule saved."))
            return redirect("catalog:lot-rule-list")
    return render(request, "catalog/lot_rule_form.html", {"form": form, "rule": rule})


@perm_required("catalog.add_lotnumberrule")
def lot_rule_create(request):
    if request.user.organization is None:
        raise PermissionDenied
    return _form_page(request)


@perm_required("catalog.change_lotnumberrule")
def lot_rule_edit(request, pk: int):
    return _form_page(request, get_object_or_404(visible_rules(request.user), pk=pk))
