"""The label pages, the API and the command: each parses, checks, calls the service and answers
the PDF, or the same refusal in its own shape."""

import sys

import pytest

from medtrace.accounts.services import create_api_token
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.catalog.choices import PackagingLevel
from medtrace.labels.tests.conftest import CASE_GTIN, UNIT_GTIN, read_label
from medtrace.labels.tests.test_services import SSCC
from medtrace.scan import parse

pytestmark = pytest.mark.django_db

LABEL = {"lot": "L2401A", "expiry": "2027-01-31", "production_date": "2024-01-15"}


def exports():
    return AuditEntry.objects.filter(action=AuditAction.EXPORT)


def decoded(pdf: bytes):
    """The label's symbols read together, as one scan of the label."""
    return parse([code.symbology_identifier + code.text for code in read_label(pdf)])


def test_device_identifier_page_offers_the_label_form_with_the_fields_its_label_carries(
    client, operator_a, levels, serial_di, ma_di
):
    client.force_login(operator_a)
    page = client.get(f"/catalog/device-identifiers/{levels[PackagingLevel.CASE].pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'action="/labels/device-identifiers/{levels[PackagingLevel.CASE].pk}/"' in html
    for name in ["lot", "expiry", "production_date"]:
        assert f'name="{name}"' in html, name
    assert 'name="serial"' not in html
    serial_page = client.get(f"/catalog/device-identifiers/{serial_di.pk}/").content.decode()
    assert 'name="serial"' in serial_page and 'name="lot"' not in serial_page
    ma_page = client.get(f"/catalog/device-identifiers/{ma_di.pk}/").content.decode()
    assert "MA issuing system" in ma_page and "/labels/device-identifiers/" not in ma_page


def test_printing_answers_the_pdf_inline_and_records_it(client, operator_a, levels):
    case = levels[PackagingLevel.CASE]
    client.force_login(operator_a)
    assert client.get(f"/labels/device-identifiers/{case.pk}/").status_code == 200
    response = client.post(f"/labels/device-identifiers/{case.pk}/", LABEL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="label-{CASE_GTIN}-L2401A.pdf"'
    read = decoded(response.content)
    assert (read.gtin, read.lot, str(read.expiry)) == (CASE_GTIN, "L2401A", "2027-01-31")
    assert exports().get().actor == operator_a


def test_a_refusal_shows_on_the_form_and_prints_nothing(client, operator_a, unit_di):
    client.force_login(operator_a)
    response = client.post(f"/labels/device-identifiers/{unit_di.pk}/", {**LABEL, "lot": "L 2401"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "character set forbids" in html and 'value="L 2401"' in html
    invalid_date = client.post(
        f"/labels/device-identifiers/{unit_di.pk}/", {**LABEL, "expiry": "2027-02-30"}
    )
    assert "Enter a valid date." in invalid_date.content.decode()
    assert not exports().exists()


def test_labels_of_another_organization_are_not_found_and_visitors_sign_in(
    client, outsider, unit_di, make_user
):
    url = f"/labels/device-identifiers/{unit_di.pk}/"
    assert client.post(url, LABEL).status_code == 302  # to the sign-in page
    client.force_login(outsider)
    assert client.post(url, LABEL).status_code == 404
    client.force_login(make_user("nobody"))  # no role anywhere
    assert client.post(url, LABEL).status_code == 403
    assert client.get("/labels/sscc/").status_code == 403
    assert not exports().exists()


def test_sscc_page_prints_the_case_label(client, operator_a, levels):
    client.force_login(operator_a)
    page = client.get("/labels/sscc/")
    assert page.status_code == 200 and 'name="contents"' in page.content.decode()
    assert "SSCC case labels" in page.content.decode()  # in the menu
    response = client.post(
        "/labels/sscc/",
        {"sscc": SSCC, "contents": f"{CASE_GTIN} L2401A 20\n", "ship_to": "北京协和医院"},
    )
    assert response["Content-Type"] == "application/pdf", response.content[:500]
    read = decoded(response.content)
    assert (read.sscc, read.gtin, read.lot, read.count) == (SSCC, CASE_GTIN, "L2401A", 20)
    bad = client.post("/labels/sscc/", {"sscc": SSCC[:-1] + "0", "contents": "123"})
    html = bad.content.decode()
    assert bad["Content-Type"].startswith("text/html") and "Line 1" in html
    assert exports().count() == 1


# ---- API -------------------------------------------------------------------------------------

API = "/api/v1/labels"


def post(client, path, body, **headers):
    return client.post(API + path, body, content_type="application/json", **headers)


def test_api_answers_the_label_pdf(client, operator_a, levels):
    client.force_login(operator_a)
    response = post(client, "/device", {"device_identifier": UNIT_GTIN[1:], **LABEL})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    read = decoded(response.content)
    assert (read.gtin, read.lot) == (UNIT_GTIN, "L2401A")
    sscc = post(client, "/sscc", {"sscc": SSCC, "contents": [{"gtin": CASE_GTIN, "count": 3}]})
    assert sscc.status_code == 200 and sscc["Content-Type"] == "application/pdf"
    assert exports().count() == 2


def test_api_refusals_use_the_common_error_body(client, operator_a, outsider, unit_di):
    client.force_login(operator_a)
    missing = post(client, "/device", {"device_identifier": UNIT_GTIN, "expiry": "2027-01-31"})
    assert missing.status_code == 422
    error = missing.json()["error"]
    assert error["code"] == "validation_error" and "lot" in error["details"]["fields"]
    not_a_date = post(client, "/device", {"device_identifier": UNIT_GTIN, "expiry": "2027-13-01"})
    assert not_a_date.status_code == 422
    assert not_a_date.json()["error"]["code"] == "validation_error"
    bad_sscc = post(client, "/sscc", {"sscc": SSCC[:-1] + str((int(SSCC[-1]) + 1) % 10)})
    assert bad_sscc.status_code == 422 and "sscc" in bad_sscc.json()["error"]["details"]["fields"]
    client.force_login(outsider)
    other = post(client, "/device", {"device_identifier": UNIT_GTIN, **LABEL})
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert not exports().exists()


def test_api_token_prints_a_label(client, operator_a, site_a, unit_di):
    _token, secret = create_api_token(
        user=operator_a,
        name="printer",
        sites=[site_a],
        can_write=False,
        expires_in_days=30,
        by=operator_a,
    )
    response = post(
        client,
        "/device",
        {"device_identifier": UNIT_GTIN, **LABEL},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert exports().get().api_token


# ---- CLI -------------------------------------------------------------------------------------


def run_cli(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    from medtrace.cli import main

    monkeypatch.setattr(sys, "argv", ["medtrace", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_cli_writes_the_label_and_refuses_in_one_line(
    monkeypatch, capsys, tmp_path, operator_a, levels
):
    target = tmp_path / "case.pdf"
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "label",
        CASE_GTIN,
        "--user",
        operator_a.username,
        "--lot",
        "L2401A",
        "--expiry",
        "2027-01-31",
        "--production-date",
        "2024-01-15",
        "--out",
        str(target),
    )
    assert code == 0, err
    assert "Label written to" in out
    read = decoded(target.read_bytes())
    assert (read.gtin, read.lot) == (CASE_GTIN, "L2401A")
    sscc_file = tmp_path / "sscc.pdf"
    code, _out, err = run_cli(
        monkeypatch,
        capsys,
        "label",
        "--sscc",
        SSCC,
        "--content",
        f"{CASE_GTIN} L2401A 20",
        "--user",
        operator_a.username,
        "--out",
        str(sscc_file),
    )
    assert code == 0, err
    assert decoded(sscc_file.read_bytes()).sscc == SSCC
    code, _out, err = run_cli(
        monkeypatch, capsys, "label", CASE_GTIN, "--user", operator_a.username, "--out", "x.pdf"
    )
    assert code == 1 and "carries the lot" in err and "Traceback" not in err
    code, _out, err = run_cli(monkeypatch, capsys, "label", "--user", operator_a.username)
    assert code == 1 and "either a device identifier or --sscc" in err
    assert exports().count() == 2
