import pytest

from medtrace.integration import services as integration
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
    return integration.create_subscription(
        organization=organization,
        name="ERP",
        url=receiver.url,
        topics=["partners.supplier", "trace.lot"],
        sites=[site_a],
        by=admin_a,
    )


# The machine-data tests run a work order on a molding machine, as the production tests do.
from medtrace.changes.tests.fixtures import *  # noqa: E402, F403
from medtrace.documents.tests.fixtures import *  # noqa: E402, F403
from medtrace.inventory.tests.fixtures import *  # noqa: E402, F403
from medtrace.production.tests.fixtures import *  # noqa: E402, F403
