from medtrace.inventory.tests.fixtures import *  # noqa: F403
from medtrace.shipping.tests.fixtures import *  # noqa: F403
