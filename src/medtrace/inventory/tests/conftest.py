from medtrace.inventory.tests.fixtures import *  # noqa: F403
