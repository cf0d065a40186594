"""What purchasing (and QA) must know about the suppliers before buying: suppliers approved
only under conditions (a lapsed certificate among them) with their deadline, suppliers under
evaluation, and certificates expired or expiring within EXPIRY_WARNING_DAYS. Shown in the
my-tasks inbox, as the banner of the supplier list and by `medtrace suppliers expiring`."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from medtrace.partners.choices import EXPIRY_WARNING_DAYS, Expiry, SupplierStatus
from medtrace.partners.expiry import expiry_of
from medtrace.partners.expiry import today as local_today
from medtrace.partners.models import Supplier, SupplierCertificate
from medtrace.partners.selectors import certificates_to_renew

# Who is warned: whoever keeps the suppliers (purchasing and QA).
ALERTED_PERMISSION = "partners.change_supplier"
SHOWN = 50


@dataclass(frozen=True)
class SupplierAlert:
    kind: str  # "conditional", "under_evaluation" or "certificate"
    supplier: Supplier
    text: str
    due_on: datetime.date | None = None
    overdue: bool = False
    certificate: SupplierCertificate | None = None

    def as_row(self) -> dict:
        """The alert as a line of `medtrace quality tasks`."""
        return {
            "number": self.supplier.code,
            "title": self.text,
            "actions": [],
            "due_on": self.due_on.isoformat() if self.due_on else None,
        }


def alerted(user) -> bool:
    return (
        user.is_authenticated
        and user.organization_id is not None
        and user.has_perm(ALERTED_PERMISSION)
    )


def supplier_alerts(user, *, today: datetime.date | None = None) -> list[SupplierAlert]:
    """The user's organization's supplier alerts, soonest deadline first; [] for users who do
    not keep the suppliers."""
    if not alerted(user):
        return []
    today = today or local_today()
    organization_id = user.organization_id
    alerts = []
    suppliers = Supplier.objects.filter(
        organization_id=organization_id,
        status__in=(SupplierStatus.CONDITIONAL, SupplierStatus.UNDER_EVALUATION),
    ).order_by("code")
    for supplier in suppliers[:SHOWN]:
        if supplier.status == SupplierStatus.CONDITIONAL:
            due = supplier.conditions_due_on
            alerts.append(
                SupplierAlert(
                    "conditional",
                    supplier,
                    _("Approved only under conditions: %(conditions)s")
                    % {"conditions": supplier.conditions or "—"},
                    due,
                    overdue=due is not None and due < today,
                )
            )
        else:
            alerts.append(
                SupplierAlert(
                    "under_evaluation",
                    supplier,
                    _("Under evaluation: nothing may be bought from it until QA decides."),
                )
            )
    for certificate in certificates_to_renew(organization_id, today=today)[:SHOWN]:
        expired = expiry_of(certificate.valid_until, today) == Expiry.EXPIRED
        names = {
            "kind": certificate.get_kind_display(),
            "number": certificate.number,
            "date": certificate.valid_until.isoformat(),
        }
        text = (
            _("%(kind)s %(number)s expired on %(date)s.")
            if expired
            else _("%(kind)s %(number)s expires on %(date)s: ask for the renewed one.")
        )
        alerts.append(
            SupplierAlert(
                "certificate",
                certificate.supplier,
                text % names,
                certificate.valid_until,
                overdue=expired,
                certificate=certificate,
            )
        )
    far = datetime.date.max
    alerts.sort(key=lambda alert: (alert.due_on or far, alert.supplier.code))
    return alerts[:SHOWN]


@dataclass(frozen=True)
class Summary:
    conditional: int
    overdue_conditions: int
    under_evaluation: int
    certificates_expiring: int
    certificates_expired: int
    within_days: int = EXPIRY_WARNING_DAYS

    def __bool__(self) -> bool:
        return bool(self.conditional or self.certificates_expiring or self.certificates_expired)


def summary(organization_id, *, today: datetime.date | None = None) -> Summary:
    """The counts behind the supplier list's banner (a few aggregate queries)."""
    today = today or local_today()
    suppliers = Supplier.objects.filter(organization_id=organization_id)
    certificates = certificates_to_renew(organization_id, today=today)
    expired = certificates.filter(valid_until__lt=today).count()
    return Summary(
        conditional=suppliers.filter(status=SupplierStatus.CONDITIONAL).count(),
        overdue_conditions=suppliers.filter(
            status=SupplierStatus.CONDITIONAL, conditions_due_on__lt=today
        ).count(),
        under_evaluation=suppliers.filter(status=SupplierStatus.UNDER_EVALUATION).count(),
        certificates_expiring=certificates.count() - expired,
        certificates_expired=expired,
    )
