"""What a subscription can subscribe to: the records whose changes are published, and the
trace events (as EPCIS documents).

A change is published from its audit entry: every change to a GxP record writes one in the
change's transaction (DESIGN rule 3), so nothing worth announcing escapes the outbox. Only the
records below are published; their lines and derived rows (BOM lines, stock rows, counters)
are announced through the record they belong to."""

from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import AuditAction

EPCIS_TOPIC = "epcis.event"
PUBLISHED_ACTIONS = frozenset(
    {AuditAction.CREATE, AuditAction.CHANGE, AuditAction.TRANSITION, AuditAction.SIGN}
)
PUBLISHED_RECORDS = (
    "catalog.item",
    "catalog.deviceidentifier",
    "catalog.bom",
    "catalog.routing",
    "partners.supplier",
    "partners.suppliercertificate",
    "partners.supplieraudit",
    "partners.customer",
    "equipment.equipment",
    "equipment.calibrationrecord",
    "equipment.maintenancerecord",
    "trace.lot",
    "trace.unit",
    "trace.container",
    "inventory.stockmove",
    "inventory.cyclecount",
    "purchasing.purchaseorder",
    "purchasing.receipt",
    "production.workorder",
    "production.parameterreading",
    "shipping.shipmentorder",
    "shipping.returnauthorization",
    "quality.inspectionrecord",
    "quality.nonconformance",
    "quality.deviation",
    "quality.capa",
    "quality.complaint",
    "quality.complaintreport",
    "recall.recall",
    "recall.notice",
    "documents.controlleddocument",
    "documents.documentrevision",
    "training.trainingrecord",
    "changes.changerequest",
)
PUBLISHED = frozenset(PUBLISHED_RECORDS)


@dataclass(frozen=True)
class Topic:
    code: str
    label: str
    group: str


def topic_of_change(object_type: str, action: str) -> str | None:
    """The topic an audited change is published under, or None if it is not published."""
    if object_type in PUBLISHED and action in PUBLISHED_ACTIONS:
        return object_type
    return None


def all_topics() -> list[Topic]:
    """Every topic with its label and group, in the order of a subscription form."""
    topics = [Topic(EPCIS_TOPIC, str(_("Trace events (EPCIS 2.0)")), str(_("Trace")))]
    for label in PUBLISHED_RECORDS:
        model = apps.get_model(label)
        topics.append(
            Topic(
                label,
                str(model._meta.verbose_name_plural).capitalize(),
                str(model._meta.app_config.verbose_name),
            )
        )
    return topics


def is_known(code: str) -> bool:
    return code == EPCIS_TOPIC or code in PUBLISHED
