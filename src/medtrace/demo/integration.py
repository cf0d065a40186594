"""How the plant's other systems hear from medtrace: the ERP reads a feed of the records it
mirrors, the distributor a feed of shipping events (an EPCIS named query), and QA's on-call
chat bot gets nonconformances, complaints and recalls pushed as they happen. The bot's webhook
is paused at the end, waiting for IT's firewall rule: its queue shows what it will send."""

from medtrace.demo.plant import DemoPlant
from medtrace.integration import services
from medtrace.integration.models import Subscription

ERP_TOPICS = [
    "trace.lot",
    "purchasing.receipt",
    "quality.inspectionrecord",
    "production.workorder",
    "shipping.shipmentorder",
    "recall.recall",
]
ALERT_TOPICS = ["quality.nonconformance", "quality.complaint", "recall.recall"]
ALERT_NAME = "QA on-call alerts (WeCom bot)"


def build_subscriptions(demo: DemoPlant) -> None:
    admin, sites = demo.users["admin"], list(demo.sites.values())
    services.create_subscription(
        organization=demo.organization,
        name="ERP (SAP S/4HANA) feed",
        url="",
        topics=ERP_TOPICS,
        sites=sites,
        by=admin,
    )
    shipments = services.create_query(
        organization=demo.organization,
        name="shipments-to-customers",
        parameters={"EQ_bizStep": "shipping"},
        by=admin,
    )
    services.create_subscription(
        organization=demo.organization,
        name="Distributor traceability feed (EPCIS)",
        url="",
        topics=[],
        query=shipments,
        sites=sites,
        by=admin,
    )
    services.create_subscription(
        organization=demo.organization,
        name=ALERT_NAME,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-key",
        topics=ALERT_TOPICS,
        sites=sites,
        by=admin,
    )


def pause_the_alerts(demo: DemoPlant) -> None:
    alerts = Subscription.objects.get(organization=demo.organization, name=ALERT_NAME)
    services.set_active(
        alerts,
        active=False,
        by=demo.users["admin"],
        reason="Waiting for IT security to open the outbound firewall rule (ticket IT-2211)",
    )
