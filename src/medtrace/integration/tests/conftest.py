import pytest

from medtrace.integration import services
from medtrace.integration.tests import receiver as receiving


@pytest.fixture
def receiver():
    running = receiving.start()
    yield running
    running.release.set()
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def webhook(organization, site_a, admin_a, receiver):
    """A webhook of site A for supplier and lot changes, sent to the test receiver."""
    return services.create_subscription(
        organization=organization,
        name="ERP",
        url=receiver.url,
        topics=["partners.supplier", "trace.lot"],
        sites=[site_a],
        by=admin_a,
    )
