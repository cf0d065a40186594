from medtrace.changes.tests.fixtures import *  # noqa: F403
from medtrace.documents.tests.fixtures import *  # noqa: F403
