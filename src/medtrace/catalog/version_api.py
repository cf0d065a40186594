"""BOM and routing versions over the REST API, mounted into /api/v1/catalog: list an item's
versions, read one, draft a new one, replace a draft's lines or operations, make obsolete. A
draft takes effect through a change request (/api/v1/changes)."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from medtrace.catalog import selectors, services
from medtrace.catalog.models import VersionStatus
from medtrace.catalog.services import versions
from medtrace.catalog.version_views import BOMS, ROUTINGS, VersionKind
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.equipment.choices import EquipmentType

router = Router(tags=["catalog"])


class VersionSummaryOut(Schema):
    id: int
    item: str = Field(..., alias="item.code")
    version: int
    status: VersionStatus
    effective_from: datetime | None
    note: str
    created_at: datetime


class BomLineOut(Schema):
    position: int
    component: str = Field(..., alias="component.code")
    quantity: Decimal
    unit: str
    tolerance_percent: Decimal
    trace_required: bool


class BomOut(VersionSummaryOut):
    lines: list[BomLineOut]

    @staticmethod
    def resolve_lines(bom) -> list:
        return list(bom.lines.select_related("component"))


class ParameterSpec(Schema):
    name: str
    unit: str
    lower_limit: Decimal | None = None
    target: Decimal | None = None
    upper_limit: Decimal | None = None


class OperationSpec(Schema):
    name: str
    work_center: str = ""
    equipment_type: EquipmentType | None = None
    inspection_plan: str = Field("", description="Number of the inspection plan checking it")
    instructions: str = ""
    documents: list[str] = Field(
        [], description="Numbers of the controlled documents its operators must be trained on"
    )
    per_unit: bool = Field(
        False, description="Components consumed here are recorded per serialized unit"
    )
    parameters: list[ParameterSpec] = []


class RecipeOperationOut(OperationSpec):
    position: int

    @staticmethod
    def resolve_equipment_type(operation) -> str | None:
        return operation.equipment_type or None

    @staticmethod
    def resolve_parameters(operation) -> list:
        return list(operation.parameters.all())


class RoutingOut(VersionSummaryOut):
    operations: list[RecipeOperationOut]

    @staticmethod
    def resolve_operations(routing) -> list:
        return list(routing.operations.prefetch_related("parameters").order_by("position"))


class DraftIn(Schema):
    copy_from: int | None = Field(None, description="Copy the content of this version")
    note: str = ""


class RecipeLineIn(Schema):
    component: str = Field(..., description="Item code of the component")
    quantity: Decimal
    unit: str = Field("", description="Default: the component's unit")
    tolerance_percent: Decimal = Decimal("0")
    trace_required: bool = True


class LinesIn(Schema):
    lines: list[RecipeLineIn]
    reason: str = ""


class OperationsIn(Schema):
    operations: list[OperationSpec]
    reason: str = ""


class ObsoleteIn(Schema):
    reason: str


def _version(request, kind: VersionKind, pk: int):
    return get_object_or_404(kind.visible(request.user), pk=pk)


def _add_lifecycle(kind: VersionKind, path: str, out) -> None:
    """The endpoints BOMs and routings share, under /items/{code}/{path} and /{path}/{id}."""

    @router.get(
        f"/items/{{code}}/{path}",
        response={200: list[VersionSummaryOut], **READ_ERRORS},
        operation_id=f"list_item_{path}",
        summary=f"List an item's {path} versions",
    )
    def list_versions(request, code: str):
        """Newest first."""
        item = selectors.get_item_or_404(request.user, code)
        return kind.visible(request.user).filter(item=item).order_by("-version")

    @router.get(
        f"/{path}/{{pk}}",
        response={200: out, **READ_ERRORS},
        operation_id=f"get_{kind.name}",
        summary=f"Read a {kind.name} version",
    )
    def get_version(request, pk: int):
        return _version(request, kind, pk)

    @router.post(
        f"/items/{{code}}/{path}",
        response={201: out, **WRITE_ERRORS},
        operation_id=f"create_{kind.name}_draft",
        summary=f"Draft a new {kind.name} version",
    )
    def create_draft(request, code: str, payload: DraftIn):
        item = selectors.get_item_or_404(request.user, code)
        require_perm(request, kind.perm("add"))
        copy_from = None
        if payload.copy_from is not None:
            copy_from = get_object_or_404(
                kind.model.objects.filter(item=item), version=payload.copy_from
            )
        record = kind.create_draft(
            item=item, by=request.user, copy_from=copy_from, note=payload.note
        )
        return Status(201, record)

    @router.post(
        f"/{path}/{{pk}}/obsolete",
        response={200: out, **WRITE_ERRORS},
        operation_id=f"obsolete_{kind.name}",
        summary=f"Make a {kind.name} version obsolete",
    )
    def obsolete(request, pk: int, payload: ObsoleteIn):
        record = _version(request, kind, pk)
        require_perm(request, kind.perm("change"))
        return versions.make_obsolete(record, by=request.user, reason=payload.reason)


_add_lifecycle(BOMS, "boms", BomOut)
_add_lifecycle(ROUTINGS, "routings", RoutingOut)


@router.put("/boms/{pk}/lines", response={200: BomOut, **WRITE_ERRORS})
def set_bom_lines(request, pk: int, payload: LinesIn):
    """Replace a draft's lines, numbered 10, 20, 30 … in the order given."""
    bom = _version(request, BOMS, pk)
    require_perm(request, "catalog.change_bom")
    lines = [services.LineIn(**line.dict()) for line in payload.lines]
    return services.set_bom_lines(bom=bom, lines=lines, by=request.user, reason=payload.reason)


@router.put("/routings/{pk}/operations", response={200: RoutingOut, **WRITE_ERRORS})
def set_routing_operations(request, pk: int, payload: OperationsIn):
    """Replace a draft's operations and their process parameters, numbered 10, 20, 30 …"""
    routing = _version(request, ROUTINGS, pk)
    require_perm(request, "catalog.change_routing")
    operations = []
    for operation in payload.operations:
        fields = operation.dict()
        fields["equipment_type"] = fields["equipment_type"] or ""
        operations.append(fields)
    return services.set_routing_operations(
        routing=routing, operations=operations, by=request.user, reason=payload.reason
    )
