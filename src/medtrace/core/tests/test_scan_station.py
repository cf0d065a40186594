"""The scan station's two halves: the include (no inline script, hidden and visible fields
inside the form, translated texts handed to the script) and the server helpers (what a scan
posts, the green or red fragment, the htmx trigger, the end of a task)."""

import json

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from medtrace.core import scanning
from medtrace.core.errors import DomainError


def post(**data):
    return RequestFactory().post("/scan/", data)


def test_scan_fields_read_code_key_and_time():
    code, key, at = scanning.scan_fields(
        post(code="  R1\n", key="0b6e-99", at="2026-03-02T10:14:00+08:00")
    )
    assert (code, key) == ("R1", "0b6e-99")
    assert at.isoformat() == "2026-03-02T10:14:00+08:00"
    assert scanning.scan_fields(post(code="R1"))[1:] == (None, None)


@pytest.mark.parametrize(
    "data", [{"key": "a b"}, {"key": "x" * 65}, {"key": "k;drop"}, {"at": "yesterday"}]
)
def test_malformed_keys_and_times_are_refused(data):
    with pytest.raises(DomainError):
        scanning.scan_fields(post(code="R1", **data))


def test_feedback_is_a_fragment_with_the_trigger_and_the_end_of_a_task():
    response = scanning.feedback(
        post(), ok=True, message="Moved", next_prompt="Next", trigger="moved", complete=True
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-ok="true"' in body and 'data-complete="true"' in body and "Next" in body
    assert json.loads(response["HX-Trigger"]) == {"moved": {"ok": True}}
    refused = scanning.feedback(post(), ok=False, message="On hold").content.decode()
    assert 'data-ok="false"' in refused and "scan-refused" in refused
    assert "data-complete" not in refused and "HX-Trigger" not in scanning.feedback(
        post(), ok=False, message="x"
    )


def test_the_include_posts_its_fields_and_hands_the_script_its_texts():
    html = render_to_string(
        "core/_scan_station.html",
        {
            "post_url": "/inventory/floor/issue/scan/",
            "prompt": "Scan the lot",
            "hint": "Then the line",
            "extra": {"step": "issue", "order": "WO-1"},
            "fields": "inventory/floor/_quantity.html",
        },
        request=RequestFactory().get("/"),
    )
    assert 'data-post-url="/inventory/floor/issue/scan/"' in html
    assert '<input type="hidden" name="step" value="issue">' in html
    assert '<input type="hidden" name="order" value="WO-1">' in html
    assert 'name="quantity"' in html and "data-station-clear" in html
    assert 'name="code"' in html and "autofocus" in html and "Scan the lot" in html
    assert "csrfmiddlewaretoken" in html
    assert "data-text-queued=" in html and "%(count)s" in html
    assert "vendor/zxing/zxing.min.js" in html  # loaded on demand, from our static files
    assert "<script>" not in html and "onclick" not in html  # the CSP allows no inline script
