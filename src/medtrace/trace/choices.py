from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectKind(models.TextChoices):
    LOT = "lot", _("Lot")
    UNIT = "unit", _("Unit")
    CONTAINER = "container", _("Container")


class LotOrigin(models.TextChoices):
    RECEIVED = "received", _("Received from a supplier")
    PRODUCED = "produced", _("Produced here")
    UNKNOWN = "unknown", _("Unknown")


class ContainerKind(models.TextChoices):
    CASE = "case", _("Case")
    PALLET = "pallet", _("Pallet")
    OTHER = "other", _("Other")


class EventType(models.TextChoices):
    OBJECT = "ObjectEvent", _("Object event")
    AGGREGATION = "AggregationEvent", _("Aggregation event")
    TRANSFORMATION = "TransformationEvent", _("Transformation event")
    TRANSACTION = "TransactionEvent", _("Transaction event")
    ASSOCIATION = "AssociationEvent", _("Association event")


class Action(models.TextChoices):
    ADD = "ADD", "ADD"
    OBSERVE = "OBSERVE", "OBSERVE"
    DELETE = "DELETE", "DELETE"


class ObjectRole(models.TextChoices):
    """How an event touched an object: EPCIS's epcList/quantityList ('object'), a
    transformation's inputs and outputs, an aggregation's parent and children."""

    OBJECT = "object", _("object")
    INPUT = "input", _("input")
    OUTPUT = "output", _("output")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")


class LinkKind(models.TextChoices):
    TRANSFORMATION = "transformation", _("made from")
    MEMBERSHIP = "membership", _("unit of lot")


class PartyRole(models.TextChoices):
    """A consignment's direction: sent to a destination (shipping) or received from a
    source (receiving)."""

    DESTINATION = "destination", _("destination")
    SOURCE = "source", _("source")


# Stock taken on from a former system when a plant switches over (exchange's opening balances):
# not a CBV step; like a receipt, it names the supplier the goods came from.
OPENING_BALANCE_STEP = "urn:medtrace:bizstep:opening_balance"
# The steps whose source parties are where the goods came from (backward consignments).
RECEIVING_STEPS = frozenset({"receiving", OPENING_BALANCE_STEP})
