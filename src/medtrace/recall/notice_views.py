"""The notices of a recall: the section on the recall's page (prepare from the scope, send the
prepared ones, add a notice to a regulator or for end users), a notice's page (its text, its
lines with what the consignee reported, every event) with resend, bounce, address correction,
the printed letter and its posting; and the consignee's public acknowledgement page, reached by
the signed link in the notice (no account). Every write goes through recall.services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.forms import show_domain_error
from medtrace.core.pdf import pdf_response, render_pdf

from . import selectors
from .choices import NoticeStatus, RecallStatus
from .models import Notice
from .notice_forms import AckForm, AddNoticeForm, BounceForm, CorrectAddressForm, PostedForm
from .services import acknowledgements, delivery, notices

VIEW, CHANGE = selectors.VIEW, selectors.CHANGE
NOTICE_FORMS = {
    "bounce": BounceForm,
    "address": CorrectAddressForm,
    "posted": PostedForm,
}


def section(recall, user) -> dict:
    """The notices section of the recall's page."""
    may_change = user.has_perm(CHANGE, recall)
    rows = selectors.notices_of(recall)
    return {
        "notices": rows,
        "notice_counts": selectors.notice_counts(rows),
        "regions": selectors.notices_by_region(rows),
        "may_prepare": may_change and recall.status in notices.OPEN_STATUSES,
        "may_send": may_change and recall.status == RecallStatus.APPROVED,
        "add_notice_form": AddNoticeForm() if may_change else None,
    }


def _notice_or_404(user, recall_pk: int, pk: int) -> Notice:
    recall = selectors.get_recall_or_404(user, recall_pk)
    notice = get_object_or_404(recall.notices.select_related("party", "customer"), pk=pk)
    notice.recall = recall
    return notice


def _refused(request, error: DomainError):
    if error.code == ErrorCode.PERMISSION_DENIED:
        raise PermissionDenied
    messages.error(request, str(error.message))


@require_POST
@perm_required(CHANGE)
def notices_prepare(request, pk: int):
    recall = selectors.get_recall_or_404(request.user, pk)
    try:
        prepared = notices.prepare(recall, by=request.user)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(created)s notices prepared, %(refreshed)s brought up to the current scope.")
            % {"created": len(prepared.created), "refreshed": len(prepared.refreshed)},
        )
    return redirect(selectors.notices_url(recall))


@require_POST
@perm_required(CHANGE)
def notices_send(request, pk: int):
    recall = selectors.get_recall_or_404(request.user, pk)
    try:
        sent = delivery.send_prepared(recall, by=request.user)
    except DomainError as error:
        _refused(request, error)
    else:
        text = _("%(sent)s notices sent.") % {"sent": len(sent.sent)}
        if sent.failed or sent.bounced:
            messages.warning(
                request,
                text
                + " "
                + _("%(failed)s could not be sent and %(bounced)s were refused: see their pages.")
                % {"failed": len(sent.failed), "bounced": len(sent.bounced)},
            )
        else:
            messages.success(request, text)
    return redirect(selectors.notices_url(recall))


@require_POST
@perm_required(CHANGE)
def notice_add(request, pk: int):
    recall = selectors.get_recall_or_404(request.user, pk)
    form = AddNoticeForm(request.POST)
    if form.is_valid():
        try:
            notice = notices.add_notice(recall, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _refused(request, error)
        else:
            messages.success(request, _("%(notice)s prepared.") % {"notice": notice.number})
            return redirect("recall:notice-detail", recall.pk, notice.pk)
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}"
                                    f" {' '.join(errors)}".strip())  # fmt: skip
    return redirect(selectors.notices_url(recall))


def _notice_page(request, notice, bound: tuple[str, object] | None = None):
    user = request.user
    may_change = user.has_perm(CHANGE, notice.recall)
    forms = {}
    if may_change:
        forms = {name: form_class() for name, form_class in NOTICE_FORMS.items()}
        if bound is not None:
            forms[bound[0]] = bound[1]
    context = {
        "recall": notice.recall,
        "notice": notice,
        "lines": selectors.notice_lines(notice),
        "events": notice.events.select_related("by").order_by("at", "pk"),
        "forms": forms,
        "refused": bound[0] if bound else None,
        "may_resend": may_change
        and notice.recall.status == RecallStatus.APPROVED
        and notice.status != NoticeStatus.ACKNOWLEDGED
        and bool(notice.recipient_email),
        "ack_path": notices.ack_path(notice) if may_change else None,
    }
    return render(request, "recall/notice_detail.html", context)


@perm_required(VIEW)
def notice_detail(request, pk: int, notice: int):
    return _notice_page(request, _notice_or_404(request.user, pk, notice))


@require_POST
@perm_required(CHANGE)
def notice_resend(request, pk: int, notice: int):
    record = _notice_or_404(request.user, pk, notice)
    try:
        result = delivery.send([record], by=request.user, reminder=record.send_count > 0)
    except DomainError as error:
        _refused(request, error)
    else:
        if result.sent:
            messages.success(request, _("%(notice)s sent.") % {"notice": record.number})
        else:
            messages.error(
                request, _("%(notice)s could not be sent: see its events.") % {"notice": record}
            )
    return redirect("recall:notice-detail", pk, notice)


@require_POST
@perm_required(CHANGE)
def notice_action(request, pk: int, notice: int, action: str):
    """Record a bounce, correct the address or record the letter as posted."""
    record = _notice_or_404(request.user, pk, notice)
    if action not in NOTICE_FORMS:
        raise Http404
    form = NOTICE_FORMS[action](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "bounce":
                delivery.record_bounce(record, by=request.user, detail=data["detail"])
            elif action == "address":
                delivery.correct_address(
                    record, by=request.user, email=data["email"], reason=data["reason"]
                )
            else:
                delivery.record_posted(record, by=request.user, reference=data["reference"])
        except DomainError as error:
            if error.code == ErrorCode.PERMISSION_DENIED:
                raise PermissionDenied from None
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(notice)s updated.") % {"notice": record.number})
            return redirect("recall:notice-detail", pk, notice)
    return _notice_page(request, _notice_or_404(request.user, pk, notice), (action, form))


@perm_required(VIEW)
def notice_letter(request, pk: int, notice: int):
    """The notice as a printable letter, in the notice's language."""
    record = _notice_or_404(request.user, pk, notice)
    with translation.override(record.language):
        pdf = render_pdf(
            "recall/notice_letter.html",
            {"notice": record, "recall": record.recall, "lines": selectors.notice_lines(record),
             "organization": record.recall.organization, "site": record.recall.site},
            request=request,
        )  # fmt: skip
    delivery.record_printed(record, by=request.user)
    return pdf_response(pdf, f"{record.number}.pdf")


@never_cache
def acknowledge(request, token: str):
    """The consignee's page: no sign-in; the link's signature is the credential."""
    try:
        notice = acknowledgements.notice_for_token(token)
    except DomainError:
        raise Http404 from None
    client = request.META.get("REMOTE_ADDR", "")
    lines = list(notice.lines.select_related("item", "lot").order_by("pk"))
    # The notice's language, unless the reader chose one (the language menu sets the cookie).
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    with translation.override(request.LANGUAGE_CODE if chosen else notice.language):
        if request.method == "POST":
            form = AckForm(request.POST, lines=lines)
            if form.is_valid():
                try:
                    acknowledgements.acknowledge(
                        notice, name=form.cleaned_data["name"], note=form.cleaned_data["note"],
                        quantities=form.quantities(), client=client,
                    )  # fmt: skip
                except DomainError as error:
                    show_domain_error(form, error)
                else:
                    return redirect(request.path + "?done=1")
        else:
            if not request.GET.get("done"):
                acknowledgements.opened(notice, client=client)
            notice.refresh_from_db()
            form = AckForm(lines=lines, initial=AckForm.initial_for(notice, lines))
        context = {
            "notice": notice,
            "recall": notice.recall,
            "form": form,
            "rows": form.rows(),
            "done": bool(request.GET.get("done")),
            "open": notice.recall.status == RecallStatus.APPROVED,
        }
        response = render(request, "recall/acknowledge.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
