"""Receiving and received lots: the phone-sized receiving screen of a purchase order line (the
supplier's label scanned, or its lot, dates and quantity typed; the certificate of analysis
attached), the receipts list, and a receipt with its lot, its incoming inspection (and the NCR a
rejection opened) and QA's signed release. Writes go through purchasing.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from medtrace.core import scanning
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.inventory.forms import SignedReleaseForm as ReleaseForm
from medtrace.purchasing import selectors
from medtrace.purchasing.choices import RECEIVABLE, ReceiptStatus
from medtrace.purchasing.forms import CertificateForm, ReceiveForm
from medtrace.purchasing.services import receiving
from medtrace.purchasing.services import release as releasing
from medtrace.quality import workflow_views
from medtrace.quality.models import Nonconformance

ADD = "purchasing.add_receipt"
RELEASE = "purchasing.release_receipt"
REFRESH = "receipt-recorded"


def _line_for_receiving(request, pk: int):
    line = selectors.get_line_or_404(request.user, pk)
    if not request.user.has_perm(ADD, line.order):
        raise PermissionDenied
    return line


def _answer(receipt) -> tuple[str, str]:
    message = _(
        "%(receipt)s: lot %(lot)s (supplier lot %(supplier_lot)s), %(quantity)s %(uom)s "
        "received into quarantine."
    ) % {
        "receipt": receipt.number, "lot": receipt.lot.lot_number,
        "supplier_lot": receipt.supplier_lot_number,
        "quantity": format(receipt.quantity.normalize(), "f"), "uom": receipt.uom,
    }  # fmt: skip
    detail = [m["message"] for m in receipt.mismatches]
    if receipt.inspection_id:
        detail.append(
            _("Incoming inspection %(record)s started.") % {"record": receipt.inspection.number}
        )
    return message, " ".join(detail)


def _recent(line):
    return line.receipts.select_related("lot").order_by("-received_at", "-pk")[:10]


@vary_on_headers("HX-Request")
@perm_required(ADD)
def receive(request, pk: int):
    """GET: the receiving screen (or, for htmx, its list of the line's receipts). POST: one
    label or typed lot; htmx and the scan station get the feedback fragment, a plain form
    the receipt's page."""
    line = _line_for_receiving(request, pk)
    if request.method == "GET" and request.htmx and request.GET.get("part") == "receipts":
        return render(
            request, "purchasing/_line_receipts.html", {"line": line, "receipts": _recent(line)}
        )
    form = ReceiveForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        fragment = bool(request.htmx) or "key" in request.POST
        try:
            code, key, at = scanning.scan_fields(request)
            if not form.is_valid():
                raise DomainError(ErrorCode.VALIDATION, _("Check the fields below."),
                                  fields={k: list(v) for k, v in form.errors.items()})  # fmt: skip
            data = form.cleaned_data
            receipt = receiving.receive(
                line, by=request.user, code=code, quantity=data["quantity"],
                supplier_lot=data["supplier_lot"], expires_on=data["expires_on"],
                manufactured_on=data["manufactured_on"], reason=data["reason"],
                certificate=data["certificate"], key=key, at=at,
            )  # fmt: skip
        except DomainError as error:
            if fragment:
                fields = error.details.get("fields") or {}
                detail = " ".join(m for messages_ in fields.values() for m in messages_
                                  if m != str(error.message))  # fmt: skip
                return scanning.feedback(request, ok=False, message=error.message, detail=detail)
            show_domain_error(form, error)
        else:
            message, detail = _answer(receipt)
            if fragment:
                return scanning.feedback(
                    request, ok=True, message=message, detail=detail,
                    next_prompt=_("Scan the next label."), trigger=REFRESH,
                    complete=True,
                )  # fmt: skip
            messages.success(request, message)
            return redirect("purchasing:receipt-detail", receipt.pk)
    return render(
        request,
        "purchasing/receive.html",
        {"line": line, "form": form, "receipts": _recent(line), "trigger": REFRESH,
         "open": line.order.status in RECEIVABLE},
    )  # fmt: skip


@vary_on_headers("HX-Request")
@perm_required(selectors.VIEW_RECEIPT)
def receipt_list(request):
    records = selectors.visible_receipts(request.user)
    if request.site is not None:
        records = records.filter(site=request.site)
    status = request.GET.get("status", "")
    if status in ReceiptStatus.values:
        records = records.filter(status=status)
    page = paginate(request, records)
    return render(
        request,
        "purchasing/receipt_list.html",
        {"page": page, "status": status, "statuses": ReceiptStatus.choices},
    )


def _receipt_detail(request, receipt, *, release_form=None, certificate_form=None):
    user = request.user
    quarantined = receipt.status == ReceiptStatus.QUARANTINE
    blockers = releasing.blockers(receipt) if quarantined else []
    may_release = quarantined and user.has_perm(RELEASE, receipt) and not blockers
    if may_release and release_form is None:
        release_form = ReleaseForm(site=receipt.site)
    may_attach = quarantined and user.has_perm(ADD, receipt)
    if may_attach and certificate_form is None:
        certificate_form = CertificateForm()
    inspection = releasing.inspection_of(receipt)
    ncrs = Nonconformance.objects.filter(lot=receipt.lot).order_by("pk")
    context = {
        "receipt": receipt,
        "inspection": inspection,
        "ncrs": ncrs,
        "blockers": blockers,
        "release_form": release_form if may_release else None,
        "certificate_form": certificate_form if may_attach else None,
        "may_start_inspection": quarantined and inspection is None
        and user.has_perm("quality.add_inspectionrecord", receipt),
    }  # fmt: skip
    return render(request, "purchasing/receipt_detail.html", context)


@perm_required(selectors.VIEW_RECEIPT)
def receipt_detail(request, pk: int):
    return _receipt_detail(request, selectors.get_receipt_or_404(request.user, pk))


@require_POST
@perm_required(RELEASE)
def receipt_release(request, pk: int):
    user = request.user
    receipt = selectors.get_receipt_or_404(user, pk)
    if not user.has_perm(RELEASE, receipt):
        raise PermissionDenied
    form = ReleaseForm(request.POST, site=receipt.site)
    if form.is_valid():
        try:
            releasing.release(
                receipt, by=user, password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"], location=form.cleaned_data["location"],
            )  # fmt: skip
        except DomainError as error:
            if error.details.get("cause") in workflow_views.PASSWORD_CAUSES:
                form.add_error("password", str(error.message))
            else:
                show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Lot %(lot)s released from quarantine.") % {"lot": receipt.lot.lot_number},
            )
            return redirect("purchasing:receipt-detail", pk)
    receipt = selectors.get_receipt_or_404(user, pk)
    if receipt.status != ReceiptStatus.QUARANTINE:
        messages.error(request, _("This action is no longer possible."))
        return redirect("purchasing:receipt-detail", pk)
    return _receipt_detail(request, receipt, release_form=form)


@require_POST
@perm_required(ADD)
def receipt_certificate_upload(request, pk: int):
    user = request.user
    receipt = selectors.get_receipt_or_404(user, pk)
    if not user.has_perm(ADD, receipt):
        raise PermissionDenied
    form = CertificateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            receiving.attach_certificate(receipt, form.cleaned_data["certificate"], by=user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Certificate of analysis attached."))
            return redirect("purchasing:receipt-detail", pk)
    return _receipt_detail(request, receipt, certificate_form=form)


@perm_required(selectors.VIEW_RECEIPT)
def receipt_certificate(request, pk: int):
    receipt = selectors.get_receipt_or_404(request.user, pk)
    if not receipt.certificate:
        raise Http404
    return FileResponse(
        receipt.certificate.open("rb"), as_attachment=False, filename=receipt.certificate_name
    )
