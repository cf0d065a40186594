from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.audit.models import Signature
from medtrace.catalog.models import Bom, Item, Routing
from medtrace.changes.choices import ChangeKind, ChangeStatus
from medtrace.documents.models import DocumentRevision
from medtrace.org.models import Organization, Site
from medtrace.quality.choices import RiskLevel
from medtrace.quality.models import Capa


class ChangeRequest(models.Model):
    """An engineering change (ISO 13485 7.3.9, 21 CFR 820 / QMSR, 医疗器械生产质量管理规范):
    what changes and why, its risk and regulatory impact, and the new BOM and routing versions
    and document revisions it releases, together, on its planned date. Its status moves only
    through changes.workflows.CHANGE."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="change_requests", verbose_name=_("site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ChangeKind.choices)
    reason = models.TextField(_("reason for the change"))
    description = models.TextField(_("description of the change"))
    risk_level = models.CharField(_("risk"), max_length=8, choices=RiskLevel.choices)
    risk_assessment = models.TextField(_("risk assessment (ISO 14971)"), blank=True)
    registration_change = models.BooleanField(
        _("needs a registration change"), default=False,
        help_text=_("The registered product changes: NMPA 变更注册, FDA 510(k) or PMA supplement, "
                    "notified body approval."),
    )  # fmt: skip
    new_udi_di = models.BooleanField(
        _("needs a new UDI-DI"), default=False,
        help_text=_("A change to the device that GS1 / the UDI rules say needs a new device "
                    "identifier."),
    )  # fmt: skip
    regulator_notification = models.BooleanField(
        _("regulators must be notified"), default=False,
        help_text=_("e.g. NMPA 备案变更, a notification to the notified body."),
    )  # fmt: skip
    regulatory_assessment = models.TextField(_("regulatory assessment"), blank=True)
    capa = models.ForeignKey(
        Capa, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests",
        verbose_name=_("CAPA"),
    )  # fmt: skip
    items = models.ManyToManyField(
        Item, related_name="+", blank=True, verbose_name=_("other affected items")
    )
    boms = models.ManyToManyField(Bom, related_name="change_requests", blank=True)
    routings = models.ManyToManyField(Routing, related_name="change_requests", blank=True)
    revisions = models.ManyToManyField(DocumentRevision, related_name="change_requests", blank=True)
    planned_effective_on = models.DateField(
        _("effective on"), null=True, blank=True,
        help_text=_("The day the new versions take effect together; empty: when released."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT,
        editable=False,
    )  # fmt: skip
    review_round = models.PositiveIntegerField(default=0, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        editable=False,
    )  # fmt: skip
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("opened by"),
    )  # fmt: skip
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    implemented_at = models.DateTimeField(_("implemented"), null=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, editable=False)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="change_number_unique")
        ]
        permissions = [
            ("approve_changerequest", "Can approve, release, reject and close change requests")
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def signed_content(self) -> dict:
        """What approvers sign: the change, its assessments and the exact content of every
        version and revision it releases (their own content hashes)."""
        from medtrace.audit.signatures import content_hash

        return {
            "number": self.number,
            "title": self.title,
            "kind": self.kind,
            "reason": self.reason,
            "description": self.description,
            "risk": [self.risk_level, self.risk_assessment],
            "regulatory": [
                self.registration_change,
                self.new_udi_di,
                self.regulator_notification,
                self.regulatory_assessment,
            ],
            "planned_effective_on": self.planned_effective_on,
            "items": sorted(self.items.values_list("code", flat=True)),
            "boms": sorted(
                [b.item.code, b.version, content_hash(b)] for b in self.boms.select_related("item")
            ),
            "routings": sorted(
                [r.item.code, r.version, content_hash(r)]
                for r in self.routings.select_related("item")
            ),
            "revisions": sorted(
                [r.document.number, r.revision, content_hash(r)]
                for r in self.revisions.select_related("document")
            ),
        }

    def signed_content_for(self, meaning) -> dict:
        """Closing (verified) also signs the implementation tasks and their evidence; tasks
        may be planned after approval without breaking the approvals."""
        from medtrace.audit.choices import SignatureMeaning

        content = self.signed_content()
        if meaning == SignatureMeaning.VERIFIED:
            content["tasks"] = [
                [t.description, t.owner_id, t.due_on, t.evidence, t.done_at]
                for t in self.tasks.order_by("pk")
            ]
        return content


class ChangeApproval(models.Model):
    """One approver's signature on a change in review, and the role it was given for."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="approvals")
    review_round = models.PositiveIntegerField()
    role = models.CharField(_("as"), max_length=32)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["change", "review_round", "role"], name="one_change_approval_per_role"
            )
        ]

    def __str__(self):
        return f"{self.change.number} · {self.role}"


class ChangeTask(models.Model):
    """An implementation task (update labels, retrain, revalidate, notify the regulator): who
    does it by when, and the evidence it was done."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="tasks")
    description = models.CharField(_("task"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owner"),
    )  # fmt: skip
    due_on = models.DateField(_("due"))
    before_release = models.BooleanField(
        _("needed before release"), default=True,
        help_text=_("Done before the new versions take effect (e.g. validation); otherwise "
                    "before the change is closed."),
    )  # fmt: skip
    evidence = models.TextField(_("evidence"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        editable=False,
    )  # fmt: skip

    class Meta:
        verbose_name = _("change task")
        verbose_name_plural = _("change tasks")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description[:60]

    @property
    def site_id(self) -> int:
        return self.change.site_id

    @property
    def site(self) -> Site:
        return self.change.site
