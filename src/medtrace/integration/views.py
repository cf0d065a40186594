"""Webhooks and feeds in the browser: subscriptions, their deliveries and attempts, and the
EPCIS named queries subscriptions stand on."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.integration import selectors, services
from medtrace.integration.choices import DeliveryStatus
from medtrace.integration.forms import ActivityForm, QueryForm, SubscriptionForm
from medtrace.integration.topics import all_topics
from medtrace.org import access

SECRET_SESSION_KEY = "integration-new-secret"  # nosec B105 # session key name, not a password


def _subscription(request, pk: int, perm: str = "integration.view_subscription"):
    return get_object_or_404(selectors.visible_subscriptions(request.user, perm), pk=pk)


def _manageable_sites(request, perm: str):
    return access.scoped(access.visible_sites(request.user), request.user, perm=perm).order_by(
        "code"
    )


def _show_secret_once(request, subscription) -> None:
    request.session[SECRET_SESSION_KEY] = {"id": subscription.pk, "secret": subscription.secret}


@perm_required("integration.view_subscription")
def subscription_list(request):
    subscriptions = selectors.with_counts(selectors.visible_subscriptions(request.user))
    return render(
        request,
        "integration/subscription_list.html",
        {
            "subscriptions": subscriptions.order_by("-is_active", "name"),
            "can_add": request.user.has_perm("integration.add_subscription"),
            "tab": "subscriptions",
        },
    )


@perm_required("integration.add_subscription")
def subscription_create(request):
    form = SubscriptionForm(
        request.POST or None,
        sites=_manageable_sites(request, "integration.add_subscription"),
        queries=selectors.visible_queries(request.user).filter(is_active=True),
        initial={"sites": [request.site] if request.site else []},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription = services.create_subscription(
                organization=request.user.organization,
                name=data["name"],
                url=data["url"],
                topics=data["topics"],
                sites=data["sites"],
                query=data.get("query"),
                by=request.user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            _show_secret_once(request, subscription)
            messages.success(request, _("Subscription %(name)s created.") % {"name": subscription})
            return redirect("integration:subscription-detail", subscription.pk)
    return render(request, "integration/subscription_form.html", {"form": form})


@perm_required("integration.change_subscription")
def subscription_edit(request, pk: int):
    subscription = _subscription(request, pk, "integration.change_subscription")
    form = SubscriptionForm(
        request.POST or None,
        sites=_manageable_sites(request, "integration.change_subscription"),
        initial={
            "name": subscription.name,
            "url": subscription.url,
            "topics": subscription.topics,
            "sites": list(subscription.sites.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_subscription(
                subscription,
                name=data["name"],
                url=data["url"],
                topics=data["topics"],
                sites=data["sites"],
                by=request.user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Subscription %(name)s saved.") % {"name": data["name"]})
            return redirect("integration:subscription-detail", subscription.pk)
    return render(
        request,
        "integration/subscription_form.html",
        {"form": form, "subscription": subscription},
    )


@perm_required("integration.view_subscription")
def subscription_detail(request, pk: int):
    """The subscription and its deliveries; for htmx, the deliveries table alone."""
    subscription = _subscription(request, pk)
    status = request.GET.get("status") or None
    if status is not None and status not in DeliveryStatus.values:
        raise Http404
    page = paginate(request, selectors.deliveries_of(subscription, status=status))
    context = {"subscription": subscription, "page": page, "status": status}
    if request.htmx:
        return render(request, "integration/_delivery_table.html", context)
    shown = request.session.pop(SECRET_SESSION_KEY, None)
    labels = {topic.code: topic.label for topic in all_topics()}
    counts = selectors.status_counts(subscription)
    context |= {
        "new_secret": shown["secret"] if shown and shown["id"] == subscription.pk else None,
        "topic_labels": [labels.get(code, code) for code in subscription.topics],
        "statuses": [
            (value, label, counts[value])
            for value, label in DeliveryStatus.choices
            if counts[value] or value == status
        ],
        "total": sum(counts.values()),
        "can_change": request.user.has_perm("integration.change_subscription")
        and selectors.visible_subscriptions(request.user, "integration.change_subscription")
        .filter(pk=pk)
        .exists(),
        "activity_form": ActivityForm(),
    }
    return render(request, "integration/subscription_detail.html", context)


def _change(request, pk: int, action, success: str):
    subscription = _subscription(request, pk, "integration.change_subscription")
    try:
        action(subscription)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"name": subscription.name})
    return redirect("integration:subscription-detail", subscription.pk)


@require_POST
@perm_required("integration.change_subscription")
def subscription_activity(request, pk: int):
    form = ActivityForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    active = request.POST.get("active") == "1"

    def switch(subscription):
        services.set_active(subscription, active=active, by=request.user, reason=reason)

    done = _("%(name)s is switched on.") if active else _("%(name)s is switched off.")
    return _change(request, pk, switch, done)


@require_POST
@perm_required("integration.change_subscription")
def subscription_rotate(request, pk: int):
    def rotate(subscription):
        _show_secret_once(request, services.rotate_secret(subscription, by=request.user))

    return _change(request, pk, rotate, _("%(name)s has a new signing secret."))


@require_POST
@perm_required("integration.change_subscription")
def subscription_test(request, pk: int):
    def ping(subscription):
        services.send_test(subscription, by=request.user)

    return _change(request, pk, ping, _("A test message to %(name)s is queued."))


@perm_required("integration.view_subscription")
def delivery_detail(request, pk: int, sequence: int):
    subscription = _subscription(request, pk)
    delivery = get_object_or_404(
        subscription.deliveries.select_related("message"), sequence=sequence
    )
    return render(
        request,
        "integration/delivery_detail.html",
        {
            "subscription": subscription,
            "delivery": delivery,
            "attempts": delivery.attempts_made.order_by("number"),
            "payload": json.dumps(
                delivery.message.payload, indent=2, ensure_ascii=False, sort_keys=True
            ),
            "can_redeliver": delivery.status != DeliveryStatus.IN_FEED
            and request.user.has_perm("integration.change_subscription"),
        },
    )


@require_POST
@perm_required("integration.change_subscription")
def delivery_redeliver(request, pk: int, sequence: int):
    subscription = _subscription(request, pk, "integration.change_subscription")
    delivery = get_object_or_404(subscription.deliveries, sequence=sequence)
    try:
        services.redeliver(delivery, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Delivery #%(number)s is queued to be sent again.") % {"number": sequence}
        )
    return redirect("integration:delivery-detail", subscription.pk, sequence)


@perm_required("integration.view_epcisquery")
def query_list(request):
    return render(
        request,
        "integration/query_list.html",
        {
            "queries": selectors.visible_queries(request.user).prefetch_related("subscriptions"),
            "can_add": request.user.has_perm("integration.add_epcisquery"),
            "tab": "queries",
        },
    )


@perm_required("integration.add_epcisquery")
def query_create(request):
    form = QueryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            query = services.create_query(
                organization=request.user.organization,
                name=form.cleaned_data["name"],
                parameters=form.cleaned_data["parameters"],
                by=request.user,
            )
        except DomainError as error:
            if "name" in (error.details.get("fields") or {}):
                show_domain_error(form, error)
            else:  # a parameter the EPCIS query reader refused
                form.add_error("parameters", str(error.message))
        else:
            messages.success(request, _("Query %(name)s saved.") % {"name": query.name})
            return redirect("integration:query-list")
    return render(request, "integration/query_form.html", {"form": form})


@require_POST
@perm_required("integration.change_epcisquery")
def query_retire(request, pk: int):
    query = get_object_or_404(selectors.visible_queries(request.user), pk=pk)
    try:
        services.retire_query(query, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Query %(name)s is withdrawn.") % {"name": query.name})
    return redirect("integration:query-list")
