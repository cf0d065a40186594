"""UDI labels issued to an order, per packaging level (device identifier), and their
reconciliation: every label printed is used on a product or destroyed before QA releases the
lot (21 CFR 820.120 label control). Labels are rendered by the label service (the lot, its
expiry and production date, and for serialized base units one label per unit made); each
print adds its pages to the count."""

import io

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import PackagingLevel, Tracking
from medtrace.catalog.models import DeviceIdentifier
from medtrace.core.errors import ErrorCode
from medtrace.labels.services import device_label_pdf
from medtrace.production.choices import WorkOrderStatus
from medtrace.production.models import LabelReconciliation, WorkOrder

from .common import locked, refuse, require_executor

MAX_COPIES = 1000
LABELLED = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED)


def _check(order: WorkOrder, identifier: DeviceIdentifier, by) -> None:
    require_executor(order, by)
    if order.status not in LABELLED:
        refuse(
            _("%(order)s is %(status)s; labels are printed for a released order until its lot "
              "is released.")
            % {"order": order.number, "status": order.get_status_display()},
            code=ErrorCode.INVALID_STATE,
        )  # fmt: skip
    if identifier.item_id != order.item_id or not identifier.is_active:
        refuse(
            _("%(di)s is not an active device identifier of %(item)s.")
            % {"di": identifier.value, "item": order.item.code},
            "identifier",
        )


def _pages(order: WorkOrder, identifier: DeviceIdentifier, copies: int, by) -> list[bytes]:
    lot = order.lot
    dates = {"expiry": lot.expires_on, "production_date": lot.manufactured_on}
    per_unit = (
        order.item.tracking == Tracking.SERIAL
        and identifier.packaging_level == PackagingLevel.BASE_UNIT
    )
    if per_unit:
        serials = list(lot.units.order_by("serial").values_list("serial", flat=True))
        if not serials:
            refuse(
                _("Record the units made first: each base-unit label carries its serial."),
                code=ErrorCode.INVALID_STATE,
            )
        return [
            device_label_pdf(
                identifier=identifier,
                lot=lot.lot_number,
                serial=serial,
                by=by,
                site_id=order.site_id,
                **dates,
            )
            for serial in serials
        ]
    if not 1 <= copies <= MAX_COPIES:
        refuse(_("Print between 1 and %(most)s labels at a time.") % {"most": MAX_COPIES}, "copies")
    page = device_label_pdf(
        identifier=identifier, lot=lot.lot_number, by=by, site_id=order.site_id, **dates
    )
    return [page] * copies


def print_labels(order: WorkOrder, *, identifier: DeviceIdentifier, by, copies: int = 1) -> bytes:
    """The labels of `identifier` for the order's lot as one PDF (a serialized base unit: one
    per unit made; otherwise `copies` alike), counted as printed."""
    order = WorkOrder.objects.select_related("lot", "item", "site").get(pk=order.pk)
    _check(order, identifier, by)
    pages = _pages(order, identifier, int(copies), by)
    with transaction.atomic():
        order = locked(order)
        row, _created = LabelReconciliation.objects.get_or_create(
            work_order=order, identifier=identifier
        )
        row = LabelReconciliation.objects.select_for_update().get(pk=row.pk)
        before = row.printed
        row.printed += len(pages)
        row.save(update_fields=["printed"])
        audit.record(
            AuditAction.CHANGE, order, by=by,
            changes={f"labels {identifier.value} printed": [before, row.printed]},
        )  # fmt: skip
    return _joined(pages)


def _joined(pages: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    read = {}  # copies of one label are one PDF: read it once
    for page in pages:
        if id(page) not in read:
            read[id(page)] = PdfReader(io.BytesIO(page)).pages
        for each in read[id(page)]:
            writer.add_page(each)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@transaction.atomic
def reconcile(
    order: WorkOrder, *, identifier: DeviceIdentifier, used: int, destroyed: int, by,
    reason: str = "",
) -> LabelReconciliation:  # fmt: skip
    """Account for the printed labels of `identifier`: how many went on product, how many
    were destroyed (counts, not increments: the latest count stands)."""
    order = locked(order)
    _check(order, identifier, by)
    row = (
        LabelReconciliation.objects.select_for_update()
        .filter(work_order=order, identifier=identifier)
        .first()
    )
    if row is None:
        refuse(
            _("No label of %(di)s was printed for %(order)s.")
            % {"di": identifier.value, "order": order.number},
            "identifier",
        )
    used, destroyed = int(used), int(destroyed)
    if used < 0 or destroyed < 0:
        refuse(_("Counts cannot be negative."), "used")
    if used + destroyed > row.printed:
        refuse(
            _("%(used)s used and %(destroyed)s destroyed are more than the %(printed)s printed.")
            % {"used": used, "destroyed": destroyed, "printed": row.printed},
            "used",
        )
    changes = {}
    for name, value in (("used", used), ("destroyed", destroyed)):
        if getattr(row, name) != value:
            changes[f"labels {identifier.value} {name}"] = [getattr(row, name), value]
            setattr(row, name, value)
    if changes:
        row.save(update_fields=["used", "destroyed"])
        audit.record(AuditAction.CHANGE, order, by=by, changes=changes, reason=reason)
    return row
