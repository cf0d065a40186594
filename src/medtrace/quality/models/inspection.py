from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.equipment.choices import EquipmentType
from medtrace.equipment.models import Equipment
from medtrace.org.models import Organization, Site, code_validator
from medtrace.partners.models import Supplier
from medtrace.quality.choices import (
    CharacteristicKind,
    DefectClass,
    InspectionLevel,
    InspectionSeverity,
    InspectionStage,
    InspectionStatus,
    InspectionVerdict,
)
from medtrace.quality.sampling import AQL_SERIES
from medtrace.trace.models import Lot

AQL_CHOICES = [(str(aql), str(aql)) for aql in AQL_SERIES]


class InspectionPlan(models.Model):
    """What to check on an item at a stage (incoming, in-process, final), with the AQL of each
    class of nonconformity and the inspection level that size the sample (ISO 2859-1).
    Organization-wide master data, referred to by its code (routing operations name it)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    stage = models.CharField(_("stage"), max_length=12, choices=InspectionStage.choices)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("item"),
    )  # fmt: skip
    inspection_level = models.CharField(
        _("inspection level"),
        max_length=4,
        choices=InspectionLevel.choices,
        default=InspectionLevel.II,
    )
    aql_critical = models.CharField(
        _("AQL critical"), max_length=6, choices=AQL_CHOICES, blank=True
    )
    aql_major = models.CharField(_("AQL major"), max_length=6, choices=AQL_CHOICES, blank=True)
    aql_minor = models.CharField(_("AQL minor"), max_length=6, choices=AQL_CHOICES, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="inspection_plan_code_unique"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def aqls(self) -> dict[str, str]:
        """{defect class: AQL} for the classes this plan judges."""
        given = {
            DefectClass.CRITICAL: self.aql_critical,
            DefectClass.MAJOR: self.aql_major,
            DefectClass.MINOR: self.aql_minor,
        }
        return {str(key): value for key, value in given.items() if value}


class Characteristic(models.Model):
    """One thing to check on every sampled unit: pass / fail, or a measurement against
    limits; its nonconformity counts in its defect class."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.PROTECT, related_name="characteristics"
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("characteristic"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=CharacteristicKind.choices)
    defect_class = models.CharField(_("defect class"), max_length=8, choices=DefectClass.choices)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    lower_limit = models.DecimalField(
        _("lower limit"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    upper_limit = models.DecimalField(
        _("upper limit"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    equipment_type = models.CharField(
        _("equipment type"), max_length=24, choices=EquipmentType.choices, blank=True
    )
    method = models.TextField(_("method"), blank=True)

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="characteristic_position_unique"
            )
        ]

    def __str__(self):
        return self.name

    def conforms(self, *, value=None, passed=None) -> bool:
        if self.kind == CharacteristicKind.ATTRIBUTE:
            return bool(passed)
        return (self.lower_limit is None or value >= self.lower_limit) and (
            self.upper_limit is None or value <= self.upper_limit
        )


class SamplingScheme(models.Model):
    """Where the ISO 2859-1 switching rules stand for one supplier's lots of one item
    (quality.switching.SwitchingState, stored as its dict)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sampling scheme")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "item"], name="sampling_scheme_unique")
        ]

    def __str__(self):
        return f"{self.supplier_id}/{self.item_id}: {self.state.get('status', 'normal')}"


class InspectionRecord(models.Model):
    """One inspection of a lot (or a quantity) against a plan. The sample sizes and the
    acceptance numbers are fixed when it starts; the verdict is computed from the results when
    the inspector signs it, never typed."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.PROTECT, related_name="records", verbose_name=_("plan")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=InspectionStage.choices)
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections",
        verbose_name=_("lot"),
    )  # fmt: skip
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("supplier"),
    )  # fmt: skip
    lot_size = models.PositiveIntegerField(_("lot size"))
    severity = models.CharField(
        _("inspection severity"), max_length=10, choices=InspectionSeverity.choices
    )
    # {defect class: {"aql", "code_letter", "sample_size", "accept", "reject", ...}}
    sampling = models.JSONField(_("sampling plans"), editable=False)
    sample_size = models.PositiveIntegerField(_("units to draw"), editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.IN_PROGRESS,
        editable=False,
    )
    verdict = models.CharField(
        _("verdict"), max_length=28, choices=InspectionVerdict.choices, blank=True, editable=False
    )
    # {defect class: {"defectives", "accept", "reject", "verdict"}}
    verdict_detail = models.JSONField(_("verdict by class"), default=dict, editable=False)
    equipment = models.ManyToManyField(
        Equipment, through="InspectionInstrument", related_name="+", verbose_name=_("equipment")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("inspector"),
    )  # fmt: skip
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="inspection_number_unique"
            )
        ]
        indexes = [models.Index(fields=["site", "status"], name="inspection_by_site_status")]

    def __str__(self):
        return f"{self.number} {self.plan.code}"

    def signed_content(self) -> dict:
        """What the inspector signs: the sampling and every result (the status and the verdict
        follow from them)."""
        return {
            "number": self.number,
            "plan": self.plan_id,
            "lot": self.lot_id,
            "lot_size": self.lot_size,
            "sampling": self.sampling,
            "results": [
                [row.characteristic_id, row.sample, row.value, row.passed]
                for row in self.results.order_by("characteristic_id", "sample")
            ],
            "equipment": sorted(self.instruments.values_list("equipment_id", flat=True)),
        }


class InspectionInstrument(models.Model):
    """Equipment used in an inspection, with its calibration due date when it was used."""

    record = models.ForeignKey(
        InspectionRecord, on_delete=models.PROTECT, related_name="instruments"
    )
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="+")
    calibration_due_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "equipment"], name="inspection_instrument_unique"
            )
        ]

    def __str__(self):
        return str(self.equipment_id)


class InspectionResult(models.Model):
    """The finding on one characteristic of one sampled unit (1 = the first unit drawn)."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="results")
    characteristic = models.ForeignKey(Characteristic, on_delete=models.PROTECT, related_name="+")
    sample = models.PositiveIntegerField(_("sample"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    conforming = models.BooleanField(_("conforming"), editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["characteristic_id", "sample"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "characteristic", "sample"], name="inspection_result_unique"
            )
        ]

    def __str__(self):
        return f"{self.characteristic_id}#{self.sample}"
