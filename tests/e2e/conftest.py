"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download is never used (`playwright install` needs the internet and
fetches a build that differs from what users run); the tests drive the distribution's
Chromium instead. Without it the tests are skipped on a developer machine, but fail under CI:
a green CI run must mean the browser tests ran.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from medtrace.demo import DEMO_PASSWORD

E2E_DIR = Path(__file__).parent

# Headless, and nothing that phones home or waits on a desktop session. --no-sandbox because
# CI runs as root, where Chromium's sandbox refuses to start.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP = {"width": 1280, "height": 800}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _chromium_path() -> str | None:
    configured = os.environ.get("MEDTRACE_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": _chromium_path(),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser(launch_browser):
    """pytest-playwright's browser, turning "cannot start" into a skip, or a failure in CI."""
    if _chromium_path() is None:
        _unavailable("Chromium not found: apt-get install chromium, or set MEDTRACE_CHROMIUM")
    try:
        browser = launch_browser()
    except PlaywrightError as error:
        _unavailable(f"Chromium did not start: {_why(error.message)}")
    yield browser
    browser.close()


def _why(message: str) -> str:
    # Playwright's message is the whole launch command line; the browser's own stderr says why.
    logs = message.split("Call log:")[0].splitlines()
    stderr = [line.split("[err]", 1)[1].strip() for line in logs if "[err]" in line]
    return " / ".join(stderr[-5:]) or logs[0]


@pytest.fixture(scope="session")
def base_url(live_server):
    """Lets tests write page.goto("/accounts/login/")."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English first, whatever the machine's locale: the tests switch language themselves.
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-US"}


@pytest.fixture
def sign_in(page):
    def sign_in(username, password=DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        page.wait_for_url("/")

    return sign_in
