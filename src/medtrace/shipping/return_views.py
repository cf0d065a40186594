"""Return authorization pages: authorize against a shipment (only what it sent), the list,
and the detail where the warehouse receives the goods and QA decides on each line; and the
customers' shelf-life terms."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.paging import paginate
from medtrace.partners.models import Customer

from . import selectors
from .choices import ReturnStatus
from .forms import DecisionForm, TermsForm
from .models import CustomerShippingTerms, ReturnLine
from .services import orders, returns

VIEW = "shipping.view_returnauthorization"


@perm_required(VIEW)
def return_list(request):
    found = selectors.visible_returns(request.user)
    if request.site is not None:
        found = found.filter(site=request.site)
    return render(request, "shipping/return_list.html", {"page": paginate(request, found)})


@perm_required("shipping.add_returnauthorization")
def return_create(request, pk: int):
    order = selectors.get_order_or_404(request.user, pk, perm="shipping.add_returnauthorization")
    shipped = list(selectors.shipped_contents(order).values())
    if request.method == "POST":
        by_pk = {str(entry["object"].pk): entry["object"] for entry in shipped}
        lines = [
            (by_pk[pk], request.POST.get(f"quantity-{pk}", "").strip() or None)
            for pk in request.POST.getlist("object")
            if pk in by_pk
        ]
        try:
            rma = returns.create_return(
                order, lines=lines, reason=request.POST.get("reason", ""), by=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(number)s authorized.") % {"number": rma.number})
            return redirect("shipping:return-detail", rma.pk)
    return render(request, "shipping/return_form.html", {"order": order, "shipped": shipped})


@perm_required(VIEW)
def return_detail(request, pk: int):
    user = request.user
    rma = selectors.get_return_or_404(user, pk)
    can_decide = rma.status == ReturnStatus.RECEIVED and user.has_perm(
        "shipping.decide_returnauthorization", rma
    )
    lines = list(rma.lines.select_related("object", "lot", "item", "ncr", "restocked_to"))
    for line in lines:
        line.form = DecisionForm(site=rma.site, prefix=f"line{line.pk}") if can_decide else None
    return render(
        request,
        "shipping/return_detail.html",
        {
            "rma": rma,
            "lines": lines,
            "can_receive": rma.status == ReturnStatus.AUTHORIZED
            and user.has_perm("shipping.receive_returnauthorization", rma),
            "can_decide": can_decide,
        },
    )


@require_POST
@perm_required("shipping.receive_returnauthorization")
def return_receive(request, pk: int):
    rma = selectors.get_return_or_404(request.user, pk)
    try:
        returns.receive_return(rma, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Received into quarantine at the returns area."))
    return redirect("shipping:return-detail", rma.pk)


@require_POST
@perm_required("shipping.decide_returnauthorization")
def return_decide(request, pk: int, line_id: int):
    rma = selectors.get_return_or_404(request.user, pk)
    line = get_object_or_404(ReturnLine, rma=rma, pk=line_id)
    form = DecisionForm(request.POST, site=rma.site, prefix=f"line{line.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("shipping:return-detail", rma.pk)
    try:
        returns.decide_line(
            line,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            location=form.cleaned_data["location"],
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("shipping:return-detail", rma.pk)


@perm_required("shipping.view_customershippingterms")
def terms_list(request):
    user = request.user
    customers = Customer.objects.filter(organization=user.organization).order_by("code")
    terms = {
        t.customer_id: t
        for t in CustomerShippingTerms.objects.filter(organization=user.organization)
    }
    can_change = user.has_perm("shipping.change_customershippingterms")
    if request.method == "POST" and can_change:
        customer = get_object_or_404(customers, pk=request.POST.get("customer"))
        form = TermsForm(request.POST)
        if form.is_valid():
            try:
                orders.set_terms(customer=customer, by=user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Terms of %(code)s saved.") % {"code": customer.code})
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
        return redirect("shipping:terms")
    rows = [(customer, terms.get(customer.pk)) for customer in customers]
    return render(request, "shipping/terms.html", {"rows": rows, "can_change": can_change})
