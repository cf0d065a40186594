"""/api/v1/partners: the same rules as the pages, the shared error body, organization scope;
each write with its audit entry, each refusal with nothing changed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medtrace.accounts.services import create_api_token
from medtrace.audit.models import AuditEntry
from medtrace.catalog import services as catalog
from medtrace.partners import services
from medtrace.partners.models import ApprovedSource, Customer, Supplier, SupplierCertificate
from medtrace.partners.tests.conftest import (
    HOSPITAL_GLN,
    approve_now,
    approve_with_conditions,
    gln,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/partners"


def post(client, path, body, **kwargs):
    return client.post(API + path, body, content_type="application/json", **kwargs)


def patch(client, path, body, **kwargs):
    return client.patch(API + path, body, content_type="application/json", **kwargs)


def entries(obj):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("sequence")


def fields_of(response) -> dict:
    """The refused fields of a 422: a rule's `fields`, or the request's `errors` by name."""
    details = response.json()["error"]["details"]
    if "fields" in details:
        return details["fields"]
    return {error["loc"][-1]: error["msg"] for error in details["errors"]}


@pytest.fixture
def approved_supplier(supplier, qa_a):
    return approve_now(supplier, qa_a)


def test_suppliers_create_list_status_and_certificates(client, buyer_a):
    client.force_login(buyer_a)
    created = post(client, "/suppliers", {"code": "sup-a", "name": "甲", "name_en": "A"})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "prospective"
    refused = post(client, "/suppliers/SUP-A/status", {"status": "approved", "reason": " "})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "reason_required"
    direct = post(client, "/suppliers/sup-a/status", {"status": "approved", "reason": "ok"})
    assert direct.status_code == 409  # approval follows an evaluation, by QA's signature
    assert "cannot become Approved directly" in direct.json()["error"]["message"]
    changed = post(
        client, "/suppliers/sup-a/status", {"status": "under_evaluation", "reason": "ok"}
    )
    assert changed.status_code == 200 and changed.json()["status"] == "under_evaluation"
    assert client.get(API + "/suppliers", {"status": "under_evaluation"}).json()["count"] == 1
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


def test_patch_supplier_changes_only_what_is_sent_with_the_reason_audited(
    client, buyer_a, supplier
):
    client.force_login(buyer_a)
    response = patch(
        client, "/suppliers/sup-pvc", {"contact": "李四", "country": "de", "reason": "New rep"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["contact"] == "李四" and body["country"] == "DE"
    assert body["name"] == "浙江康塑医用材料有限公司" and body["status"] == "prospective"
    entry = entries(supplier).last()
    assert entry.action == "change" and entry.actor_id == buyer_a.pk
    assert entry.changes == {"contact": ["张华", "李四"], "country": ["CN", "DE"]}
    assert entry.reason == "New rep"


def test_patch_supplier_never_writes_status_or_code(client, buyer_a, supplier):
    """As in the catalog, fields a PATCH body does not name are ignored: the status changes
    only through POST .../status."""
    client.force_login(buyer_a)
    before = AuditEntry.objects.count()
    response = patch(client, "/suppliers/SUP-PVC", {"status": "approved", "code": "X"})
    assert response.status_code == 200
    assert response.json()["status"] == "prospective" and response.json()["code"] == "SUP-PVC"
    stored = Supplier.objects.get(pk=supplier.pk)
    assert (stored.status, stored.code) == ("prospective", "SUP-PVC")
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"country": "DEU"}, "country"), ({"name": ""}, "name"), ({"name": None}, "name")],
)
def test_patch_supplier_refuses_a_bad_field_by_name_and_changes_nothing(
    client, buyer_a, supplier, body, field
):
    client.force_login(buyer_a)
    before = AuditEntry.objects.count()
    response = patch(client, "/suppliers/SUP-PVC", {**body, "contact": "李四"})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert field in fields_of(response)
    stored = Supplier.objects.get(pk=supplier.pk)
    assert (stored.contact, stored.country, stored.name) == ("张华", "CN", supplier.name)
    assert AuditEntry.objects.count() == before


def test_patch_customer_updates_its_licence_with_the_reason_audited(client, clerk_a, hospital):
    client.force_login(clerk_a)
    response = patch(
        client,
        "/customers/h-suda1",
        {
            "licence_number": "PDY-2026-1",
            "licence_valid_until": "2031-12-31",
            "contact": "王医生",
            "reason": "Licence renewed",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["licence_valid_until"] == "2031-12-31" and body["licence_expiry"] == "valid"
    assert body["gln"] == HOSPITAL_GLN and body["kind"] == "hospital"
    entry = entries(hospital).last()
    assert entry.action == "change" and entry.actor_id == clerk_a.pk
    assert entry.reason == "Licence renewed"
    assert set(entry.changes) == {"licence_number", "licence_valid_until", "contact"}
    cleared = patch(client, "/customers/H-SUDA1", {"licence_valid_until": None})
    assert cleared.status_code == 200 and cleared.json()["licence_valid_until"] is None


def test_patch_customer_refuses_a_wrong_gln_or_kind_and_changes_nothing(client, clerk_a, hospital):
    client.force_login(clerk_a)
    before = AuditEntry.objects.count()
    wrong = HOSPITAL_GLN[:-1] + str((int(HOSPITAL_GLN[-1]) + 1) % 10)
    bad_gln = patch(client, "/customers/H-SUDA1", {"gln": wrong, "region": "上海"})
    assert bad_gln.status_code == 422 and "gln" in fields_of(bad_gln)
    bad_kind = patch(client, "/customers/H-SUDA1", {"kind": "pharmacy", "region": "上海"})
    assert bad_kind.status_code == 422 and "kind" in fields_of(bad_kind)
    stored = Customer.objects.get(pk=hospital.pk)
    assert (stored.gln, stored.region, stored.kind) == (HOSPITAL_GLN, "江苏", "hospital")
    assert AuditEntry.objects.count() == before


def test_patch_customer_refuses_null_for_a_text_field_by_name(client, clerk_a, hospital):
    """Schemathesis found a JSON null in a text field that may be blank reaching the database
    (a 500 on PostgreSQL): it is a 422 naming the field, and nothing changes."""
    client.force_login(clerk_a)
    before = AuditEntry.objects.count()
    response = patch(client, "/customers/H-SUDA1", {"region": None, "contact": "王医生"})
    assert response.status_code == 422, response.content
    assert "region" in fields_of(response)
    stored = Customer.objects.get(pk=hospital.pk)
    assert (stored.region, stored.contact) == ("江苏", hospital.contact)
    assert AuditEntry.objects.count() == before


def test_approved_sources_create_and_list_per_supplier_and_per_item(
    client, buyer_a, approved_supplier, pvc, organization, qa_a
):
    client.force_login(buyer_a)
    response = post(
        client,
        "/suppliers/sup-pvc/approved-sources",
        {"item": "rm-pvc", "since": "2026-01-15", "note": "Audit SA-1"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supplier"] == "SUP-PVC" and body["item"] == "RM-PVC"
    assert body["status"] == "approved" and body["since"] == "2026-01-15"
    assert body["supplier_status"] == "approved"
    source = ApprovedSource.objects.get(pk=body["id"])
    entry = entries(source).get()
    assert entry.action == "create" and entry.actor_id == buyer_a.pk
    other = services.create_supplier(organization=organization, code="SUP-2", name="乙")
    approve_with_conditions(other, qa_a)
    conditional = post(
        client, "/suppliers/SUP-2/approved-sources", {"item": "RM-PVC", "status": "conditional"}
    )
    assert conditional.status_code == 201, conditional.content
    by_supplier = client.get(API + "/suppliers/SUP-PVC/approved-sources").json()
    assert [s["item"] for s in by_supplier] == ["RM-PVC"]
    by_item = client.get(API + "/items/rm-pvc/approved-sources").json()
    assert [(s["supplier"], s["status"]) for s in by_item] == [
        ("SUP-2", "conditional"),
        ("SUP-PVC", "approved"),
    ]


def test_approved_source_refusals_name_the_rule_and_write_nothing(
    client, buyer_a, supplier, pvc, qa_a
):
    client.force_login(buyer_a)
    path = "/suppliers/SUP-PVC/approved-sources"
    before = AuditEntry.objects.count()
    prospective = post(client, path, {"item": "RM-PVC"})
    assert prospective.status_code == 409
    assert prospective.json()["error"]["code"] == "invalid_state"
    approve_now(supplier, qa_a)
    before = AuditEntry.objects.count()
    assert post(client, path, {"item": "NO-SUCH"}).status_code == 404
    bad_status = post(client, path, {"item": "RM-PVC", "status": "maybe"})
    assert bad_status.status_code == 422 and "status" in fields_of(bad_status)
    catalog.set_item_active(item=pvc, active=False, by=qa_a)
    before = AuditEntry.objects.count()
    inactive = post(client, path, {"item": "RM-PVC"})
    assert inactive.status_code == 409 and "item" in fields_of(inactive)
    assert not ApprovedSource.objects.exists()
    assert AuditEntry.objects.count() == before
    catalog.set_item_active(item=pvc, active=True, by=qa_a)
    assert post(client, path, {"item": "RM-PVC"}).status_code == 201
    duplicate = post(client, path, {"item": "RM-PVC"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "duplicate"
    assert ApprovedSource.objects.count() == 1


def test_certificate_with_its_document_upload_and_download(client, buyer_a, supplier, outsider):
    client.force_login(buyer_a)
    response = client.post(
        API + "/suppliers/SUP-PVC/certificates/with-file",
        {
            "kind": "iso13485",
            "number": "CN-13485-9",
            "valid_until": "2028-06-30",
            "file": SimpleUploadedFile("iso.pdf", b"%PDF-1.4 api", "application/pdf"),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["has_file"] is True
    certificate = SupplierCertificate.objects.get(pk=response.json()["id"])
    assert entries(certificate).get().changes["file"] == [None, certificate.file.name]
    download = client.get(f"{API}/certificates/{certificate.pk}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 api"
    disguised = client.post(
        API + "/suppliers/SUP-PVC/certificates/with-file",
        {
            "kind": "iso13485",
            "number": "CN-HTML",
            "valid_until": "2028-06-30",
            "file": SimpleUploadedFile("iso.pdf", b"<html><script>x()</script>", "application/pdf"),
        },
    )
    assert disguised.status_code == 422
    assert "does not match its name" in disguised.json()["error"]["details"]["fields"]["file"][0]
    assert not SupplierCertificate.objects.filter(number="CN-HTML").exists()
    bad = client.post(
        API + "/suppliers/SUP-PVC/certificates/with-file",
        {"kind": "iso13485", "number": "X", "valid_until": "2028-06-30"},
    )
    assert bad.status_code == 422 and "file" in fields_of(bad)
    assert SupplierCertificate.objects.count() == 1
    client.force_login(outsider)
    assert client.get(f"{API}/certificates/{certificate.pk}/file").status_code == 404


def test_certificate_without_document_has_no_file_to_download(client, buyer_a, supplier):
    certificate = services.add_certificate(
        supplier=supplier, kind="other", number="N-1", valid_until=datetime.date(2030, 1, 1)
    )
    client.force_login(buyer_a)
    response = client.get(f"{API}/certificates/{certificate.pk}/file")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_operator_may_not_patch_or_source(client, operator_a, approved_supplier, hospital, pvc):
    client.force_login(operator_a)
    before = AuditEntry.objects.count()
    for response, perm in [
        (patch(client, "/suppliers/SUP-PVC", {"contact": "x"}), "partners.change_supplier"),
        (patch(client, "/customers/H-SUDA1", {"contact": "x"}), "partners.change_customer"),
        (
            post(client, "/suppliers/SUP-PVC/approved-sources", {"item": "RM-PVC"}),
            "partners.add_approvedsource",
        ),
    ]:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert perm in response.json()["error"]["message"]
    assert client.get(API + "/items/RM-PVC/approved-sources").status_code == 200
    assert Supplier.objects.get(pk=approved_supplier.pk).contact == "张华"
    assert Customer.objects.get(pk=hospital.pk).contact == ""
    assert not ApprovedSource.objects.exists()
    assert AuditEntry.objects.count() == before


def test_another_organization_cannot_write_ours(client, approved_supplier, hospital, pvc, outsider):
    client.force_login(outsider)
    before = AuditEntry.objects.count()
    assert patch(client, "/suppliers/SUP-PVC", {"contact": "x"}).status_code == 404
    assert patch(client, "/customers/H-SUDA1", {"contact": "x"}).status_code == 404
    assert client.get(API + "/suppliers/SUP-PVC/approved-sources").status_code == 404
    assert client.get(API + "/items/RM-PVC/approved-sources").status_code == 404
    sourced = post(client, "/suppliers/SUP-PVC/approved-sources", {"item": "RM-PVC"})
    assert sourced.status_code == 404
    # Their own supplier cannot be made a source of our item either.
    approve_now(Supplier.objects.get(code="SECRET-S"), outsider)
    before = AuditEntry.objects.count()
    theirs = post(client, "/suppliers/SECRET-S/approved-sources", {"item": "RM-PVC"})
    assert theirs.status_code == 404
    assert Supplier.objects.get(pk=approved_supplier.pk).contact == "张华"
    assert Customer.objects.get(pk=hospital.pk).contact == ""
    assert not ApprovedSource.objects.exists()
    assert AuditEntry.objects.count() == before


def test_read_only_token_cannot_patch(client, buyer_a, site_a, supplier):
    _token, plaintext = create_api_token(
        user=buyer_a, name="ro", sites=[site_a], can_write=False, expires_in_days=5, by=buyer_a
    )
    headers = {"Authorization": f"Bearer {plaintext}"}
    response = patch(client, "/suppliers/SUP-PVC", {"contact": "x"}, headers=headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "token_read_only"
    assert Supplier.objects.get(pk=supplier.pk).contact == "张华"


def test_write_token_patches_and_the_audit_entry_names_it(client, buyer_a, site_a, supplier):
    token, plaintext = create_api_token(
        user=buyer_a, name="rw", sites=[site_a], can_write=True, expires_in_days=5, by=buyer_a
    )
    headers = {"Authorization": f"Bearer {plaintext}"}
    response = patch(client, "/suppliers/SUP-PVC", {"address": "杭州"}, headers=headers)
    assert response.status_code == 200, response.content
    entry = entries(supplier).last()
    assert entry.actor_id == buyer_a.pk and entry.api_token == token.prefix


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", [API + "/suppliers", API + "/customers", API + "/items/RM-PVC/approved-sources"]
)
def test_list_query_count_does_not_grow_with_rows(client, qa_a, organization, pvc, url):
    def add(first, last):
        for number in range(first, last):
            supplier = services.create_supplier(
                organization=organization, code=f"S-{number:02d}", name="供"
            )
            approve_now(supplier, qa_a)
            services.approve_source(supplier=supplier, item=pvc, by=qa_a)
            services.create_customer(
                organization=organization, code=f"C-{number:02d}", name="医", kind="clinic"
            )

    client.force_login(qa_a)
    add(0, 3)
    _count_queries(client, url)  # the session's first request does its own bookkeeping
    few = _count_queries(client, url)
    add(3, 30)
    assert _count_queries(client, url) == few
