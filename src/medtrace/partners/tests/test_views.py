"""The partners' pages: lists with search and filters, details with badges and history, forms,
what each role may do, and another organization's records answering 404."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from medtrace.partners import services
from medtrace.partners.choices import SupplierStatus
from medtrace.partners.models import ApprovedSource, Customer, Supplier
from medtrace.partners.tests.conftest import HOSPITAL_GLN, approve_now, gln

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_everyone_reads_suppliers_and_customers_but_operators_change_nothing(
    client, operator_a, supplier, hospital
):
    client.force_login(operator_a)
    listing = page(client, "/partners/suppliers/")
    assert "SUP-PVC" in listing and "New supplier" not in listing
    assert "Suppliers" in listing and "Customers" in listing  # master-data menu
    assert "Edit" not in page(client, "/partners/suppliers/SUP-PVC/")
    assert "H-SUDA1" in page(client, "/partners/customers/")
    for url in [
        "/partners/suppliers/new/",
        "/partners/suppliers/SUP-PVC/edit/",
        "/partners/suppliers/SUP-PVC/certificates/new/",
        "/partners/suppliers/SUP-PVC/audits/new/",
        "/partners/customers/new/",
        "/partners/customers/H-SUDA1/edit/",
    ]:
        assert client.get(url).status_code == 403, url
    action = f"/partners/suppliers/id/{supplier.pk}/actions/start_evaluation/"
    assert client.post(action).status_code == 403
    assert Supplier.objects.get(pk=supplier.pk).status == SupplierStatus.PROSPECTIVE


def test_supplier_list_searches_and_filters_by_status(client, qa_a, supplier, organization):
    services.create_supplier(organization=organization, code="SUP-NDL", name="江苏精针")
    approve_now(supplier, qa_a)
    client.force_login(qa_a)
    assert "SUP-NDL" not in page(client, "/partners/suppliers/", q="康塑")
    approved = page(client, "/partners/suppliers/", status="approved")
    assert "SUP-PVC" in approved and "SUP-NDL" not in approved
    fragment = client.get("/partners/suppliers/", {"q": "NDL"}, headers={"HX-Request": "true"})
    assert "SUP-NDL" in fragment.content.decode() and "<html" not in fragment.content.decode()


def test_buyer_creates_a_supplier_and_sources_it_once_approved(client, buyer_a, qa_a, pvc):
    """The whole qualification through the pages is test_qualification_views'; here the
    approved-source rule around it."""
    client.force_login(buyer_a)
    response = client.post(
        "/partners/suppliers/new/", {"code": "sup-new", "name": "新供应商", "country": "CN"}
    )
    assert response.status_code == 302
    supplier = Supplier.objects.get(code="SUP-NEW")
    refused = client.post(
        "/partners/suppliers/SUP-NEW/approved-sources/new/", {"item": pvc.pk, "status": "approved"}
    )
    assert "only an approved or conditionally approved" in refused.content.decode()
    assert not ApprovedSource.objects.exists()
    approve_now(supplier, qa_a)
    assert Supplier.objects.get(pk=supplier.pk).status == SupplierStatus.APPROVED
    client.post(
        "/partners/suppliers/SUP-NEW/approved-sources/new/", {"item": pvc.pk, "status": "approved"}
    )
    assert "RM-PVC" in page(client, "/partners/suppliers/SUP-NEW/")


def test_supplier_history_shows_the_status_reason_to_qa(client, qa_a, supplier):
    services.start_evaluation(supplier, by=qa_a, reason="CAPA-7 open")
    client.force_login(qa_a)
    assert "CAPA-7 open" in page(client, "/partners/suppliers/SUP-PVC/")


def test_supplier_page_shows_certificate_badges_and_serves_the_document(
    client, qa_a, supplier, operator_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    today = timezone.localdate()
    client.force_login(qa_a)
    response = client.post(
        "/partners/suppliers/SUP-PVC/certificates/new/",
        {
            "kind": "iso13485",
            "number": "CN-13485-9",
            "valid_until": (today + datetime.timedelta(days=20)).isoformat(),
            "file": SimpleUploadedFile("iso.pdf", b"%PDF-1.7\n"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    services.add_certificate(
        supplier=supplier,
        kind="business_licence",
        number="OLD-1",
        valid_until=today - datetime.timedelta(days=1),
    )
    client.force_login(operator_a)
    detail = page(client, "/partners/suppliers/SUP-PVC/")
    assert '<span class="badge warn">expires soon</span>' in detail
    assert '<span class="badge bad">expired</span>' in detail
    certificate = supplier.certificates.get(number="CN-13485-9")
    download = client.get(f"/partners/certificates/{certificate.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7\n"


def test_clerk_creates_and_edits_a_customer_with_gln_check(client, clerk_a):
    client.force_login(clerk_a)
    body = {"code": "d-js", "name": "江苏华康", "kind": "distributor", "gln": gln("950600030001")}
    wrong = {**body, "gln": body["gln"][:-1] + str((int(body["gln"][-1]) + 1) % 10)}
    refused = client.post("/partners/customers/new/", wrong)
    assert refused.status_code == 200 and "check digit" in refused.content.decode()
    assert not Customer.objects.exists()
    assert client.post("/partners/customers/new/", body).status_code == 302
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    response = client.post(
        "/partners/customers/D-JS/edit/",
        {**body, "licence_number": "苏械经营许1", "licence_valid_until": past},
    )
    assert response.status_code == 302
    detail = page(client, "/partners/customers/D-JS/")
    assert '<span class="badge bad">expired</span>' in detail and "苏械经营许1" in detail
    assert '<span class="badge bad">expired</span>' in page(client, "/partners/customers/")


def test_customer_list_searches_gln(client, qa_a, hospital):
    client.force_login(qa_a)
    assert "H-SUDA1" in page(client, "/partners/customers/", q=HOSPITAL_GLN)
    assert "H-SUDA1" not in page(client, "/partners/customers/", kind="clinic")


def test_another_organizations_records_answer_404(client, qa_a, supplier, hospital, outsider):
    client.force_login(outsider)
    assert "SUP-PVC" not in page(client, "/partners/suppliers/")
    assert "SECRET-S" in page(client, "/partners/suppliers/")
    for url in [
        "/partners/suppliers/SUP-PVC/",
        "/partners/suppliers/SUP-PVC/audits/new/",
        f"/partners/suppliers/id/{supplier.pk}/",
        "/partners/customers/H-SUDA1/",
        f"/partners/customers/id/{hospital.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    client.force_login(qa_a)
    assert client.get("/partners/suppliers/SECRET-S/").status_code == 404


@pytest.mark.parametrize("url", ["/partners/suppliers/", "/partners/customers/"])
def test_list_page_query_count_does_not_grow_with_rows(client, qa_a, organization, url):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, url)
        return len(captured)

    def add(first, last):
        for number in range(first, last):
            supplier = services.create_supplier(
                organization=organization, code=f"S-{number:02d}", name="供", contact="张"
            )
            approve_now(supplier, qa_a)
            services.create_customer(
                organization=organization,
                code=f"C-{number:02d}",
                name="医",
                kind="hospital",
                gln=gln(f"950600020{number:03d}"),
                licence_valid_until=timezone.localdate() + datetime.timedelta(days=number),
            )

    client.force_login(qa_a)
    add(0, 3)
    queries()  # the session's first request does its own bookkeeping
    few = queries()
    add(3, 30)
    assert queries() == few
