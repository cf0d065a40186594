from django.urls import path

from medtrace.accounts import mfa_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", mfa_views.login_verify, name="login-verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", mfa_views.mfa_setup, name="mfa-setup"),
    path("two-factor/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("two-factor/remove/", mfa_views.mfa_remove, name="mfa-remove"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("profile/", views.profile, name="profile"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/roles/", views.user_grant_role, name="user-grant-role"),
    path(
        "users/<int:pk>/roles/<int:membership_pk>/revoke/",
        views.user_revoke_role,
        name="user-revoke-role",
    ),
    path("users/<int:pk>/active/", views.user_set_active, name="user-set-active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user-unlock"),
    path("users/<int:pk>/two-factor/remove/", mfa_views.user_mfa_reset, name="user-mfa-reset"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
