"""Authenticator codes for the two-factor tests: the code of now (or of a later step, since
setting up uses the current one) and a user with an authenticator set up."""

from datetime import timedelta

from django.utils import timezone

from medtrace.accounts import mfa, mfa_services


def code_now(secret: str, steps_ahead: int = 0) -> str:
    return mfa.code_at(secret, timezone.now() + timedelta(seconds=30 * steps_ahead))


def enrolled(user) -> tuple[str, list[str]]:
    secret = mfa.new_secret()
    return secret, mfa_services.enrol(user=user, secret=secret, code=code_now(secret))
