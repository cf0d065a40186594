"""Lot-number rules over the REST API, nested in the catalog router (/api/v1/catalog/lot-rules).
Rules are organization-wide master data like items; a preview needs a site the caller sees."""

from datetime import date

from django.shortcuts import get_object_or_404
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


class PreviewIn(Schema):
    site: str = Field(..., description="Site code")
    today: date | None = Field(None, description="Default: today at the site")
    count: int = Field(3, ge=1, le=20)


class PreviewOut(Schema):
    lot_numbers: list[str]


def visible_rules(user):
    if user.organization_id is None or not user.has_perm("catalog.view_lotnumberrule"):
        return LotNumberRule.objects.none()
    return LotNumberRule.objects.filter(organization_id=user.organization_id).select_related("item")


@router.get("/lot-rules", response=list[LotRuleOut])
def list_lot_rules(request):
    return visible_rules(request.user).order_by("item__code")


@router.post("/lot-rules", response={201: LotRuleOut, **WRITE_ERRORS})
def create_lot_rule(request, payload: LotRuleIn):
    require_perm(request, "catalog.add_lotnumberrule")
    if request.user.organization is None:
        raise DomainError(ErrorCode.PERMISSION_DENIED, "You belong to no organization.")
    item = selectors.get_item_or_404(request.user, payload.item) if payload.item else None
    rule = lot_numbers.create_lot_rule(
        organization=request.user.organization,
        item=item,
        pattern=payload.pattern,
        reset=payload.reset,
        by=request.user,
    )
    return Status(201, rule)


@router.post("/lot-rules/{int:pk}/preview", response={200: PreviewOut, **READ_ERRORS})
def preview_lot_rule(request, pk: int, payload: PreviewIn):
    """The next lot numbers the rule would give at the site; none is used up."""
    rule = get_object_or_404(visible_rules(request.user), pk=pk)
    site = access.get_scoped_or_404(Site.objects.all(), request.user, code=payload.site.upper())
    today = payload.today or lot_numbers.site_today(site)
    return {"lot_numbers": lot_numbers.preview_lot_numbers(rule, site, today, payload.count)}
