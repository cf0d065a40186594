from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.accounts import mfa_services, mfa_views, selectors, services
from medtrace.accounts.forms import ApiTokenForm, CreateUserForm, GrantRoleForm, LoginForm
from medtrace.accounts.models import ApiToken
from medtrace.accounts.passwords import expires_at
from medtrace.core import ratelimit
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.org import access
from medtrace.org import services as org_services
from medtrace.org.models import Membership, Site


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        address = mfa_views.client_address(request)
        if ratelimit.over_limit("sign-in", address, limit=settings.RATE_LIMIT_SIGN_INS):
            # An unbound form: a bound one would check the password while refusing to.
            context = self.get_context_data(
                form=self.get_form_class()(request), refusal=ratelimit.refusal().message
            )
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if mfa_services.device_of(user) is not None:
            return mfa_views.start_second_step(self.request, user, self.get_success_url())
        mfa_views.finish_sign_in(self.request, user, user.backend)
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        ratelimit.count(
            "sign-in", mfa_views.client_address(self.request), limit=settings.RATE_LIMIT_SIGN_INS
        )
        username = form.data.get("username", "")
        if username:
            services.record_failed_sign_in(username=username)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.record_sign_out(user=request.user)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        services.change_password(
            user=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return redirect(self.get_success_url())


@login_required
def profile(request):
    memberships = (
        Membership.objects.filter(user=request.user, revoked_at__isnull=True)
        .select_related("site")
        .order_by("site__code", "role")
    )
    device = mfa_services.device_of(request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "device": device,
            "recovery_codes_left": mfa_services.unused_recovery_codes(device) if device else 0,
            "mfa_required": mfa_services.required_for(request.user),
        },
    )


def _sites_for(user, perm):
    return Site.objects.filter(pk__in=access.site_ids_with_perm(user, perm)).order_by("code")


@perm_required("accounts.view_user")
def user_list(request):
    users = selectors.visible_users(request.user).order_by("username")
    if request.site:
        users = users.filter(memberships__site=request.site)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": paginate(request, users),
            "can_add": request.user.has_perm("accounts.add_user"),
        },
    )


@perm_required("accounts.add_user")
def user_create(request):
    sites = _sites_for(request.user, "accounts.add_user")
    form = CreateUserForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.enrol_user(
                site=data["site"],
                role=data["role"],
                username=data["username"],
                password=data["password"],
                email=data["email"],
                full_name=data["full_name"],
                by=request.user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("User %(username)s created.") % {"username": person})
            return redirect("accounts:user-detail", person.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@perm_required("accounts.view_user")
def user_detail(request, pk):
    person = get_object_or_404(selectors.visible_users(request.user), pk=pk)
    manageable = _sites_for(request.user, "org.add_membership")
    memberships = person.memberships.select_related("site", "granted_by", "revoked_by").filter(
        site__in=access.visible_sites(request.user)
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "memberships": memberships.order_by("revoked_at", "site__code", "role"),
            "grant_form": GrantRoleForm(sites=manageable) if manageable else None,
            "manageable_site_ids": set(manageable.values_list("pk", flat=True)),
            "can_change": request.user.has_perm("accounts.change_user"),
            "can_unlock": selectors.locked_users(request.user).filter(pk=person.pk).exists(),
            "password_expires_at": expires_at(person),
            "device": mfa_services.device_of(person),
            "can_reset_mfa": person != request.user
            and selectors.manageable_users(request.user).filter(pk=person.pk).exists(),
        },
    )


@require_POST
@perm_required("org.add_membership")
def user_grant_role(request, pk):
    person = get_object_or_404(selectors.visible_users(request.user), pk=pk)
    form = GrantRoleForm(request.POST, sites=_sites_for(request.user, "org.add_membership"))
    if form.is_valid():
        try:
            org_services.grant_role(
                user=person,
                site=form.cleaned_data["site"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
            messages.success(request, _("Role granted."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose a site and a role."))
    return redirect("accounts:user-detail", person.pk)


@require_POST
@perm_required("org.change_membership")
def user_revoke_role(request, pk, membership_pk):
    membership = access.get_scoped_or_404(
        Membership.objects.filter(user_id=pk),
        request.user,
        perm="org.change_membership",
        pk=membership_pk,
    )
    try:
        org_services.revoke_role(membership=membership, by=request.user)
        messages.success(request, _("Role revoked."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:user-detail", pk)


@require_POST
@perm_required("accounts.change_user")
def user_set_active(request, pk):
    person = get_object_or_404(selectors.manageable_users(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_user_active(user=person, active=active, by=request.user)
        messages.success(request, _("User activated.") if active else _("User deactivated."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:user-detail", person.pk)


@require_POST
@perm_required("accounts.change_user")
def user_unlock(request, pk):
    person = get_object_or_404(selectors.manageable_users(request.user), pk=pk)
    try:
        services.unlock_user(user=person, by=request.user)
        messages.success(request, _("%(user)s can sign in again.") % {"user": person.printed_name})
    except DomainError as error:
        messages.error(request, error.message)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("accounts:user-detail", person.pk)


@perm_required("accounts.view_apitoken")
def token_list(request):
    sites = access.visible_sites(request.user).order_by("code")
    form = ApiTokenForm(request.POST or None, sites=sites)
    plaintext = None
    if request.method == "POST":
        if not request.user.has_perm("accounts.add_apitoken"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                _token, plaintext = services.create_api_token(
                    user=request.user,
                    name=data["name"],
                    sites=data["sites"],
                    can_write=data["can_write"],
                    expires_in_days=data["expires_in_days"],
                    by=request.user,
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                form = ApiTokenForm(sites=sites)
    return render(
        request,
        "accounts/token_list.html",
        {"tokens": selectors.tokens_of(request.user), "form": form, "plaintext": plaintext},
    )


@require_POST
@login_required
def token_revoke(request, pk):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    try:
        services.revoke_api_token(token=token, by=request.user)
        messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:token-list")
