"""The label pages: print a device identifier's label, print an SSCC case label. Each answers
the PDF inline, or the form again with the refusal on it."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from medtrace.catalog import selectors
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.pdf import pdf_response
from medtrace.labels import services
from medtrace.labels.forms import DeviceLabelForm, SsccLabelForm

PRINT = services.PRINT_PERMISSION


@require_http_methods(["GET", "POST"])
@perm_required(PRINT)
def device_label(request, pk: int):
    identifier = get_object_or_404(
        selectors.visible_device_identifiers(request.user).select_related(
            "item", "contains", "organization"
        ),
        pk=pk,
    )
    unavailable = services.unavailable_reason(identifier)
    form = DeviceLabelForm(
        request.POST if request.method == "POST" else None, identifier=identifier
    )
    if request.method == "POST" and unavailable is None and form.is_valid():
        try:
            pdf = services.device_label_pdf(
                identifier=identifier, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            data = form.cleaned_data
            return pdf_response(
                pdf,
                services.label_filename(
                    "label", identifier.value, data.get("lot"), data.get("serial")
                ),
            )
    return render(
        request,
        "labels/device_label.html",
        {
            "identifier": identifier,
            "item": identifier.item,
            "form": form,
            "unavailable": unavailable[1] if unavailable else None,
        },
    )


@require_http_methods(["GET", "POST"])
@perm_required(PRINT)
def sscc_label(request):
    if request.user.organization_id is None:
        raise PermissionDenied
    form = SsccLabelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            pdf = services.sscc_label_pdf(by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return pdf_response(pdf, services.label_filename("sscc", form.cleaned_data["sscc"]))
    return render(request, "labels/sscc_label.html", {"form": form})
