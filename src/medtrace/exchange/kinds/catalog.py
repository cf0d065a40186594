"""Items, device identifiers and BOMs as sheets, written through the catalog's services."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medtrace.catalog import identifiers, selectors
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import (
    IssuingAgency,
    ItemKind,
    MriSafety,
    PackagingLevel,
    RiskClassCN,
    RiskClassEU,
    RiskClassUS,
    SterilizationMethod,
    Tracking,
    UnitOfMeasure,
)
from medtrace.catalog.models import Bom, BomLine, DeviceIdentifier, Item, VersionStatus
from medtrace.exchange.cells import Column, decimal, integer, text, yes_no
from medtrace.exchange.choices import ImportKind, RowAction
from medtrace.exchange.kinds.base import (
    NUMBER,
    WHOLE_NUMBER,
    YES_NO,
    Context,
    Done,
    Kind,
    Row,
    RowError,
    changed,
    choice_column,
    failed_reference,
    field_column,
    label,
    problem,
    unknown,
)


def find_item(context: Context, row: Row, column: str) -> Item:
    code = (row[column] or "").upper()
    item = Item.objects.filter(organization=context.organization, code=code).first()
    if item is None:
        raise unknown(row, column, _("There is no item %(code)s.") % {"code": code})
    return item


class Items(Kind):
    kind = ImportKind.ITEMS
    model = Item
    columns = (
        field_column(Item, "code", text(32, upper=True), required=True),
        field_column(Item, "name", text(200), required=True),
        field_column(Item, "name_en", text(200)),
        choice_column(Item, "kind", ItemKind, required=True),
        choice_column(Item, "unit", UnitOfMeasure),
        choice_column(Item, "tracking", Tracking),
        field_column(Item, "shelf_life_days", integer(minimum=1), help=WHOLE_NUMBER),
        field_column(Item, "storage_conditions", text(200)),
    )

    def key(self, row):
        return (row["code"],) if row["code"] else None

    def key_columns(self):
        return ("code",)

    def apply(self, context, unit):
        [row] = unit
        fields = row.given(catalog.ITEM_FIELDS)
        item = Item.objects.filter(organization=context.organization, code=row["code"]).first()
        if item is None:
            catalog.create_item(
                organization=context.organization, code=row["code"], by=context.user, **fields
            )
            return [Done(row.number, RowAction.CREATE, row["code"])]
        changes = changed(item, fields)
        if changes:
            catalog.update_item(item=item, by=context.user, reason=context.reason, **changes)
        return [Done(row.number, RowAction.UPDATE if changes else RowAction.UNCHANGED, item.code)]

    def export_rows(self, user):
        for item in selectors.visible_items(user).order_by("code"):
            yield {"code": item.code, **{name: getattr(item, name) for name in catalog.ITEM_FIELDS}}


DI = DeviceIdentifier
DI_BOOLEANS = (
    "sterile",
    "single_use",
    "contains_latex",
    "prescription",
    "label_has_lot",
    "label_has_serial",
    "label_has_expiry",
    "label_has_manufacturing_date",
)
UDI_DATABASE_BOOLEANS = (
    "kit",
    "combination_product",
    "implantable",
    "active_device",
    "measuring_function",
    "direct_marking",
    "sterilize_before_use",
)


class DeviceIdentifiers(Kind):
    """One row per DI. A package names the DI it contains by value; rows are applied from the
    base unit outwards, so a package may contain a DI created a few rows further down."""

    kind = ImportKind.DEVICE_IDENTIFIERS
    model = DeviceIdentifier
    columns = (
        Column("item", label(DI, "item"), text(32, upper=True), required=True),
        choice_column(DI, "issuing_agency", IssuingAgency, required=True),
        field_column(DI, "value", text(64), required=True),
        choice_column(DI, "packaging_level", PackagingLevel),
        field_column(DI, "contains", text(64), help=gettext_lazy("device identifier value")),
        field_column(DI, "quantity_per_package", integer(minimum=1), help=WHOLE_NUMBER),
        field_column(DI, "basic_udi_di", text(60)),
        field_column(DI, "brand", text(200), required=True),
        field_column(DI, "model_number", text(100), required=True),
        field_column(DI, "registration_number", text(100)),
        choice_column(DI, "risk_class_cn", RiskClassCN),
        choice_column(DI, "risk_class_eu", RiskClassEU),
        choice_column(DI, "risk_class_us", RiskClassUS),
        field_column(DI, "gmdn_code", text(5)),
        field_column(DI, "nmpa_classification_code", text(20)),
        field_column(DI, "sterile", yes_no, help=YES_NO),
        choice_column(DI, "sterilization_method", SterilizationMethod),
        field_column(DI, "single_use", yes_no, help=YES_NO),
        choice_column(DI, "mri_safety", MriSafety),
        *(field_column(DI, name, yes_no, help=YES_NO) for name in DI_BOOLEANS[2:]),
        # What the UDI databases ask for beyond the above (docs/udi-databases.md).
        field_column(DI, "description", text(2000)),
        field_column(DI, "catalog_number", text(100)),
        *(field_column(DI, name, yes_no, help=YES_NO) for name in UDI_DATABASE_BOOLEANS),
        field_column(DI, "max_reuses", integer(minimum=1), help=WHOLE_NUMBER),
        field_column(DI, "eifu_url", text(200)),
        field_column(DI, "fda_product_code", text(3, upper=True)),
        field_column(DI, "fda_premarket_number", text(20, upper=True)),
        field_column(DI, "fda_premarket_exempt", yes_no, help=YES_NO),
        field_column(DI, "emdn_code", text(16, upper=True)),
        field_column(DI, "insurance_code_cn", text(20, upper=True)),
    )
    # An item that does not fit its DI is refused naming the item's fields.
    field_columns = {"kind": "item", "tracking": "item", "shelf_life_days": "item"}

    def key(self, row):
        return (self._value(row),) if row["value"] else None

    def key_columns(self):
        return ("value",)

    @staticmethod
    def _value(row) -> str:
        """The value as stored (a GTIN-13 becomes its GTIN-14), or as written if invalid."""
        try:
            return identifiers.normalize(row["issuing_agency"] or "", row["value"])
        except (identifiers.InvalidIdentifier, KeyError, ValueError):
            return row["value"].upper()

    def units(self, rows):
        def rank(row):
            return PackagingLevel(row["packaging_level"] or PackagingLevel.BASE_UNIT).rank

        return [[row] for row in sorted(rows, key=lambda row: (rank(row), row.number))]

    def _contains(self, context: Context, row: Row) -> DeviceIdentifier | None:
        if row["contains"] is None:
            return None
        keys = identifiers.lookup_keys(row["contains"])
        found = DeviceIdentifier.objects.filter(
            organization=context.organization, value__in=keys
        ).first()
        if found is None:
            for key in keys:
                failed = failed_reference(context, (key,))
                if failed:
                    raise RowError(
                        problem(
                            row,
                            "contains",
                            "unknown_reference",
                            _("The device identifier it contains is on %(failed)s.")
                            % {"failed": failed},
                        )
                    )
            raise unknown(
                row,
                "contains",
                _("There is no device identifier %(value)s.") % {"value": row["contains"]},
            )
        return found

    def apply(self, context, unit):
        [row] = unit
        item = find_item(context, row, "item")
        attributes = row.given(catalog.DI_ATTRIBUTES)
        if row["contains"] is not None:
            attributes["contains"] = self._contains(context, row)
        value = self._value(row)
        existing = (
            DeviceIdentifier.objects.filter(organization=context.organization, value=value)
            .select_related("item")
            .first()
        )
        if existing is None:
            catalog.create_device_identifier(
                item=item,
                issuing_agency=row["issuing_agency"],
                value=row["value"],
                by=context.user,
                **attributes,
            )
            return [Done(row.number, RowAction.CREATE, value)]
        if existing.item_id != item.pk:
            raise RowError(
                problem(
                    row,
                    "item",
                    "invalid_state",
                    _(
                        "Device identifier %(value)s belongs to item %(code)s; the item of a "
                        "device identifier never changes."
                    )
                    % {"value": value, "code": existing.item.code},
                )
            )
        if existing.issuing_agency != row["issuing_agency"]:
            raise RowError(
                problem(
                    row,
                    "issuing_agency",
                    "invalid_state",
                    _("Device identifier %(value)s was issued by %(agency)s.")
                    % {"value": value, "agency": existing.issuing_agency},
                )
            )
        changes = changed(existing, attributes)
        if changes:
            catalog.update_device_identifier(
                device_identifier=existing, reason=context.reason, by=context.user, **changes
            )
        return [Done(row.number, RowAction.UPDATE if changes else RowAction.UNCHANGED, value)]

    def export_rows(self, user):
        identifiers_ = (
            selectors.visible_device_identifiers(user)
            .select_related("item", "contains")
            .order_by("item__code", "value")
        )
        for identifier in identifiers_:
            row = {name: getattr(identifier, name) for name in catalog.DI_ATTRIBUTES}
            row["contains"] = identifier.contains.value if identifier.contains else ""
            yield {
                **row,
                "item": identifier.item.code,
                "issuing_agency": identifier.issuing_agency,
                "value": identifier.value,
            }


class Boms(Kind):
    """One row per BOM line; the rows of one product make one new draft version with those
    lines (never approved: approval is an electronic signature). A product whose latest
    version already has exactly these lines is left alone."""

    kind = ImportKind.BOMS
    model = Bom
    columns = (
        Column("product", label(Bom, "item"), text(32, upper=True), required=True),
        Column(
            "note",
            label(Bom, "note"),
            text(),
            help=gettext_lazy("the same on each row of a product"),
        ),
        Column("component", label(BomLine, "component"), text(32, upper=True), required=True),
        Column(
            "quantity",
            label(BomLine, "quantity"),
            decimal(max_digits=14, decimal_places=4, minimum=Decimal("0.0001")),
            required=True,
            help=NUMBER,
        ),
        choice_column(BomLine, "unit", UnitOfMeasure),
        Column(
            "tolerance_percent",
            label(BomLine, "tolerance_percent"),
            decimal(max_digits=6, decimal_places=2, minimum=Decimal(0)),
            help=NUMBER,
        ),
        Column("trace_required", label(BomLine, "trace_required"), yes_no, help=YES_NO),
    )

    def units(self, rows):
        groups: dict[str, list[Row]] = {}
        for row in rows:
            groups.setdefault(row["product"], []).append(row)
        return list(groups.values())

    def apply(self, context, unit):
        product = find_item(context, unit[0], "product")
        lines, problems, seen = [], [], {}
        for row in unit:
            component = Item.objects.filter(
                organization=context.organization, code=row["component"], is_active=True
            ).first()
            if component is None:
                problems.append(
                    problem(
                        row,
                        "component",
                        "unknown_reference",
                        _("There is no active item %(code)s.") % {"code": row["component"]},
                    )
                )
                continue
            if component.pk == product.pk:
                problems.append(
                    problem(
                        row,
                        "component",
                        "invalid_reference",
                        _("%(code)s cannot be a component of itself.") % {"code": component.code},
                    )
                )
                continue
            if component.pk in seen:
                problems.append(
                    problem(
                        row,
                        "component",
                        "duplicate",
                        _("%(code)s is already on row %(row)s; each component may appear on one "
                          "line only.") % {"code": component.code, "row": seen[component.pk]},
                    )
                )  # fmt: skip
                continue
            seen[component.pk] = row.number
            lines.append(
                catalog.LineIn(
                    component=component,
                    quantity=row["quantity"],
                    unit=row["unit"] or "",
                    tolerance_percent=row["tolerance_percent"] or Decimal(0),
                    trace_required=True if row["trace_required"] is None else row["trace_required"],
                )
            )
        if problems:
            raise RowError(*problems)
        latest = self._latest(product)
        if latest is not None and self._content(latest) == [
            self._line_content(line) for line in lines
        ]:
            return [Done(row.number, RowAction.UNCHANGED, product.code) for row in unit]
        note = next((row["note"] for row in unit if row["note"]), "")
        bom = catalog.create_bom_draft(item=product, by=context.user, note=note)
        catalog.set_bom_lines(bom=bom, lines=lines, by=context.user, reason=context.reason)
        return [Done(row.number, RowAction.CREATE, product.code) for row in unit]

    @staticmethod
    def _latest(product: Item) -> Bom | None:
        return product.boms.exclude(status=VersionStatus.OBSOLETE).order_by("-version").first()

    @staticmethod
    def _line_content(line) -> tuple:
        component = line.component
        unit = (line.unit or component.unit).upper()
        return (
            component.pk,
            Decimal(line.quantity).normalize(),
            unit,
            Decimal(line.tolerance_percent).normalize(),
            bool(line.trace_required),
        )

    def _content(self, bom: Bom) -> list[tuple]:
        return [self._line_content(line) for line in bom.lines.select_related("component")]

    def export_rows(self, user):
        """Per product, its latest version that is not obsolete (the one an import compares
        with), line by line."""
        boms = selectors.visible_boms(user).exclude(status=VersionStatus.OBSOLETE)
        latest = {}
        for bom in boms.select_related("item").order_by("item__code", "-version"):
            latest.setdefault(bom.item_id, bom)
        for bom in latest.values():
            for line in bom.lines.select_related("component").order_by("position"):
                yield {
                    "product": bom.item.code,
                    "note": bom.note,
                    "component": line.component.code,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "tolerance_percent": line.tolerance_percent,
                    "trace_required": line.trace_required,
                }
