import pytest

from medtrace.keys import keyring
from medtrace.quality.tests.complaint_fixtures import *  # noqa: F403  (complaints to encrypt)


@pytest.fixture(autouse=True)
def no_keys_in_memory():
    """Each test unwraps its data keys itself: a key left in memory would hide a missing one."""
    keyring.forget()
    yield
    keyring.forget()
