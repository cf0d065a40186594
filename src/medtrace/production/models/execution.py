"""What happens on the floor under a released work order, each row the record the device
history record is assembled from: the routing's operations as performed (by whom, on which
equipment in which calibration state, trained on which document revisions), the process
parameters read against the limits of the snapshot, the components consumed (lot or unit,
with the trace event that wrote their genealogy), the output made (the lot's quantity, or
its serialized units), and the labels printed, used and destroyed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.equipment.models import Equipment
from medtrace.production.choices import OperationStatus, ReadingSource, SerialSource
from medtrace.production.models.work_orders import WorkOrder
from medtrace.quality.models import Deviation
from medtrace.trace.models import Lot, TraceEvent, Unit

USER = settings.AUTH_USER_MODEL


class WorkOrderOperation(models.Model):
    """One operation of the order's routing snapshot, as performed. Created at release, one
    per routing operation; performed in the routing's order."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="operations")
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("operation"), max_length=100)
    equipment_type = models.CharField(_("equipment type"), max_length=24, blank=True)
    inspection_plan = models.CharField(_("inspection plan"), max_length=32, blank=True)
    documents = models.JSONField(_("required documents"), default=list, blank=True)
    # Components consumed during this operation are recorded against the serialized unit
    # they go into (the routing says so), not against the lot.
    per_unit = models.BooleanField(_("components per serial"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=OperationStatus.choices,
        default=OperationStatus.PENDING, editable=False,
    )  # fmt: skip
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("equipment"),
    )  # fmt: skip
    # The equipment's standing when the operation started: {"status", "calibration_due_on",
    # "last_calibrated_on"}; the DHR shows it as it was, not as it is now.
    equipment_state = models.JSONField(default=dict, blank=True, editable=False)
    # The document revisions the operator was trained on when starting it:
    # [{"document", "revision", "trained_on"}].
    qualifications = models.JSONField(default=list, blank=True, editable=False)
    started_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("started by"),
    )  # fmt: skip
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("finished by"),
    )  # fmt: skip
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("work-order operation")
        verbose_name_plural = _("work-order operations")
        ordering = ["work_order_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "position"], name="work_order_operation_unique"
            )
        ]

    def __str__(self):
        return f"{self.work_order.number} {self.position} {self.name}"

    @property
    def organization_id(self):
        return self.work_order.organization_id

    @property
    def site_id(self):
        return self.work_order.site_id

    def parameters(self) -> list[dict]:
        """The operation's parameters with their limits, from the order's snapshot."""
        for operation in self.work_order.snapshot.get("routing", {}).get("operations", []):
            if operation["position"] == self.position:
                return operation["parameters"]
        return []


class ParameterReading(models.Model):
    """A process-parameter value read during an operation, with the limits it was checked
    against (copied from the snapshot). A value outside them opened `deviation`."""

    operation = models.ForeignKey(
        WorkOrderOperation, on_delete=models.PROTECT, related_name="readings"
    )
    parameter = models.CharField(_("parameter"), max_length=100)
    unit = models.CharField(_("unit"), max_length=16)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    lower_limit = models.DecimalField(
        _("lower limit"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True)
    upper_limit = models.DecimalField(
        _("upper limit"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    within_limits = models.BooleanField(_("within limits"))
    read_at = models.DateTimeField(_("read at"))
    source = models.CharField(_("source"), max_length=8, choices=ReadingSource.choices)
    # A machine's own ID for the reading: posting it again records it once.
    client_id = models.CharField(_("client ID"), max_length=64, blank=True)
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("equipment"),
    )  # fmt: skip
    deviation = models.ForeignKey(
        Deviation, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("deviation"),
    )  # fmt: skip
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("parameter reading")
        verbose_name_plural = _("parameter readings")
        ordering = ["operation_id", "read_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "client_id"],
                condition=~Q(client_id=""),
                name="reading_client_id_unique",
            )
        ]

    def __str__(self):
        return f"{self.parameter} = {self.value} {self.unit}"


class Consumption(models.Model):
    """A component lot quantity or unit consumed into the order's output: the trace event
    (a TransformationEvent from the line) wrote the genealogy link."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="consumptions")
    operation = models.ForeignKey(
        WorkOrderOperation, on_delete=models.PROTECT, related_name="consumptions", null=True,
        blank=True,
    )  # fmt: skip
    component = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", null=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", null=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    uom = models.CharField(_("unit"), max_length=8)
    # The serialized output unit the component went into, when recorded per unit.
    into_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reason = models.TextField(_("reason for over-consumption"), blank=True)
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="+")
    # Set when the component came back out (disassembly): it may be consumed again.
    returned_event = models.ForeignKey(
        TraceEvent, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    consumed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    consumed_at = models.DateTimeField(_("consumed"))

    class Meta:
        verbose_name = _("consumption")
        verbose_name_plural = _("consumptions")
        ordering = ["work_order_id", "consumed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(unit__isnull=False, returned_event__isnull=True),
                name="unit_consumed_once",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="consumption_positive"),
        ]

    def __str__(self):
        return f"{self.work_order.number}: {self.quantity} {self.uom} {self.component.code}"


class Output(models.Model):
    """What the order made: a quantity of its lot, or one serialized unit of it."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="outputs")
    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    serial_source = models.CharField(
        _("serial"), max_length=10, choices=SerialSource.choices, blank=True
    )
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        ordering = ["work_order_id", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="output_positive"),
        ]

    def __str__(self):
        return f"{self.work_order.number}: {self.unit or self.quantity}"


class SerialCounter(models.Model):
    """The last sequence number handed out for an item's generated serials (row-locked when
    drawing, like lot numbers: no two units get the same serial, none is skipped)."""

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.item.code}: {self.last_number}"


class LabelReconciliation(models.Model):
    """The UDI labels of one packaging level issued to the order: every label printed is
    either used on a product or destroyed before the lot is released."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="labels")
    identifier = models.ForeignKey(DeviceIdentifier, on_delete=models.PROTECT, related_name="+")
    printed = models.PositiveIntegerField(_("printed"), default=0)
    used = models.PositiveIntegerField(_("used"), default=0)
    destroyed = models.PositiveIntegerField(_("destroyed"), default=0)

    class Meta:
        verbose_name = _("label reconciliation")
        verbose_name_plural = _("label reconciliations")
        ordering = ["work_order_id", "identifier_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "identifier"], name="label_reconciliation_unique"
            ),
            models.CheckConstraint(
                condition=Q(used__lte=models.F("printed") - models.F("destroyed")),
                name="labels_used_not_above_printed",
            ),
        ]

    def __str__(self):
        return f"{self.work_order.number} {self.identifier.value}"

    @property
    def reconciled(self) -> bool:
        return self.printed == self.used + self.destroyed

    @property
    def unaccounted(self) -> int:
        return self.printed - self.used - self.destroyed
