"""The demo plant: a deterministic, realistic data set used by `medtrace demo` and by tests.

Each domain adds a step to STEPS (a function taking the DemoPlant built so far), so the demo
always shows a living plant. Same seed, same plant.
"""

from collections.abc import Callable

from django.db import transaction

from medtrace.demo import (
    audit,
    catalog,
    complaints,
    equipment,
    history,
    partners,
    plant,
    quality,
    recipes,
)
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant

STEPS: list[tuple[str, Callable[[DemoPlant], None]]] = [
    ("organization and sites", plant.build_sites),
    ("locations", plant.build_locations),
    ("people and roles", plant.build_people),
    ("audit-trail reviews", audit.build_audit_reviews),
    ("items and device identifiers", catalog.build_catalog),
    ("bills of materials and routings", recipes.build_boms_and_routings),
    ("suppliers and customers", partners.build_partners),
    ("equipment", equipment.build_equipment),
    ("a year of trace history", history.build_history),
    ("inspection plans and records", quality.build_inspections),
    ("nonconformance reports", quality.build_nonconformances),
    ("deviations and CAPA", quality.build_deviations_and_capas),
    ("complaints and adverse events", complaints.build_complaints),
]

__all__ = ["DEMO_PASSWORD", "STEPS", "DemoPlant", "generate"]


def generate(*, seed: int = 2026, on_step: Callable[[int, int, str], None] | None = None):
    """Build the demo plant in one transaction; `on_step(done, total, label)` reports progress."""
    demo = DemoPlant(seed=seed)
    with transaction.atomic():
        for number, (label, step) in enumerate(STEPS):
            if on_step:
                on_step(number, len(STEPS), label)
            step(demo)
    if on_step:
        on_step(len(STEPS), len(STEPS), "")
    return demo
