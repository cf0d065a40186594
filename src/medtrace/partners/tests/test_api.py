"""/api/v1/partners: the same rules as the pages, the shared error body, organization scope."""

import pytest

from medtrace.partners.models import Customer, Supplier
from medtrace.partners.tests.conftest import gln

pytestmark = pytest.mark.django_db

API = "/api/v1/partners"


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def test_suppliers_create_list_status_and_certificates(client, buyer_a):
    client.force_login(buyer_a)
    created = post(client, "/suppliers", {"code": "sup-a", "name": "甲", "name_en": "A"})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "prospective"
    refused = post(client, "/suppliers/SUP-A/status", {"status": "approved", "reason": " "})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "reason_required"
    changed = post(client, "/suppliers/sup-a/status", {"status": "approved", "reason": "ok"})
    assert changed.status_code == 200 and changed.json()["status"] == "approved"
    assert client.get(API + "/suppliers", {"status": "approved"}).json()["count"] == 1
    assert client.get(API + "/suppliers", {"q": "zzz"}).json()["count"] == 0
    certificate = post(
        client,
        "/suppliers/SUP-A/certificates",
        {"kind": "iso13485", "number": "C-1", "valid_until": "2020-01-01"},
    )
    assert certificate.status_code == 201, certificate.content
    (listed,) = client.get(API + "/suppliers/SUP-A/certificates").json()
    assert listed["expiry"] == "expired" and listed["has_file"] is False
    assert client.get(API + "/suppliers/SUP-A").json()["name_en"] == "A"


def test_customers_create_list_get_and_gln_refusal(client, clerk_a):
    client.force_login(clerk_a)
    body = {"code": "h-1", "name": "医院", "kind": "hospital", "gln": gln("950600020009")}
    assert post(client, "/customers", body).status_code == 201
    bad = post(client, "/customers", {**body, "code": "h-2", "gln": "9506000200090"[:12] + "x"})
    assert bad.status_code == 422 and "gln" in bad.json()["error"]["details"]["fields"]
    assert not Customer.objects.filter(code="H-2").exists()
    assert client.get(API + "/customers", {"kind": "hospital"}).json()["count"] == 1
    assert client.get(API + "/customers/H-1").json()["gln"] == body["gln"]


def test_operator_reads_but_may_not_write(client, operator_a, supplier):
    client.force_login(operator_a)
    assert client.get(API + "/suppliers/SUP-PVC").status_code == 200
    response = post(client, "/suppliers", {"code": "x", "name": "x"})
    assert response.status_code == 403
    assert "partners.add_supplier" in response.json()["error"]["message"]
    response = post(client, "/suppliers/SUP-PVC/status", {"status": "approved", "reason": "r"})
    assert response.status_code == 403
    assert Supplier.objects.get(pk=supplier.pk).status == "prospective"


def test_another_organization_gets_404(client, supplier, hospital, outsider):
    client.force_login(outsider)
    assert client.get(API + "/suppliers/SUP-PVC").status_code == 404
    assert client.get(API + "/suppliers/SUP-PVC/certificates").status_code == 404
    status = post(client, "/suppliers/SUP-PVC/status", {"status": "approved", "reason": "r"})
    assert status.status_code == 404
    assert client.get(API + "/customers/H-SUDA1").status_code == 404
    assert [s["code"] for s in client.get(API + "/suppliers").json()["items"]] == ["SECRET-S"]
