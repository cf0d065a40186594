from medtrace.analytics.tests.fixtures import *  # noqa: F403
from medtrace.changes.tests.fixtures import *  # noqa: F403
from medtrace.documents.tests.fixtures import *  # noqa: F403
from medtrace.inventory.tests.fixtures import *  # noqa: F403
from medtrace.production.tests.fixtures import *  # noqa: F403
from medtrace.quality.tests.conftest import (  # noqa: F401  (incoming inspection fixtures)
    balance,
    inspector_a,
    make_ncr,
    received_lot,
    resin,
    resin_plan,
    supplier,
)
