"""Dashboards → Reports: the management reports the reader may read, to download now (the last
whole period, at the site chosen in the header or all their sites) or to receive by e-mail
each period; their subscriptions and what was sent."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.org import access

from . import report_services, reports
from .choices import ReportFormat, ReportKind
from .models import ReportDelivery, ReportSubscription

DELIVERIES_SHOWN = 20


class SubscriptionForm(forms.Form):
    report = forms.ChoiceField(label=gettext_lazy("Report"))
    file_format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ReportFormat.choices)
    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"), queryset=None, required=False,
        empty_label=gettext_lazy("All my sites"),
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [
            (kind.value, kind.label) for kind in ReportKind if reports.is_readable(user, kind)
        ]
        self.fields["site"].queryset = access.visible_sites(user).order_by("code")
        self.fields["site"].label_from_instance = lambda site: f"{site.code} · {site}"


def readable_kinds(user) -> list[ReportKind]:
    return [kind for kind in ReportKind if reports.is_readable(user, kind)]


def _today(request):
    return request.site.local_date() if request.site else timezone.localdate()


@login_required
def report_list(request):
    kinds = readable_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.subscribe(by=request.user, **form.cleaned_data)
        except DomainError as refused:
            show_domain_error(form, refused)
        else:
            messages.success(request, _("Subscribed: the report comes by e-mail each period."))
            return redirect("analytics:reports")
    today = _today(request)
    subscriptions = ReportSubscription.objects.filter(user=request.user).select_related("site")
    context = {
        "form": form,
        "downloads": [(kind, *reports.last_period(kind, today)) for kind in kinds],
        "formats": ReportFormat.choices,
        "subscriptions": subscriptions.order_by("-active", "report", "pk"),
        "deliveries": ReportDelivery.objects.filter(subscription__user=request.user).select_related(
            "subscription"
        )[:DELIVERIES_SHOWN],
    }
    return render(request, "analytics/reports.html", context)


@login_required
def report_download(request, kind: str, file_format: str):
    """The last whole period's report, as the reader sees it at the header's site."""
    if kind not in ReportKind.values or file_format not in ReportFormat.values:
        raise Http404
    if not reports.is_readable(request.user, kind):
        raise PermissionDenied
    since, until = reports.last_period(kind, _today(request))
    report = reports.build(kind, request.user, site=request.site, since=since, until=until)
    response = HttpResponse(
        reports.render(report, file_format), content_type=reports.CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{report.filename(file_format)}"'
    return response


@require_POST
@login_required
def subscription_stop(request, pk: int):
    subscription = get_object_or_404(ReportSubscription, pk=pk, user=request.user)
    try:
        report_services.stop(subscription, by=request.user)
    except DomainError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Stopped: no more e-mails of this report."))
    return redirect("analytics:reports")
