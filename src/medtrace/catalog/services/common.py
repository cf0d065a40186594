"""What the item and device-identifier services share: refusals and the item/DI fit."""

from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import DEVICE_KINDS, Tracking
from medtrace.catalog.models import DeviceIdentifier, Item
from medtrace.core.errors import DomainError, ErrorCode


def refuse(code: ErrorCode, message, field: str | None = None):
    """Raise the refusal; `field` puts the message beside that form field too."""
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def only(changes: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")


def check_item_carries(item: Item, identifier: DeviceIdentifier) -> None:
    """An item's kind and tracking must fit what its device identifiers say: only a device
    carries a DI, and a label can only print the lot or serial the plant keeps."""
    if item.kind not in DEVICE_KINDS:
        refuse(
            ErrorCode.VALIDATION,
            _(
                "Only a device (finished device, sub-assembly or component) carries a device "
                "identifier; %(code)s is %(kind)s."
            )
            % {"code": item.code, "kind": item.get_kind_display()},
            "kind",
        )
    if identifier.label_has_serial and item.tracking != Tracking.SERIAL:
        refuse(
            ErrorCode.VALIDATION,
            _(
                "The label of %(di)s carries a serial number, so item %(code)s must be tracked "
                "by serial number."
            )
            % {"di": identifier.value, "code": item.code},
            "tracking",
        )
    if identifier.label_has_lot and item.tracking == Tracking.NONE:
        refuse(
            ErrorCode.VALIDATION,
            _(
                "The label of %(di)s carries a lot, so item %(code)s must be tracked by lot or "
                "serial number."
            )
            % {"di": identifier.value, "code": item.code},
            "tracking",
        )
    if identifier.label_has_expiry and not item.shelf_life_days:
        refuse(
            ErrorCode.VALIDATION,
            _("The label of %(di)s carries an expiry date, so item %(code)s needs a shelf life.")
            % {"di": identifier.value, "code": item.code},
            "shelf_life_days",
        )
