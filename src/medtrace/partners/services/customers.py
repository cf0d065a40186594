"""Customers: create and describe, GLN and GSP licence included."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import ErrorCode
from medtrace.core.validation import validated
from medtrace.org.models import Organization
from medtrace.partners.models import Customer
from medtrace.partners.services.common import only, refuse

CUSTOMER_FIELDS = (
    "name",
    "name_en",
    "kind",
    "address",
    "region",
    "contact",
    "email",
    "language",
    "gln",
    "licence_number",
    "licence_valid_until",
)


def _duplicate_customer(code: str):
    refuse(
        ErrorCode.DUPLICATE,
        _("A customer with code %(code)s already exists.") % {"code": code},
        "code",
    )


@transaction.atomic
def create_customer(*, organization: Organization, code: str, by=None, **fields) -> Customer:
    only(fields, CUSTOMER_FIELDS)
    code = code.strip().upper()
    if Customer.objects.filter(organization=organization, code=code).exists():
        _duplicate_customer(code)
    fields["gln"] = (fields.get("gln") or "").strip()
    customer = validated(Customer(organization=organization, code=code, **fields))
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        _duplicate_customer(code)
    audit.record(AuditAction.CREATE, customer, by=by, changes=audit.created(customer))
    return customer


@transaction.atomic
def update_customer(*, customer: Customer, by=None, reason: str = "", **changes) -> Customer:
    """Change the customer's description (CUSTOMER_FIELDS); its code is its identity."""
    only(changes, CUSTOMER_FIELDS)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = audit.snapshot(customer)
    for field, value in changes.items():
        setattr(customer, field, value.strip() if field == "gln" and value else value)
    validated(customer)
    customer.save(update_fields=list(changes))
    diff = audit.diff(before, customer)
    if diff:
        audit.record(AuditAction.CHANGE, customer, by=by, changes=diff, reason=reason)
    return customer
