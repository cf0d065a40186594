"""Items: create, describe, activate."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.choices import Tracking, UnitOfMeasure
from medtrace.catalog.models import Item
from medtrace.catalog.services.common import check_item_carries, only, refuse
from medtrace.core.errors import ErrorCode
from medtrace.core.validation import validated
from medtrace.org.models import Organization

ITEM_FIELDS = (
    "name",
    "name_en",
    "kind",
    "unit",
    "tracking",
    "shelf_life_days",
    "storage_conditions",
)


def _duplicate_item(code: str):
    refuse(
        ErrorCode.DUPLICATE,
        _("An item with code %(code)s already exists.") % {"code": code},
        "code",
    )


@transaction.atomic
def create_item(
    *,
    organization: Organization,
    code: str,
    name: str,
    kind: str,
    name_en: str = "",
    unit: str = UnitOfMeasure.EA,
    tracking: str = Tracking.LOT,
    shelf_life_days: int | None = None,
    storage_conditions: str = "",
    by=None,
) -> Item:
    code = code.strip().upper()
    if Item.objects.filter(organization=organization, code=code).exists():
        _duplicate_item(code)
    item = validated(
        Item(
            organization=organization,
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            unit=unit,
            tracking=tracking,
            shelf_life_days=shelf_life_days,
            storage_conditions=storage_conditions,
        )
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        _duplicate_item(code)
    audit.record(AuditAction.CREATE, item, by=by, changes=audit.created(item))
    return item


@transaction.atomic
def update_item(*, item: Item, by=None, reason: str = "", **changes) -> Item:
    """Change an item's description (ITEM_FIELDS); its code is its identity and stays."""
    only(changes, ITEM_FIELDS)
    item = Item.objects.select_for_update().get(pk=item.pk)
    before = audit.snapshot(item)
    for field, value in changes.items():
        setattr(item, field, value)
    validated(item)
    for identifier in item.device_identifiers.filter(is_active=True):
        check_item_carries(item, identifier)
    item.save(update_fields=list(changes))
    diff = audit.diff(before, item)
    if diff:
        audit.record(AuditAction.CHANGE, item, by=by, changes=diff, reason=reason)
    return item


@transaction.atomic
def set_item_active(*, item: Item, active: bool, by=None) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    if not active:
        live = list(item.device_identifiers.filter(is_active=True).values_list("value", flat=True))
        if live:
            refuse(
                ErrorCode.INVALID_STATE,
                _(
                    "Item %(code)s still has active device identifiers (%(values)s); "
                    "retire them first."
                )
                % {"code": item.code, "values": ", ".join(live)},
            )
    if item.is_active != active:
        audit.record(
            AuditAction.TRANSITION, item, by=by, changes={"is_active": [item.is_active, active]}
        )
        item.is_active = active
        item.save(update_fields=["is_active"])
    return item
