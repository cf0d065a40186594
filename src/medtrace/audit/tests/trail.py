"""Fixtures of the audit log page and API tests (imported by them, not a conftest, so the
chain tests beside them are untouched): a small trail at two sites and at the organization
level, and a private data dir, so checkpoints written by other tests never take part in these
tests' verification."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from medtrace.accounts.roles import Role
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.org import services as org_services
from medtrace.org.models import Location

LONG_AGO = datetime(2020, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
def private_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def auditor_a(make_user, site_a):
    return make_user("auditor-a", (site_a, Role.AUDITOR))


@dataclass
class Trail:
    rename: AuditEntry  # site A: a location renamed by admin-a
    deviation: AuditEntry  # site A: a reasoned change long ago
    bin_b: AuditEntry  # site B: a location created
    sign_in: AuditEntry  # organization level: qa-b signed in
    store: Location


@pytest.fixture
def trail(admin_a, qa_b, site_a, site_b, monkeypatch):
    store = Location.objects.get(site=site_a, code="STK")
    with monkeypatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: LONG_AGO)
        deviation = audit.record(
            AuditAction.TRANSITION,
            store,
            by=admin_a,
            changes={"is_active": [True, False]},
            reason="deviation DV-0042",
        )
    org_services.update_location(
        location=store, name="原料库", name_en="Raw store", kind=store.kind, by=admin_a
    )
    rename = AuditEntry.objects.filter(object_id=str(store.pk), action="change").get()
    bin_b = Location.objects.get(site=site_b, code="SCR")
    created_b = audit.record(AuditAction.CREATE, bin_b, by=admin_a, changes={"code": [None, "X"]})
    sign_in = audit.record(AuditAction.LOGIN, qa_b, by=qa_b)
    return Trail(rename=rename, deviation=deviation, bin_b=created_b, sign_in=sign_in, store=store)
