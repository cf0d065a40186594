"""The import/export pages: upload → report → apply, downloads, permissions, isolation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medtrace.catalog.models import Item
from medtrace.exchange.choices import BatchStatus
from medtrace.exchange.models import ImportBatch
from medtrace.exchange.tests.conftest import ITEM_HEADER, csv_bytes, upload

pytestmark = pytest.mark.django_db

LIST = reverse("exchange:batch-list")
GOOD = [ITEM_HEADER, ["RM-PVC", "粒料", "", "raw_material", "KG", "lot", 730]]
BAD = [*GOOD, ["RM-ABS", "树脂", "", "resin", "KG", "lot", 730]]


def post_file(client, rows, kind="items", name="items.csv", **extra):
    file = SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")
    return client.post(reverse("exchange:upload"), {"kind": kind, "file": file, **extra})


def test_upload_report_fix_and_apply(client, qa_a):
    client.force_login(qa_a)
    page = client.get(LIST)
    assert page.status_code == 200
    assert b"Import a file" in page.content and b"Empty template" in page.content

    response = post_file(client, BAD)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchange:batch-detail", args=[batch.pk]
    )
    report = client.get(response["Location"]).content.decode()
    assert "Nothing was imported: the file has problems." in report
    assert "resin is not one of" in report and "<td>3</td><td>kind</td>" in report
    assert f'action="/exchange/batches/{batch.pk}/apply/"' not in report
    assert not Item.objects.exists()

    response = post_file(client, GOOD)
    fixed = ImportBatch.objects.latest("pk")
    assert fixed.status == BatchStatus.READY
    page = client.get(response["Location"]).content.decode()
    assert "1 to create, 0 to update, 0 unchanged; 0 problem(s)." in page
    applied = client.post(reverse("exchange:batch-apply", args=[fixed.pk]), follow=True)
    assert "Imported: every row was written." in applied.content.decode()
    assert Item.objects.get().code == "RM-PVC"

    again = client.post(reverse("exchange:batch-apply", args=[fixed.pk]), follow=True)
    assert "was already applied; a batch is applied once." in again.content.decode()


def test_a_file_refused_as_a_whole_shows_on_the_form(client, qa_a):
    client.force_login(qa_a)
    response = post_file(client, GOOD, name="items.xls")
    assert response.status_code == 422
    assert "save it as .xlsx" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_downloads(client, qa_a, pvc):
    client.force_login(qa_a)
    export = client.get(reverse("exchange:export", args=["items", "csv"]))
    assert export.status_code == 200 and export["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in export["Content-Disposition"]
    assert b"RM-PVC" in b"".join(export.streaming_content)
    xlsx = client.get(reverse("exchange:export", args=["equipment", "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    template = client.get(reverse("exchange:template", args=["boms", "csv"]))
    assert b"product,note,component" in b"".join(template.streaming_content)
    assert client.get(reverse("exchange:export", args=["nope", "csv"])).status_code == 404
    assert client.get(reverse("exchange:export", args=["items", "xls"])).status_code == 404

    batch = upload(qa_a, "items", GOOD)
    original = client.get(reverse("exchange:batch-file", args=[batch.pk]))
    assert b"".join(original.streaming_content) == bytes(batch.content)


def test_who_may_do_what(client, operator_a, ra_a, qa_a):
    assert client.get(LIST).status_code == 302  # sign in first

    client.force_login(operator_a)
    page = client.get(LIST)
    assert page.status_code == 200 and b"Import a file" not in page.content
    assert post_file(client, GOOD).status_code == 403
    assert client.get(reverse("exchange:export", args=["items", "csv"])).status_code == 200

    client.force_login(ra_a)
    assert post_file(client, GOOD, kind="suppliers").status_code == 422  # not a choice for RA
    assert not ImportBatch.objects.exists()
    batch = upload(qa_a, "items", GOOD)
    client.force_login(operator_a)
    assert client.get(reverse("exchange:batch-detail", args=[batch.pk])).status_code == 200
    refused = client.post(reverse("exchange:batch-apply", args=[batch.pk]), follow=True)
    assert "Your roles do not allow importing Items" in refused.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY and not Item.objects.exists()


def test_other_organizations_batches_are_not_found(client, qa_a, outsider):
    theirs = upload(outsider, "items", GOOD)
    client.force_login(qa_a)
    assert client.get(reverse("exchange:batch-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("exchange:batch-file", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("exchange:batch-apply", args=[theirs.pk])).status_code == 404
    assert f'href="/exchange/batches/{theirs.pk}/"'.encode() not in client.get(LIST).content


def test_discard_and_validate_again_buttons(client, qa_a):
    client.force_login(qa_a)
    batch = upload(qa_a, "boms", [["product", "component", "quantity"], ["P", "C", "1"]])
    page = client.get(reverse("exchange:batch-detail", args=[batch.pk])).content.decode()
    assert "Validate again" in page and "Discard" in page and ">Apply<" not in page
    client.post(reverse("exchange:batch-revalidate", args=[batch.pk]))
    client.post(reverse("exchange:batch-discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED


def test_the_menu_offers_the_page(client, operator_a):
    client.force_login(operator_a)
    assert b'href="/exchange/"' in client.get("/").content
