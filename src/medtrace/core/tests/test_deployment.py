"""The production configuration as an operator sets it: Django's deployment checks pass at
warning level, and a request through the TLS proxy gets HSTS and secure cookies. A fresh
process each time, because settings are read once per process."""

import os
import subprocess
import sys

PRODUCTION = {
    "MEDTRACE_HTTPS": "true",
    "MEDTRACE_ALLOWED_HOSTS": "qms.example.com",
    "MEDTRACE_CSRF_TRUSTED_ORIGINS": "https://qms.example.com",
}

RESPONSE_HEADERS = """
from django.test import Client
proxied = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="qms.example.com")
response = proxied.get("/accounts/login/")
print(response.status_code)
print(response.headers.get("Strict-Transport-Security"))
print(response.cookies["csrftoken"]["secure"], response.headers["X-Frame-Options"])
print(Client().get("/accounts/login/", HTTP_HOST="qms.example.com").status_code)
"""


def _medtrace(*args, data_dir, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDTRACE_", "DATABASE_URL", "DJANGO_"))
    }
    environment.update({"MEDTRACE_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [sys.executable, "-m", "medtrace", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = _medtrace(
        "manage", "check", "--deploy", "--fail-level", "WARNING", data_dir=tmp_path, **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_https_the_deployment_checks_say_what_is_missing(tmp_path):
    result = _medtrace("manage", "check", "--deploy", "--fail-level", "WARNING", data_dir=tmp_path)
    assert result.returncode == 1
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr  # HSTS, HTTPS redirect, secure session and CSRF cookies


def test_behind_the_tls_proxy_browsers_get_hsts_and_secure_cookies(tmp_path):
    result = _medtrace("manage", "shell", "-c", RESPONSE_HEADERS, data_dir=tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    status, hsts, cookie_and_frames, plain = result.stdout.strip().splitlines()[-4:]
    assert status == "200"
    assert hsts == "max-age=31536000"
    assert cookie_and_frames == "True DENY"
    assert plain == "301"  # plain HTTP is redirected to HTTPS
