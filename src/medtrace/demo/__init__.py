"""The demo plant: a deterministic, realistic data set used by `medtrace demo` and by tests.

Each domain adds a step to STEPS (a function taking the DemoPlant built so far), so the demo
always shows a living plant. Same seed, same plant.
"""

from collections.abc import Callable
from contextlib import contextmanager

from django.db import transaction

from medtrace.accounts.models import User
from medtrace.demo import (
    audit,
    catalog,
    complaint_history,
    complaints,
    documents,
    equipment,
    generated,
    history,
    integration,
    inventory,
    machine_states,
    partners,
    plant,
    production,
    purchasing,
    quality,
    recalls,
    recipes,
    reports,
    shipping,
    supplier_history,
    switch_over,
    training,
    udi,
)
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant

STEPS: list[tuple[str, Callable[[DemoPlant], None]]] = [
    ("organization and sites", plant.build_sites),
    ("locations", plant.build_locations),
    ("people and roles", plant.build_people),
    ("audit-trail reviews", audit.build_audit_reviews),
    # Before the plant's history, so the other systems hear of all of it.
    ("webhooks and feeds to the ERP and the distributor", integration.build_subscriptions),
    ("controlled documents", documents.build_documents),
    ("items and device identifiers", catalog.build_catalog),
    ("UDI database submissions", udi.build_udi_submissions),
    ("bills of materials and routings", recipes.build_boms_and_routings),
    ("suppliers and customers", partners.build_partners),
    ("equipment", equipment.build_equipment),
    ("a year of trace history", history.build_history),
    ("calibration and maintenance records", equipment.build_calibration_history),
    ("inspection plans and records", quality.build_inspections),
    ("purchase orders and receipts", purchasing.build_purchasing),
    ("nonconformance reports", quality.build_nonconformances),
    ("deviations and CAPA", quality.build_deviations_and_capas),
    ("shipment orders and a return", shipping.build_shipping),
    # Before the cycle counts begin: the week's material leaves the stores first.
    ("material issued to the lines", production.issue_to_lines),
    ("stock counts and expiry", inventory.build_inventory),
    ("work orders", production.build_production),
    ("complaints and adverse events", complaints.build_complaints),
    ("a year of complaints before them", complaint_history.build_complaint_history),
    ("generated documents", generated.build_generated_documents),
    ("curricula and training records", training.build_training),
    # After training: the operations need operators trained on their work instructions.
    ("production on the floor", production.build_production_runs),
    ("a drill, a closed and a draft recall", recalls.build_recalls),
    ("report subscriptions", reports.build_report_subscriptions),
    ("a year of incoming Tyvek inspections", supplier_history.build_supplier_history),
    ("a week of machine states on the floor", machine_states.build_machine_states),
    ("the Shenzhen plant's stock and history taken on", switch_over.build_switch_over),
    ("the QA alert webhook paused", integration.pause_the_alerts),
    # Last: what the hourly jobs keep for the dashboards, from every step before.
    ("units shipped and lot risks for the dashboards", complaint_history.count_for_the_dashboards),
]

__all__ = ["DEMO_PASSWORD", "STEPS", "DemoPlant", "generate"]


@contextmanager
def _each_password_checked_once():
    """The demo signs a few hundred records as a dozen people, each time re-entering the same
    password, and Argon2 makes every check cost a third of a second by design. While the demo
    builds its plant, each person's password is checked once for real and the answer reused;
    the installation's hasher and every later sign-in and signature are untouched."""
    check_password = User.check_password
    answers: dict[tuple[int, str], bool] = {}

    def checked_once(user, raw_password):
        key = (user.pk, raw_password)
        if key not in answers:
            answers[key] = check_password(user, raw_password)
        return answers[key]

    User.check_password = checked_once
    try:
        yield
    finally:
        User.check_password = check_password


def generate(*, seed: int = 2026, on_step: Callable[[int, int, str], None] | None = None):
    """Build the demo plant in one transaction; `on_step(done, total, label)` reports progress."""
    demo = DemoPlant(seed=seed)
    with transaction.atomic(), _each_password_checked_once():
        for number, (label, step) in enumerate(STEPS):
            if on_step:
                on_step(number, len(STEPS), label)
            step(demo)
    if on_step:
        on_step(len(STEPS), len(STEPS), "")
    return demo
