"""A shipment's printed documents: the packing list (case by case) and the delivery note (what
the customer signs for), both listing lots, serials, expiry, the UDI (GTIN with its AIs),
SSCCs and quantities; and the GS1 logistic label of each case or pallet. Each printing is
audited; rendering is slow I/O, done outside any transaction."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import IssuingAgency, PackagingLevel
from medtrace.catalog.models import DeviceIdentifier
from medtrace.core.pdf import render_pdf
from medtrace.labels.services import CaseContent, sscc_label_pdf

from . import selectors
from .models import Package, ShipmentOrder
from .services.shipment import delivery_token

TEMPLATES = {
    "packing-list": "shipping/packing_list_pdf.html",
    "delivery-note": "shipping/delivery_note_pdf.html",
}


def _gtins(order: ShipmentOrder) -> dict[int, str]:
    """{item id: base-unit GTIN} for the order's items (GS1 device identifiers)."""
    return dict(
        DeviceIdentifier.objects.filter(
            item__in=order.lines.values("item"),
            issuing_agency=IssuingAgency.GS1,
            packaging_level=PackagingLevel.BASE_UNIT,
        ).values_list("item_id", "value")
    )


def udi(gtin: str, lot, serial: str = "") -> str:
    """The UDI in human-readable GS1 form: (01) GTIN (17) expiry (10) lot (21) serial."""
    if not gtin:
        return ""
    text = f"(01){gtin}"
    if lot is not None and lot.expires_on:
        text += f"(17){lot.expires_on:%y%m%d}"
    if lot is not None:
        text += f"(10){lot.lot_number}"
    if serial:
        text += f"(21){serial}"
    return text


def rows(order: ShipmentOrder) -> list[dict]:
    """One row per content line, with the case and pallet it travels in."""
    gtins = _gtins(order)
    found = []
    for package in selectors.packages_of(order):
        for content in package.lines:
            gtin = (content.lot.gtin if content.lot else "") or gtins.get(content.item_id, "")
            found.append(
                {
                    "sscc": package.sscc,
                    "pallet": package.parent.sscc if package.parent_id else "",
                    "item": content.item,
                    "lot": content.lot,
                    "serial": content.serial,
                    "expires_on": content.lot.expires_on if content.lot else None,
                    "gtin": gtin,
                    "udi": udi(gtin, content.lot, content.serial),
                    "quantity": content.quantity,
                    "uom": content.uom,
                }
            )
    return found


def shipment_pdf(order: ShipmentOrder, kind: str, *, request) -> tuple[bytes, str]:
    packages = selectors.packages_of(order)
    context = {
        "order": order,
        "lines": list(order.lines.select_related("item").order_by("position")),
        "rows": rows(order),
        "pallets": [p for p in packages if p.kind == "pallet"],
        "cases": [p for p in packages if p.kind == "case"],
        "organization": order.organization,
        "printed_at": timezone.now(),
    }
    if kind == "delivery-note" and order.status == "shipped":
        context["delivery_link"] = request.build_absolute_uri(
            reverse("shipping:confirm", args=[delivery_token(order)])
        )
    pdf = render_pdf(TEMPLATES[kind], context, request=request)
    with transaction.atomic():
        audit.record(
            AuditAction.EXPORT,
            order,
            by=request.user,
            changes={"document": [None, kind], "bytes": [None, len(pdf)]},
        )
    return pdf, f"{order.number}-{kind}.pdf"


def label_pdf(package: Package, *, by) -> bytes:
    """The GS1 logistic label of a case or pallet (labels.sscc_label_pdf audits it)."""
    order = package.order
    gtins = _gtins(order)
    counts: dict[tuple[str, str], int] = {}
    contents = package.contents.select_related("lot", "item")
    if package.kind == "pallet":
        contents = [c for case in package.children.all() for c in case.contents.all()]
    for content in contents:
        gtin = (content.lot.gtin if content.lot else "") or gtins.get(content.item_id, "")
        if not gtin:
            continue
        key = (gtin, content.lot.lot_number if content.lot else "")
        counts[key] = counts.get(key, 0) + int(content.quantity)
    return sscc_label_pdf(
        sscc=package.sscc,
        contents=[CaseContent(gtin=g, lot=lot, count=n) for (g, lot), n in counts.items()],
        ship_from=f"{order.organization.display_name}\n{order.site.display_name}",
        ship_to=f"{order.customer.display_name}\n{order.ship_to}",
        by=by,
    )
