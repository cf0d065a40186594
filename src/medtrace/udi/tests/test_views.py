import pytest
from django.urls import reverse

from medtrace.udi.models import Submission
from medtrace.udi.tests.conftest import UNIT_GTIN

pytestmark = pytest.mark.django_db


def test_overview_and_database_pages(client, box, regulatory_a):
    client.force_login(regulatory_a)
    overview = client.get(reverse("udi:overview")).content.decode()
    assert "FDA GUDID (United States)" in overview and "654321987" in overview
    page = client.get(reverse("udi:database", args=["eudamed"])).content.decode()
    assert UNIT_GTIN in page and "Never submitted" in page
    assert client.get(reverse("udi:database", args=["nowhere"])).status_code == 404


def test_prepare_then_record_the_outcome_in_the_browser(client, box, regulatory_a):
    client.force_login(regulatory_a)
    answer = client.post(reverse("udi:database", args=["nmpa"]), {"device": [box.contains.pk]})
    submission = Submission.objects.get()
    assert answer.status_code == 302 and answer.url == reverse(
        "udi:submission-detail", args=[submission.pk]
    )
    detail = client.get(answer.url).content.decode()
    assert submission.file_name in detail and "Record as accepted" in detail
    file = client.get(reverse("udi:submission-file", args=[submission.pk]))
    assert bytes(file.content) == bytes(submission.content)
    client.post(reverse("udi:submission-submitted", args=[submission.pk]), {"reference": "NMPA-1"})
    submission.refresh_from_db()
    assert submission.status == "submitted" and submission.reference == "NMPA-1"
    page = client.get(reverse("udi:database", args=["nmpa"])).content.decode()
    assert "Up to date" in page


def test_an_incomplete_device_is_named_on_the_page(client, box, regulatory_a):
    from medtrace.catalog import services as catalog

    catalog.update_device_identifier(
        device_identifier=box.contains, reason="Moved", by=regulatory_a, emdn_code=""
    )
    client.force_login(regulatory_a)
    page = client.post(
        reverse("udi:database", args=["eudamed"]), {"device": [box.contains.pk]}
    ).content.decode()
    assert "cannot be submitted to EUDAMED" in page
    assert "EUDAMED needs “EMDNCode”." in page
    nothing = client.post(reverse("udi:database", args=["nmpa"]), {}).content.decode()
    assert "Tick at least one device." in nothing
    assert Submission.objects.count() == 0


def test_registrant_form_asks_for_a_reason_when_correcting(client, registrant, regulatory_a):
    client.force_login(regulatory_a)
    form = {"legal_name": registrant.legal_name, "country": "CN", "duns_number": "999888777"}
    page = client.post(reverse("udi:registrant"), form)
    assert page.status_code == 200  # the reason is required
    answer = client.post(reverse("udi:registrant"), {**form, "reason": "DUNS reissued"})
    assert answer.status_code == 302
    registrant.refresh_from_db()
    assert registrant.duns_number == "999888777"


def test_an_operator_cannot_open_the_pages(client, operator_a):
    client.force_login(operator_a)
    assert client.get(reverse("udi:overview")).status_code == 403


def test_an_auditor_reads_but_cannot_prepare_or_edit(client, box, registrant, make_user, site_a):
    from medtrace.accounts.roles import Role

    auditor = make_user("auditor-a", (site_a, Role.AUDITOR))
    client.force_login(auditor)
    page = client.get(reverse("udi:database", args=["gudid"])).content.decode()
    assert UNIT_GTIN in page and "Prepare submission file" not in page
    assert (
        client.post(
            reverse("udi:database", args=["gudid"]), {"device": [box.contains.pk]}
        ).status_code
        == 403
    )
    details = client.get(reverse("udi:registrant")).content.decode()
    assert "654321987" in details and 'name="reason"' not in details
    assert client.post(reverse("udi:registrant"), {"legal_name": "X"}).status_code == 200
    registrant.refresh_from_db()
    assert registrant.legal_name != "X"
    assert Submission.objects.count() == 0
