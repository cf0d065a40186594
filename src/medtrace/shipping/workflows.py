"""The shipment order's lifecycle, declared once (medtrace.core.workflow). Picking starts with
the first pick; delivery is confirmed by the customer (link or API), see services.delivery."""

from django.utils.translation import gettext_lazy as _

from medtrace.core.workflow import Transition, Workflow

from .choices import OrderStatus

ORDER = Workflow(
    OrderStatus,
    [
        Transition(
            "release",
            _("Release to the warehouse"),
            sources=[OrderStatus.DRAFT],
            target=OrderStatus.RELEASED,
            permission="shipping.release_shipmentorder",
        ),
        Transition(
            "finish_packing",
            _("Finish packing"),
            sources=[OrderStatus.PICKING],
            target=OrderStatus.PACKED,
            permission="shipping.pack_shipmentorder",
        ),
        Transition(
            "ship",
            _("Ship"),
            sources=[OrderStatus.PACKED],
            target=OrderStatus.SHIPPED,
            permission="shipping.ship_shipmentorder",
        ),
        Transition(
            "confirm_delivery",
            _("Record the delivery"),
            sources=[OrderStatus.SHIPPED],
            target=OrderStatus.DELIVERED,
            permission="shipping.confirm_delivery",
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=[OrderStatus.DRAFT, OrderStatus.RELEASED, OrderStatus.PICKING],
            target=OrderStatus.CANCELLED,
            permission="shipping.change_shipmentorder",
            needs_reason=True,
        ),
    ],
)
