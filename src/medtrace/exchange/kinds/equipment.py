"""The equipment ledger as a sheet: one row per machine or instrument, found by site and code,
written through the equipment services. Equipment belongs to a site, so each row is checked
against the importer's roles at that site; its status is never imported."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medtrace.equipment import selectors
from medtrace.equipment import services as equipment_services
from medtrace.equipment.choices import EquipmentType
from medtrace.equipment.models import Equipment
from medtrace.exchange.cells import Column, integer, iso_date, text, yes_no
from medtrace.exchange.choices import ImportKind, RowAction
from medtrace.exchange.kinds.base import (
    ISO_DATE,
    WHOLE_NUMBER,
    YES_NO,
    Done,
    Kind,
    changed,
    choice_column,
    field_column,
    label,
    require_at,
    site_of,
    unknown,
)
from medtrace.org.models import Location

EQUIPMENT_FIELDS = equipment_services.EQUIPMENT_FIELDS
EXPORTED_FIELDS = tuple(name for name in EQUIPMENT_FIELDS if name != "location")


class EquipmentKind(Kind):
    kind = ImportKind.EQUIPMENT
    model = Equipment
    columns = (
        Column("site", label(Equipment, "site"), text(32, upper=True), required=True),
        field_column(Equipment, "code", text(32, upper=True), required=True),
        field_column(Equipment, "name", text(200), required=True),
        field_column(Equipment, "name_en", text(200)),
        choice_column(Equipment, "equipment_type", EquipmentType, required=True),
        field_column(Equipment, "model_number", text(100)),
        field_column(Equipment, "manufacturer", text(200)),
        field_column(Equipment, "serial_number", text(100)),
        field_column(
            Equipment,
            "location",
            text(32, upper=True),
            help=gettext_lazy("location code at the site"),
        ),
        field_column(Equipment, "calibration_required", yes_no, help=YES_NO),
        field_column(Equipment, "calibration_interval_days", integer(minimum=1), help=WHOLE_NUMBER),
        field_column(Equipment, "last_calibrated_on", iso_date, help=ISO_DATE),
        field_column(Equipment, "maintenance_plan", text()),
    )

    def key(self, row):
        return (row["site"], row["code"]) if row["site"] and row["code"] else None

    def key_columns(self):
        return ("site", "code")

    def apply(self, context, unit):
        [row] = unit
        site = site_of(context, row)
        fields = row.given(EQUIPMENT_FIELDS)
        if row["location"] is not None:
            location = Location.objects.filter(site=site, code=row["location"]).first()
            if location is None:
                raise unknown(
                    row,
                    "location",
                    _("Site %(site)s has no location %(code)s.")
                    % {"site": site.code, "code": row["location"]},
                )
            fields["location"] = location
        record = Equipment.objects.filter(site=site, code=row["code"]).first()
        key = f"{site.code}/{row['code']}"
        if record is None:
            require_at(context, row, "equipment.add_equipment", site)
            equipment_services.create_equipment(
                site=site,
                code=row["code"],
                name=fields.pop("name"),
                equipment_type=fields.pop("equipment_type"),
                by=context.user,
                **fields,
            )
            return [Done(row.number, RowAction.CREATE, key)]
        changes = changed(record, fields)
        if changes:
            require_at(context, row, "equipment.change_equipment", site)
            equipment_services.update_equipment(
                equipment=record, by=context.user, reason=context.reason, **changes
            )
        return [Done(row.number, RowAction.UPDATE if changes else RowAction.UNCHANGED, key)]

    def export_rows(self, user):
        """The equipment of the sites where the user may see it."""
        equipment = selectors.visible_equipment(user).filter(organization_id=user.organization_id)
        for record in equipment.order_by("site__code", "code"):
            yield {
                "site": record.site.code,
                "code": record.code,
                "location": record.location.code if record.location else "",
                **{name: getattr(record, name) for name in EXPORTED_FIELDS},
            }
