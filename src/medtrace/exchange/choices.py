"""Import/export vocabularies: what can be imported, in which file formats, and the one state
machine of an import batch."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ITEMS = "items", _("Items")
    DEVICE_IDENTIFIERS = "device_identifiers", _("Device identifiers")
    SUPPLIERS = "suppliers", _("Suppliers")
    CUSTOMERS = "customers", _("Customers")
    BOMS = "boms", _("Bills of materials")
    EQUIPMENT = "equipment", _("Equipment")
    OPENING_BALANCES = "opening_balances", _("Opening balances (stock)")
    GENEALOGY = "genealogy", _("Historical genealogy")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (.xlsx)")
    CSV = "csv", _("CSV (UTF-8)")


class BatchStatus(models.TextChoices):
    ERRORS = "errors", _("Has errors")
    READY = "ready", _("Ready to apply")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


# What each status may become. Validating again moves between "errors" and "ready"; applied and
# discarded are final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    BatchStatus.ERRORS: frozenset({BatchStatus.ERRORS, BatchStatus.READY, BatchStatus.DISCARDED}),
    BatchStatus.READY: frozenset(
        {BatchStatus.ERRORS, BatchStatus.READY, BatchStatus.APPLIED, BatchStatus.DISCARDED}
    ),
    BatchStatus.APPLIED: frozenset(),
    BatchStatus.DISCARDED: frozenset(),
}


class RowAction(models.TextChoices):
    """What applying a row does (or did) to its record."""

    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    UNCHANGED = "unchanged", _("unchanged")
