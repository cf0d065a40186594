"""The demo's purchasing step on the demo plant: orders in every state, a scanned receipt
released to stock, an inspection started on receipt, a signed source exception."""

from medtrace.purchasing.models import PurchaseOrder, Receipt, SourceException


def test_the_demo_places_and_receives_orders(demo_plant):
    statuses = sorted(PurchaseOrder.objects.values_list("status", flat=True))
    assert statuses == ["draft", "partially_received", "partially_received", "released"]
    assert Receipt.objects.filter(status="released", lot__item__code="CP-NDL07").exists()
    pvc = Receipt.objects.get(lot__item__code="RM-PVC")
    assert pvc.inspection is not None and pvc.inspection.plan.code == "IP-PVC-IN"
    assert SourceException.objects.get().supplier.code == "SUP-SHTYV"


def test_every_purchasing_page_shows_the_demo(demo_plant, client):
    from django.urls import reverse

    client.force_login(demo_plant.users["qa"])
    pages = [reverse("purchasing:order-list"), reverse("purchasing:expected"),
             reverse("purchasing:receipt-list")]  # fmt: skip
    pages += [reverse("purchasing:order-detail", args=[pk])
              for pk in PurchaseOrder.objects.values_list("pk", flat=True)]  # fmt: skip
    pages += [reverse("purchasing:receipt-detail", args=[pk])
              for pk in Receipt.objects.values_list("pk", flat=True)]  # fmt: skip
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    draft = PurchaseOrder.objects.get(status="draft")
    page = client.get(reverse("purchasing:order-detail", args=[draft.pk])).content.decode()
    assert 'data-verdict="conditional"' in page and 'data-action="exception"' in page
    client.force_login(demo_plant.users["warehouse"])
    line = Receipt.objects.get(lot__item__code="RM-PVC").line
    page = client.get(reverse("purchasing:receive", args=[line.pk])).content.decode()
    assert "data-scan-station" in page and 'name="supplier_lot"' in page
