"""The approved-source check purchasing and receiving call before ordering from a supplier or
receiving its lot (ISO 13485 7.4.1; 医疗器械生产质量管理规范 第七章):

    verdict = check_approved_source(supplier=supplier, item=item)      # a Verdict, never raises
    require_approved_source(supplier=supplier, item=item)              # DomainError if refused

Allowed: an approved supplier listed as an approved source of the item. Conditional: the
supplier or its listing is conditional; the verdict carries the conditions and their deadline.
Refused, with the reason: the supplier is disqualified, prospective or under evaluation (a
requalification included), it is not listed for the item (or only from a later day), or its
conditions' deadline has passed."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.models import Item
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.partners.choices import ApprovedSourceStatus, SupplierStatus, Verdict
from medtrace.partners.models import ApprovedSource, Supplier


@dataclass(frozen=True)
class SourceVerdict:
    verdict: Verdict
    supplier: Supplier
    item: Item
    reason: str
    conditions: str = ""
    conditions_due_on: datetime.date | None = None
    source: ApprovedSource | None = None

    @property
    def allowed(self) -> bool:
        return self.verdict != Verdict.REFUSED

    def as_dict(self) -> dict:
        return {
            "verdict": str(self.verdict),
            "supplier": self.supplier.code,
            "supplier_status": self.supplier.status,
            "item": self.item.code,
            "reason": self.reason,
            "conditions": self.conditions,
            "conditions_due_on": self.conditions_due_on,
        }


def verdict_for(
    supplier: Supplier, item: Item, source: ApprovedSource | None, on: datetime.date
) -> SourceVerdict:
    """The verdict from what is already read (the list page computes one per row this way)."""
    names = {
        "supplier": supplier.code,
        "item": item.code,
        "status": supplier.get_status_display(),
    }

    def refused(message):
        return SourceVerdict(Verdict.REFUSED, supplier, item, str(message % names), source=source)

    if supplier.organization_id != item.organization_id:
        return refused(_("%(supplier)s is not an approved source of %(item)s."))
    if supplier.status == SupplierStatus.DISQUALIFIED:
        return refused(_("Supplier %(supplier)s is disqualified: nothing may be bought from it."))
    if supplier.status not in (SupplierStatus.APPROVED, SupplierStatus.CONDITIONAL):
        return refused(
            _("Supplier %(supplier)s is %(status)s, not approved: nothing may be bought from it.")
        )
    if source is None:
        return refused(_("%(supplier)s is not an approved source of %(item)s."))
    if source.since > on:
        names["since"] = source.since.isoformat()
        return refused(_("%(supplier)s is an approved source of %(item)s only from %(since)s."))
    conditions = []
    due = None
    if supplier.status == SupplierStatus.CONDITIONAL:
        if supplier.conditions_due_on is not None and supplier.conditions_due_on < on:
            names["due"] = supplier.conditions_due_on.isoformat()
            return refused(
                _(
                    "The conditions of supplier %(supplier)s were due on %(due)s and are not "
                    "met: nothing may be bought from it until a QA manager decides."
                )
            )
        conditions.append(supplier.conditions)
        due = supplier.conditions_due_on
    if source.status == ApprovedSourceStatus.CONDITIONAL:
        conditions.append(source.note or str(_("Conditional source of this item.")))
    if conditions:
        return SourceVerdict(
            Verdict.CONDITIONAL,
            supplier,
            item,
            str(_("%(supplier)s may supply %(item)s under conditions.") % names),
            conditions="\n".join(c for c in conditions if c),
            conditions_due_on=due,
            source=source,
        )
    return SourceVerdict(
        Verdict.ALLOWED,
        supplier,
        item,
        str(_("%(supplier)s is an approved source of %(item)s.") % names),
        source=source,
    )


def check_approved_source(
    *, supplier: Supplier, item: Item, at: datetime.datetime | None = None
) -> SourceVerdict:
    """Whether `supplier` may supply `item` at `at` (now), as the database says now."""
    on = timezone.localdate(at) if at is not None else timezone.localdate()
    supplier = Supplier.objects.get(pk=supplier.pk)
    source = ApprovedSource.objects.filter(supplier=supplier, item=item).first()
    return verdict_for(supplier, item, source, on)


def require_approved_source(
    *, supplier: Supplier, item: Item, at: datetime.datetime | None = None
) -> SourceVerdict:
    """The verdict when it allows (perhaps under conditions); DomainError (invalid state, the
    reason as its message) when it refuses."""
    verdict = check_approved_source(supplier=supplier, item=item, at=at)
    if not verdict.allowed:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            verdict.reason,
            supplier=supplier.code,
            item=item.code,
            verdict=str(verdict.verdict),
        )
    return verdict
