"""Lot-number rules over the REST API, nested in the catalog router (/api/v1/catalog/lot-rules).
Rules are organization-wide master data like items; a preview needs a site the caller sees."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from medtrace.catalog import selectors
from medtrace.catalog.models import LotNumberRule, LotSequenceReset
from medtrace.catalog.services import lot_numbers
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access
from medtrace.org.models import Site

router = Router(tags=["catalog"])


class LotRuleOut(Schema):
    id: int
    item: str | None
    pattern: str
    reset: LotSequenceReset

    @staticmethod
    def resolve_item(rule: LotNumberRule) -> str | None:
        return rule.item.code if rule.item_id else None


class LotRuleIn(Schema):
    item: str | None = Field(None, description="Item code; none for the default rule")
    pattern: str = Field(..., examples=["{SITE}{YY}{JJJ}-{SEQ:3}"])
    reset: LotSequenceReset = LotSequenceReset.YEAR


class LotRulePatch(Schema):
    """Only the fields sent change; the numbers already given stay as they were."""

    pattern: str | None = Field(None, max_length=100, examples=["L{YY}{JJJ}-{SEQ:4}"])
    reset: LotSequenceReset | None = None
    reason: str = ""


class PreviewIn(Schema):
    site: str = Field(..., description="Site code")
    today: date | None = Field(None, description="Default: today at the site")
    count: int = Field(3, ge=1, le=20)


class PreviewOut(Schema):
    lot_numbers: list[str]


@router.get("/lot-rules", response=list[LotRuleOut])
def list_lot_rules(request):
    return selectors.visible_rules(request.user).order_by("item__code")


@router.post("/lot-rules", response={201: LotRuleOut, **WRITE_ERRORS})
def create_lot_rule(request, payload: LotRuleIn):
    require_perm(request, "catalog.add_lotnumberrule")
    if request.user.organization is None:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You belong to no organization."))
    item = selectors.get_item_or_404(request.user, payload.item) if payload.item else None
    rule = lot_numbers.create_lot_rule(
        organization=request.user.organization,
        item=item,
        pattern=payload.pattern,
        reset=payload.reset,
        by=request.user,
    )
    return Status(201, rule)


@router.patch("/lot-rules/{int:pk}", response={200: LotRuleOut, **WRITE_ERRORS})
def update_lot_rule(request, pk: int, payload: LotRulePatch):
    """Change a rule's pattern or reset (its item stays: a rule for another item is a new
    rule)."""
    rule = get_object_or_404(selectors.visible_rules(request.user), pk=pk)
    require_perm(request, "catalog.change_lotnumberrule")
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    reason = changes.pop("reason", "")
    return lot_numbers.update_lot_rule(rule=rule, by=request.user, reason=reason, **changes)


@router.post("/lot-rules/{int:pk}/preview", response={200: PreviewOut, **READ_ERRORS})
def preview_lot_rule(request, pk: int, payload: PreviewIn):
    """The next lot numbers the rule would give at the site; none is used up."""
    rule = get_object_or_404(selectors.visible_rules(request.user), pk=pk)
    site = access.get_scoped_or_404(Site.objects.all(), request.user, code=payload.site.upper())
    today = payload.today or lot_numbers.site_today(site)
    return {"lot_numbers": lot_numbers.preview_lot_numbers(rule, site, today, payload.count)}
