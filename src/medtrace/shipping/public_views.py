"""The customer's delivery confirmation page: reached by the signed link printed on the
delivery note or sent with the shipment, no sign-in. It shows the shipment and records the
confirmation (with who received it and, optionally, the SSCCs they scanned)."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect

from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error

from . import documents, selectors
from .choices import DeliveryChannel, OrderStatus
from .forms import ConfirmForm
from .services import shipment


@csrf_protect
def confirm(request, token: str):
    try:
        order = shipment.order_for_token(token)
    except DomainError as error:
        return render(request, "shipping/confirm.html", {"error": error.message}, status=404)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and order.status == OrderStatus.SHIPPED:
        data = form.cleaned_data
        try:
            order = shipment.confirm_delivery(
                order,
                channel=DeliveryChannel.LINK,
                received_by=data["received_by"],
                scanned=data["scanned"].split(),
                note=data["note"],
            )
        except DomainError as error:
            show_domain_error(form, error)
    return render(
        request,
        "shipping/confirm.html",
        {
            "order": order,
            "form": form,
            "rows": documents.rows(order),
            "packages": [p for p in selectors.packages_of(order) if p.parent_id is None],
        },
    )
