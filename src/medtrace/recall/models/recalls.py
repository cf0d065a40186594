"""A recall (or a mock-recall drill): why, how serious (NMPA/FDA class, EU FSCA), how deep and
by what strategy, started from lots, units or a supplier's lot and the quality record that
raised it; its scope computed by the trace engine and frozen in numbered snapshots (each
widening or narrowing keeps the one before and the difference)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.org.models import Location, Organization, Site
from medtrace.quality.models import Capa, Complaint, Nonconformance
from medtrace.recall.choices import (
    Depth,
    Place,
    RecallClass,
    RecallEffectiveness,
    RecallStatus,
    Strategy,
)
from medtrace.trace.models import Lot, Party, TraceEvent, TraceObject

USER = settings.AUTH_USER_MODEL


class Recall(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible site")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    drill = models.BooleanField(
        _("mock recall (drill)"),
        default=False,
        help_text=_("A drill scopes and times the recall without holding stock or writing to "
                    "customers."),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason for the recall"))
    hazard = models.TextField(_("health hazard evaluation"), blank=True)
    nmpa_class = models.CharField(
        _("NMPA class"), max_length=3, choices=RecallClass.choices, blank=True
    )
    fda_class = models.CharField(
        _("FDA class"), max_length=3, choices=RecallClass.choices, blank=True
    )
    eu_fsca = models.BooleanField(_("EU field safety corrective action"), default=False)
    depth = models.CharField(_("depth"), max_length=10, choices=Depth.choices)
    strategy = models.CharField(_("strategy"), max_length=10, choices=Strategy.choices)
    effectiveness = models.CharField(
        _("effectiveness checks"), max_length=1, choices=RecallEffectiveness.choices,
        default=RecallEffectiveness.A,
        help_text=_("Which share of the consignees must confirm before the recall may close."),
    )  # fmt: skip
    effectiveness_share = models.PositiveSmallIntegerField(
        _("share to verify (%)"), null=True, blank=True,
        help_text=_("For level B: the percentage of consignees to verify (more than 10)."),
    )  # fmt: skip
    drill_external_mail = models.BooleanField(
        _("drill writes to the consignees"), default=False,
        help_text=_("Off: a drill's notices go to the internal drill mailbox."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=RecallStatus.choices, default=RecallStatus.DRAFT,
        editable=False,
    )  # fmt: skip
    roots = models.ManyToManyField(
        TraceObject, related_name="+", verbose_name=_("started from"), blank=True
    )
    nonconformance = models.ForeignKey(
        Nonconformance, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("nonconformance"),
    )  # fmt: skip
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("complaint"),
    )  # fmt: skip
    capa = models.ForeignKey(
        Capa, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("CAPA"),
    )  # fmt: skip
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, editable=False)

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-opened_at", "-pk"]
        permissions = [
            ("approve_recall", _("Approve recalls (places the holds)")),
            ("close_recall", _("Close recalls")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="recall_number_unique")
        ]

    def __str__(self):
        return self.number

    def current_scope(self):
        return self.scopes.order_by("-version").first()

    def signed_content(self) -> dict:
        """What an approval signs: the decision and the scope it acts on."""
        scope = self.current_scope()
        return {
            "number": self.number,
            "drill": self.drill,
            "title": self.title,
            "reason": self.reason,
            "hazard": self.hazard,
            "nmpa_class": self.nmpa_class,
            "fda_class": self.fda_class,
            "eu_fsca": self.eu_fsca,
            "depth": self.depth,
            "strategy": self.strategy,
            "scope": scope.version if scope else None,
            "objects": scope.summary.get("objects", []) if scope else [],
        }


class ScopeSnapshot(models.Model):
    """The scope as computed at `computed_at` from `roots`: its entries, a summary, and what
    changed from the version before."""

    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="scopes")
    version = models.PositiveIntegerField(_("version"))
    computed_at = models.DateTimeField(_("computed"))
    computed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    roots = models.JSONField(_("started from"), default=list)  # identifiers
    # {"objects": [identifiers], "lots": n, "units": n, "consignees": n, "in_stock": n, ...}
    summary = models.JSONField(default=dict)
    # {"added": [identifiers], "removed": [identifiers]} against the version before.
    diff = models.JSONField(default=dict, blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("recall scope")
        verbose_name_plural = _("recall scopes")
        ordering = ["recall_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["recall", "version"], name="recall_scope_version")
        ]

    def __str__(self):
        return f"{self.recall.number} v{self.version}"


# A reference copied from the trace into a snapshot row: see ScopeEntry.
COPIED = {"on_delete": models.PROTECT, "db_index": False, "db_constraint": False}


class ScopeEntry(models.Model):
    """One affected lot or unit in one place: our stock location, a production line, or a
    consignee it was shipped to (with the shipping event)."""

    # Indexed with the place below. The other references are copied, in the statement that
    # writes the entry (services/scope.py), from rows that are never deleted, and an entry never
    # changes: they get neither an index nor a constraint check per row, which cost most of the
    # time of a whole-plant scope of 100k entries (docs/decisions/0014).
    scope = models.ForeignKey(
        ScopeSnapshot, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    object = models.ForeignKey(TraceObject, related_name="+", **COPIED)
    item = models.ForeignKey(Item, related_name="+", **COPIED)
    lot = models.ForeignKey(Lot, related_name="+", null=True, **COPIED)
    serial = models.CharField(_("serial"), max_length=20, blank=True)
    place = models.CharField(_("where"), max_length=10, choices=Place.choices)
    location = models.ForeignKey(Location, related_name="+", null=True, **COPIED)
    party = models.ForeignKey(Party, related_name="+", null=True, **COPIED)
    shipment = models.ForeignKey(TraceEvent, related_name="+", null=True, **COPIED)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6, null=True)
    uom = models.CharField(_("unit"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("scope entry")
        verbose_name_plural = _("scope entries")
        ordering = ["scope_id", "place", "pk"]
        indexes = [models.Index(fields=["scope", "place"], name="recall_scope_place")]

    def __str__(self):
        return f"{self.object_id} {self.place}"
