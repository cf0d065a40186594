"""Suppliers and customers as sheets, written through the partners' services. A supplier's
qualification status is never imported: it changes only by a reasoned status change."""

from django.utils.translation import gettext_lazy as _

from medtrace.exchange.cells import Column, iso_date, text
from medtrace.exchange.choices import ImportKind, RowAction
from medtrace.exchange.kinds.base import (
    ISO_DATE,
    Done,
    Kind,
    changed,
    choice_column,
    field_column,
    label,
)
from medtrace.partners import selectors
from medtrace.partners import services as partners
from medtrace.partners.choices import CustomerKind
from medtrace.partners.models import Customer, Supplier


class CodedPartner(Kind):
    """A record of the organization found by its code; created, or updated field by field."""

    fields: tuple[str, ...] = ()

    def key(self, row):
        return (row["code"],) if row["code"] else None

    def key_columns(self):
        return ("code",)

    def create(self, context, row, fields):
        raise NotImplementedError

    def update(self, context, record, changes):
        raise NotImplementedError

    def apply(self, context, unit):
        [row] = unit
        fields = row.given(self.fields)
        record = self.model.objects.filter(
            organization=context.organization, code=row["code"]
        ).first()
        if record is None:
            self.create(context, row, fields)
            return [Done(row.number, RowAction.CREATE, row["code"])]
        changes = changed(record, fields)
        if changes:
            self.update(context, record, changes)
        return [Done(row.number, RowAction.UPDATE if changes else RowAction.UNCHANGED, row["code"])]

    def export_rows(self, user):
        for record in self.visible(user).order_by("code"):
            yield {"code": record.code, **{name: getattr(record, name) for name in self.fields}}

    def visible(self, user):
        raise NotImplementedError


class Suppliers(CodedPartner):
    kind = ImportKind.SUPPLIERS
    model = Supplier
    fields = partners.SUPPLIER_FIELDS
    columns = (
        field_column(Supplier, "code", text(32, upper=True), required=True),
        field_column(Supplier, "name", text(200), required=True),
        field_column(Supplier, "name_en", text(200)),
        field_column(Supplier, "contact", text(200)),
        field_column(Supplier, "address", text()),
        Column(
            "country",
            label(Supplier, "country"),
            text(2, upper=True),
            help=_("ISO 3166 two-letter code, e.g. CN"),
        ),
    )

    def create(self, context, row, fields):
        partners.create_supplier(
            organization=context.organization, code=row["code"], by=context.user, **fields
        )

    def update(self, context, record, changes):
        partners.update_supplier(supplier=record, by=context.user, reason=context.reason, **changes)

    def visible(self, user):
        return selectors.visible_suppliers(user)


class Customers(CodedPartner):
    kind = ImportKind.CUSTOMERS
    model = Customer
    fields = partners.CUSTOMER_FIELDS
    columns = (
        field_column(Customer, "code", text(32, upper=True), required=True),
        field_column(Customer, "name", text(200), required=True),
        field_column(Customer, "name_en", text(200)),
        choice_column(Customer, "kind", CustomerKind, required=True),
        field_column(Customer, "address", text()),
        field_column(Customer, "region", text(100)),
        field_column(Customer, "contact", text(200)),
        field_column(Customer, "gln", text(13), help=_("GLN, 13 digits")),
        field_column(Customer, "licence_number", text(100)),
        field_column(Customer, "licence_valid_until", iso_date, help=ISO_DATE),
    )

    def create(self, context, row, fields):
        partners.create_customer(
            organization=context.organization, code=row["code"], by=context.user, **fields
        )

    def update(self, context, record, changes):
        partners.update_customer(customer=record, by=context.user, reason=context.reason, **changes)

    def visible(self, user):
        return selectors.visible_customers(user)
