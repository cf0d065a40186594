from medtrace.documents.tests.fixtures import *  # noqa: F403
