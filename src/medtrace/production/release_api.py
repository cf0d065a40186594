"""Labels, completion and QA's release of a work order's lot over the REST API, mounted at
/api/v1/production beside api.py and execution_api.py: labels printed (a PDF) and reconciled,
the order completed, what blocks the release, and the signed release itself. The rules
(label control, the DHR complete, segregation of duties) live in production.services."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from medtrace.accounts.models import User
from medtrace.catalog import selectors as catalog
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.core.pdf import pdf_response
from medtrace.org.models import Location

from .api import BODY_ERRORS, WorkOrderOut, order_or_404
from .choices import WorkOrderStatus
from .services import labels, lot_release
from .services.common import EXECUTE

router = Router(tags=["production"])

PDF = {
    "responses": {
        200: {
            "description": "The labels as one PDF, a page per label.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# --- Labels --------------------------------------------------------------------------------


class LabelOut(Schema):
    device_identifier: str
    issuing_agency: str
    packaging_level: str
    active: bool
    printed: int
    used: int
    destroyed: int
    unaccounted: int
    reconciled: bool


class PrintIn(Schema):
    copies: int = Field(1, description="Alike labels (a serialized base unit: one per unit)")


class ReconcileIn(Schema):
    used: int = Field(..., description="Labels on product (a count, not an increment)")
    destroyed: int
    reason: str = ""


def _label_out(identifier, row) -> dict:
    printed, used, destroyed = (row.printed, row.used, row.destroyed) if row else (0, 0, 0)
    return {
        "device_identifier": identifier.value,
        "issuing_agency": identifier.issuing_agency,
        "packaging_level": identifier.packaging_level,
        "active": identifier.is_active,
        "printed": printed,
        "used": used,
        "destroyed": destroyed,
        "unaccounted": printed - used - destroyed,
        "reconciled": printed == used + destroyed,
    }


@router.get("/work-orders/{int:pk}/labels", response={200: list[LabelOut], **READ_ERRORS})
def list_labels(request, pk: int):
    """Per device identifier of the item (and any printed for the order): labels printed,
    used and destroyed."""
    order = order_or_404(request, pk)
    printed = {row.identifier_id: row for row in order.labels.select_related("identifier")}
    identifiers = {each.pk: each for each in lot_release.labelled_identifiers(order)}
    for row in printed.values():
        identifiers.setdefault(row.identifier_id, row.identifier)
    return [_label_out(each, printed.get(key)) for key, each in identifiers.items()]


@router.post("/work-orders/{int:pk}/labels/{di}/print", response=BODY_ERRORS, openapi_extra=PDF)
def print_labels(request, pk: int, di: str, payload: PrintIn):
    """The labels of one packaging level for the order's lot as a PDF, counted as printed
    (a serialized base unit: one label per unit made, each with its serial)."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    identifier = catalog.get_device_identifier_or_404(request.user, di)
    pdf = labels.print_labels(order, identifier=identifier, by=request.user, copies=payload.copies)
    return pdf_response(pdf, f"{order.number}-{identifier.value}.pdf")


@router.post("/work-orders/{int:pk}/labels/{di}/reconcile", response={200: LabelOut, **BODY_ERRORS})
def reconcile_labels(request, pk: int, di: str, payload: ReconcileIn):
    """Account for the labels printed: how many went on product and how many were
    destroyed (422 when they are more than were printed)."""
    order = order_or_404(request, pk)
    require_perm(request, EXECUTE, order)
    identifier = catalog.get_device_identifier_or_404(request.user, di)
    row = labels.reconcile(
        order, identifier=identifier, used=payload.used, destroyed=payload.destroyed,
        by=request.user, reason=payload.reason,
    )  # fmt: skip
    return _label_out(identifier, row)


# --- Completion and QA's release -----------------------------------------------------------


class ParticipantOut(Schema):
    user: str
    did: str


class BlockersOut(Schema):
    status: WorkOrderStatus
    blockers: list[str] = Field(..., description="Everything keeping QA from releasing the lot")
    participants: list[ParticipantOut] = Field(
        ..., description="Who made or inspected the lot: none of them may release it"
    )


class ReleaseLotIn(Schema):
    password: str = Field(..., description="Your password: the release is signed (released)")
    reason: str = ""
    location: str | None = Field(None, description="Stock location code to put the lot away to")


@router.post("/work-orders/{int:pk}/complete", response={200: WorkOrderOut, **WRITE_ERRORS})
def complete(request, pk: int):
    """The supervisor completes the order: 409 with `details.missing` until every operation
    is done and output recorded."""
    order = order_or_404(request, pk)
    require_perm(request, "production.complete_workorder", order)
    lot_release.complete(order, by=request.user)
    return order_or_404(request, pk)


@router.get("/work-orders/{int:pk}/release-blockers", response={200: BlockersOut, **READ_ERRORS})
def release_blockers(request, pk: int):
    """What keeps QA from releasing the lot (the list a refused release answers with; empty:
    nothing), and who made or inspected it."""
    order = order_or_404(request, pk)
    did = lot_release.participants(order)
    names = dict(User.objects.filter(pk__in=did).values_list("pk", "username"))
    return {
        "status": order.status,
        "blockers": lot_release.blockers(order),
        "participants": [{"user": names[user], "did": what} for user, what in did.items()],
    }


@router.post("/work-orders/{int:pk}/release-lot", response={200: WorkOrderOut, **BODY_ERRORS})
def release_lot(request, pk: int, payload: ReleaseLotIn):
    """QA's signed release of the order's lot, which closes the order. 409 `invalid_state`
    listing everything missing (`details.missing`); 403 `permission_denied` with
    `details.cause` `segregation_of_duties` for someone who made or inspected the lot, 403
    `signature_refused` for a wrong password."""
    order = order_or_404(request, pk)
    require_perm(request, "production.release_lot", order)
    location = None
    if payload.location:
        location = get_object_or_404(Location, site_id=order.site_id, code=payload.location.upper())
    lot_release.release_lot(
        order, by=request.user, password=payload.password, reason=payload.reason,
        location=location,
    )  # fmt: skip
    return order_or_404(request, pk)
