"""Generated documents' pages: the form (templates offered by the reader's roles, subjects
following the template), generating and downloading, a refusal shown on the form, the list
(scoped, filtered, a fixed number of queries) and taking a skeleton in as a draft."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medtrace.documents.generation import services
from medtrace.documents.models import ControlledDocument, GeneratedDocument
from medtrace.documents.tests.generation_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db

NEW, LIST = "/documents/generated/new/", "/documents/generated/"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_form_offers_what_the_readers_roles_may_generate(client, qa_a, operator_a):
    client.force_login(qa_a)
    body = text(client.get(NEW))
    assert 'value="quality-manual"' in body and 'value="sop-skeleton"' in body
    client.force_login(operator_a)
    body = text(client.get(NEW))
    assert 'value="capa-report"' in body and 'value="quality-manual"' not in body


def test_the_subject_follows_the_template(client, qa_a, capa):
    client.force_login(qa_a)
    body = text(client.get(NEW, {"template": "capa-report", "subject": capa.pk}))
    assert f'<option value="{capa.pk}" selected>{capa.number}' in body
    assert 'id="id_site"' not in body  # a CAPA's report is filed at its site
    body = text(client.get(NEW, {"template": "sop-skeleton"}, headers={"HX-Request": "true"}))
    assert 'value="calibration"' in body and 'id="id_site"' in body


def test_generating_shows_the_result_with_its_download(client, qa_a, site_a):
    client.force_login(qa_a)
    response = client.post(NEW, {"template": "quality-manual", "market": "nmpa", "site": site_a.pk})
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and response.url == f"{LIST}{document.pk}/"
    body = text(client.get(response.url))
    assert document.sha256 in body and "质量手册" in body and "take-in-form" in body
    pdf = client.get(f"{LIST}{document.pk}/pdf/?download=1")
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == document.sha256


def test_a_refusal_is_shown_on_the_form_and_nothing_is_written(client, qa_b, capa):
    client.force_login(qa_b)
    response = client.post(NEW, {"template": "capa-report", "market": "nmpa", "subject": capa.pk})
    # qa_b cannot see the CAPA: it is not even offered.
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_an_skeleton_is_taken_in_from_its_page(client, qa_a, site_a):
    document = services.generate(
        "sop-skeleton", market="nmpa", by=qa_a, site=site_a, subject="training"
    )
    client.force_login(qa_a)
    response = client.post(f"{LIST}{document.pk}/take-in/", {"number": ""})
    controlled = ControlledDocument.objects.get()
    assert response.status_code == 302 and response.url == f"/documents/{controlled.pk}/"
    assert controlled.title == "培训控制程序"
    body = text(client.get(f"{LIST}{document.pk}/"))
    assert "data-taken-in" in body and "take-in-form" not in body
    again = client.post(f"{LIST}{document.pk}/take-in/", {"number": ""})
    assert again.status_code == 200 and ControlledDocument.objects.count() == 1


def fake_generation(site, by, n, **fields) -> GeneratedDocument:
    values = {
        "template": "quality-manual", "market": "nmpa", "language": "zh-hans",
        "title": f"质量手册 {n}", "sha256": "0" * 64, **fields,
    }  # fmt: skip
    document = GeneratedDocument(
        organization_id=site.organization_id, site=site, generated_by=by, **values
    )
    document.file.save(f"fake-{n}.pdf", ContentFile(b"%PDF-1.7"), save=True)
    return document


def test_the_list_is_scoped_filtered_and_costs_the_same_queries(
    client, qa_a, qa_b, site_a, site_b, capa
):
    client.force_login(qa_a)

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            text(client.get(LIST, params))
        return len(captured)

    fake_generation(site_a, qa_a, 0)
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    for n in range(1, 8):
        fake_generation(site_a, qa_a, n)
    fake_generation(
        site_a, qa_a, 9, template="capa-report", subject_type="quality.capa",
        subject_id=str(capa.pk), subject_repr=str(capa),
    )  # fmt: skip
    hidden = fake_generation(site_b, qa_b, 10)
    assert queries() == few
    body = text(client.get(LIST))
    assert "质量手册 7" in body and "质量手册 10" not in body
    assert f"/quality/capas/{capa.pk}/" in body  # the report links its CAPA
    body = text(client.get(LIST, {"template": "capa-report"}))
    assert "质量手册 7" not in body and capa.number in body
    assert client.get(f"{LIST}{hidden.pk}/").status_code == 404
    assert client.get(f"{LIST}{hidden.pk}/pdf/").status_code == 404


def test_the_capa_page_offers_its_report(client, qa_a, capa):
    client.force_login(qa_a)
    body = text(client.get(f"/quality/capas/{capa.pk}/"))
    assert f"/documents/generated/new/?template=capa-report&amp;subject={capa.pk}" in body
