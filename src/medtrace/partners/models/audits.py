from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.org.models import Organization
from medtrace.partners.choices import (
    AuditKind,
    AuditResult,
    AuditStatus,
    FindingClass,
    FindingStatus,
)
from medtrace.partners.models.suppliers import Supplier


class SupplierAudit(models.Model):
    """An audit of a supplier (on site, remote, or of its documents): planned with its scope
    and auditors, its findings recorded, then concluded with a result and signed (meaning
    approved). Its status moves only through partners.workflows.SUPPLIER_AUDIT; once concluded
    the report (the signed content) is fixed, while its findings are still closed one by one."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="audits", verbose_name=_("supplier")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    kind = models.CharField(_("type"), max_length=10, choices=AuditKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AuditStatus.choices,
        default=AuditStatus.PLANNED,
        editable=False,
    )
    planned_on = models.DateField(_("planned for"))
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    scope = models.TextField(_("scope"))
    auditors = models.CharField(
        _("auditors"), max_length=300, help_text=_("Names, the lead auditor first.")
    )
    result = models.CharField(_("result"), max_length=16, choices=AuditResult.choices, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("supplier audit")
        verbose_name_plural = _("supplier audits")
        ordering = ["-planned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="supplier_audit_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.number} {self.supplier.code}"

    def signed_content(self) -> dict:
        """The report as concluded; the findings' later closure is left out (it moves on)."""
        return {
            "number": self.number,
            "supplier": self.supplier.code,
            "kind": self.kind,
            "planned_on": self.planned_on,
            "performed_on": self.performed_on,
            "scope": self.scope,
            "auditors": self.auditors,
            "result": self.result,
            "conclusion": self.conclusion,
            "findings": [
                [f.sequence, f.classification, f.description, f.due_on]
                for f in self.findings.order_by("sequence")
            ],
        }


class AuditFinding(models.Model):
    """What an audit found: major, minor or an observation, with its due date, the CAPA opened
    for it (quality), and its closure with the evidence."""

    audit = models.ForeignKey(SupplierAudit, on_delete=models.PROTECT, related_name="findings")
    sequence = models.PositiveSmallIntegerField(_("number"), editable=False)
    classification = models.CharField(
        _("classification"), max_length=12, choices=FindingClass.choices
    )
    description = models.TextField(_("description"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=FindingStatus.choices,
        default=FindingStatus.OPEN,
        editable=False,
    )
    capa = models.ForeignKey(
        "quality.Capa",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("CAPA"),
        editable=False,
    )
    closure_note = models.TextField(_("closure evidence"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        ordering = ["audit_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "sequence"], name="audit_finding_unique")
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.audit.number}/F{self.sequence}"

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN
