"""The declared lifecycle refuses what it does not declare, whoever asks."""

import pytest
from django.db import models

from medtrace.core.workflow import Transition, Workflow


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"


def test_a_transition_to_an_undeclared_state_fails_at_declaration():
    with pytest.raises(ValueError, match="amber"):
        Workflow(Light, [Transition("go", "Go", ["red"], "amber", "x.change_light")])


def test_an_unknown_signature_meaning_fails_at_declaration():
    with pytest.raises(ValueError):
        Workflow(
            Light, [Transition("go", "Go", ["red"], "green", "x.change_light", signature="ok")]
        )


def test_available_transitions_follow_the_state():
    flow = Workflow(
        Light,
        [
            Transition("go", "Go", ["red"], "green", "x.change_light"),
            Transition("stop", "Stop", ["green"], "red", "x.change_light"),
        ],
    )

    class Record:
        status = "red"

    assert [t.name for t in flow.available(Record())] == ["go"]
