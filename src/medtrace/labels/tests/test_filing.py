"""Where a label print is filed in the audit trail: a label carries a lot or serial, one site's
record, so its entry shows only where that record does (not in every site's log, as the device
identifier's organization-wide entries do)."""

import pytest

from medtrace.accounts.roles import Role
from medtrace.audit import selectors as audit_selectors
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.catalog.choices import PackagingLevel
from medtrace.labels import services
from medtrace.labels.tests.test_services import EXPIRY, MADE, SSCC
from medtrace.trace.choices import LotOrigin
from medtrace.trace.services import objects as trace_objects

pytestmark = pytest.mark.django_db

UNIT = PackagingLevel.BASE_UNIT
DATES = {"expiry": EXPIRY, "production_date": MADE}


def printed(identifier, **values):
    return AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_id=str(identifier.pk), **values
    )


def test_a_label_of_a_known_lot_is_filed_at_the_lots_site(
    levels, device, make_user, site_a, site_b, qa_b
):
    trace_objects.create_lot(
        item=device, lot_number="B-LOT-7", site=site_b, origin=LotOrigin.PRODUCED, by=qa_b
    )
    both = make_user("ra-ab", (site_a, Role.REGULATORY_AFFAIRS), (site_b, Role.REGULATORY_AFFAIRS))
    services.device_label_pdf(identifier=levels[UNIT], lot="B-LOT-7", by=both, **DATES)
    entry = printed(levels[UNIT]).get()
    assert entry.site_id == site_b.pk
    neighbour = make_user("qa-a-only", (site_a, Role.QA_MANAGER))
    assert not audit_selectors.visible_entries(neighbour).filter(pk=entry.pk).exists()
    assert audit_selectors.visible_entries(qa_b).filter(pk=entry.pk).exists()


def test_an_unknown_lot_is_filed_at_the_printers_only_site(levels, regulatory_a, site_a):
    services.device_label_pdf(identifier=levels[UNIT], lot="NOT-IN-STOCK", by=regulatory_a, **DATES)
    assert printed(levels[UNIT]).get().site_id == site_a.pk


def test_a_lot_of_a_site_the_printer_cannot_see_is_not_looked_up_there(
    levels, device, regulatory_a, site_a, site_b, qa_b
):
    trace_objects.create_lot(
        item=device, lot_number="B-LOT-8", site=site_b, origin=LotOrigin.PRODUCED, by=qa_b
    )
    services.device_label_pdf(identifier=levels[UNIT], lot="B-LOT-8", by=regulatory_a, **DATES)
    assert printed(levels[UNIT]).get().site_id == site_a.pk


def test_a_person_of_several_sites_printing_an_unknown_lot_files_it_with_the_organization(
    levels, make_user, site_a, site_b
):
    both = make_user("ra-two", (site_a, Role.REGULATORY_AFFAIRS), (site_b, Role.REGULATORY_AFFAIRS))
    services.device_label_pdf(identifier=levels[UNIT], lot="TYPED-IN", by=both, **DATES)
    assert printed(levels[UNIT]).get().site_id is None


def test_an_sscc_label_is_filed_at_the_printers_site(regulatory_a, site_a):
    services.sscc_label_pdf(sscc=SSCC, contents=[], by=regulatory_a)
    entry = AuditEntry.objects.get(object_type="labels.sscc", object_id=SSCC)
    assert entry.site_id == site_a.pk
