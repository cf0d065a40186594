"""/api/v1/exchange: validate, read the report, apply; exports; tokens and organizations."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medtrace.accounts.services import create_api_token
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import ItemKind
from medtrace.catalog.models import Item
from medtrace.exchange import services
from medtrace.exchange.choices import BatchStatus
from medtrace.exchange.models import ImportBatch
from medtrace.exchange.tests.conftest import (
    ITEM_HEADER,
    audit_count,
    csv_bytes,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/exchange"
GOOD = [ITEM_HEADER, ["RM-PVC", "粒料", "", "raw_material", "KG", "lot", 730]]
BAD = [*GOOD, ["RM-ABS", "树脂", "", "resin", "KG", "lot", "x"]]


def send(client, rows, kind="items", name="items.csv", **fields):
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return client.post(
        API + "/imports", {"kind": kind, "file": SimpleUploadedFile(name, content), **fields}
    )


def test_two_steps_validate_then_apply(client, qa_a):
    client.force_login(qa_a)
    bad = send(client, BAD)
    assert bad.status_code == 201
    body = bad.json()
    assert body["status"] == "errors" and body["problem_count"] == 2
    assert [(p["row"], p["column"], p["rule"]) for p in body["problems"]] == [
        (3, "kind", "choice"),
        (3, "shelf_life_days", "integer"),
    ]
    refused = client.post(f"{API}/imports/{body['id']}/apply")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_state"
    assert not Item.objects.exists()

    good = send(client, GOOD, name="items.xlsx").json()
    assert good["status"] == "ready"
    assert good["counts"] == {"create": 1, "update": 0, "unchanged": 0}
    assert good["file_format"] == "xlsx" and len(good["sha256"]) == 64
    applied = client.post(f"{API}/imports/{good['id']}/apply")
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied" and applied.json()["applied_by"] == "qa-a"
    assert client.get(f"{API}/imports/{good['id']}").json()["status"] == "applied"
    listing = client.get(f"{API}/imports").json()
    assert listing["count"] == 2
    assert client.post(f"{API}/imports/{good['id']}/apply").status_code == 409


def test_apply_in_one_call(client, qa_a):
    client.force_login(qa_a)
    response = send(client, GOOD, apply="true")
    assert response.status_code == 201 and response.json()["status"] == "applied"
    assert Item.objects.filter(code="RM-PVC").exists()
    invalid = send(client, BAD, apply="true").json()
    assert invalid["status"] == "errors"


def test_a_file_refused_as_a_whole(client, qa_a):
    client.force_login(qa_a)
    response = send(client, GOOD, name="items.txt")
    assert response.status_code == 422
    assert "xlsx" in response.json()["error"]["message"]
    unknown_kind = send(client, GOOD, kind="lots")
    assert unknown_kind.status_code == 422


def test_exports_and_templates(client, operator_a, pvc):
    client.force_login(operator_a)
    response = client.get(API + "/exports/items", {"format": "csv"})
    assert response.status_code == 200
    assert b"RM-PVC" in b"".join(response.streaming_content)
    xlsx = client.get(API + "/exports/items")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(API + "/exports/nope").status_code == 422
    template = client.get(API + "/templates/customers", {"format": "csv"})
    assert b"code,name,name_en,kind" in b"".join(template.streaming_content)


def test_permissions_and_read_only_tokens(client, operator_a, qa_a, site_a):
    client.force_login(operator_a)
    refused = send(client, GOOD)
    assert refused.status_code == 403 and "catalog.add_item" in refused.json()["error"]["message"]
    client.logout()
    _token, plaintext = create_api_token(
        user=qa_a, name="ro", sites=[site_a], can_write=False, expires_in_days=5, by=qa_a
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    response = client.post(
        API + "/imports",
        {"kind": "items", "file": SimpleUploadedFile("items.csv", csv_bytes(GOOD))},
        **headers,
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    assert client.get(API + "/exports/items", **headers).status_code == 200


def test_other_organizations_batches_are_not_found(client, qa_a, outsider):
    theirs = upload(outsider, "items", GOOD)
    client.force_login(qa_a)
    assert client.get(f"{API}/imports/{theirs.pk}").status_code == 404
    assert client.post(f"{API}/imports/{theirs.pk}/apply").status_code == 404
    assert client.get(f"{API}/imports").json()["count"] == 0


def test_validate_again_reads_todays_data(client, qa_a, organization):
    batch = upload(qa_a, "items", GOOD)
    assert batch.counts == {"create": 1, "update": 0, "unchanged": 0}
    first_validated = batch.validated_at
    catalog.create_item(
        organization=organization,
        code="RM-PVC",
        name="粒料",
        kind=ItemKind.RAW_MATERIAL,
        unit="KG",
        shelf_life_days=730,
        by=qa_a,
    )
    client.force_login(qa_a)
    response = client.post(f"{API}/imports/{batch.pk}/validate")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == batch.pk and body["status"] == "ready"
    assert body["counts"] == {"create": 0, "update": 0, "unchanged": 1}
    batch.refresh_from_db()
    assert batch.counts == {"create": 0, "update": 0, "unchanged": 1}
    assert batch.validated_at > first_validated
    assert Item.objects.filter(code="RM-PVC").count() == 1, "validating writes no row"


def test_validate_again_is_refused_for_a_closed_batch(client, qa_a):
    batch = services.discard_batch(batch=upload(qa_a, "items", GOOD), user=qa_a)
    client.force_login(qa_a)
    before = audit_count()
    response = client.post(f"{API}/imports/{batch.pk}/validate")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"
    assert "discarded" in response.json()["error"]["message"]
    refreshed = ImportBatch.objects.get(pk=batch.pk)
    assert refreshed.status == BatchStatus.DISCARDED
    assert refreshed.validated_at == batch.validated_at and audit_count() == before


def test_validate_again_needs_the_import_roles_and_our_organization(
    client, qa_a, operator_a, outsider
):
    ours = upload(qa_a, "items", GOOD)
    theirs = upload(outsider, "items", GOOD)
    client.force_login(operator_a)
    refused = client.post(f"{API}/imports/{ours.pk}/validate")
    assert refused.status_code == 403
    assert "catalog.add_item" in refused.json()["error"]["message"]
    client.force_login(qa_a)
    assert client.post(f"{API}/imports/{theirs.pk}/validate").status_code == 404
    for batch in (ours, theirs):
        refreshed = ImportBatch.objects.get(pk=batch.pk)
        assert refreshed.validated_at == batch.validated_at
