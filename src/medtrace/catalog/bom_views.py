"""The BOM pages: a version with its lines and signatures, and editing a draft's lines.
Drafting, approving, making obsolete and comparing are version_views'."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.catalog import services
from medtrace.catalog.bom_forms import BomLinesForm, lines_as_text
from medtrace.catalog.forms import ObsoleteForm
from medtrace.catalog.version_views import BOMS, get_version, page_context
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error


@perm_required("catalog.view_bom")
def bom_detail(request, pk: int, lines_form=None):
    bom = get_version(request, BOMS, pk)
    context = page_context(request, BOMS, bom)
    if context["can_change"] and lines_form is None:
        lines_form = BomLinesForm(initial={"lines": lines_as_text(bom)})
    return render(
        request,
        "catalog/bom_detail.html",
        {
            **context,
            "bom": bom,
            "lines": bom.lines.select_related("component"),
            "lines_form": lines_form if context["can_change"] else None,
            "obsolete_form": ObsoleteForm() if context["can_obsolete"] else None,
        },
    )


@require_POST
@perm_required("catalog.change_bom")
def bom_lines(request, pk: int):
    bom = get_version(request, BOMS, pk)
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
