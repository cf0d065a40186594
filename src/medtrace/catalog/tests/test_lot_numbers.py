"""Lot-number rules: token expansion, sequence resets, preview, validation, concurrency."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from medtrace.audit.models import AuditEntry
from medtrace.catalog.models import LotNumberCounter, LotNumberRule
from medtrace.catalog.services import lot_numbers as lots
from medtrace.core.errors import DomainError, ErrorCode

DAY = date(2026, 3, 14)  # day 073 of the year


@pytest.fixture
def default_rule(organization, regulatory_a):
    return lots.create_lot_rule(
        organization=organization, pattern="{SITE}{YY}{JJJ}-{SEQ:3}", reset="day", by=regulatory_a
    )


@pytest.mark.django_db
def test_tokens_expand_and_the_default_rule_applies(device, site_a, default_rule):
    assert lots.next_lot_number(item=device, site=site_a, today=DAY) == "A126073-001"
    assert lots.next_lot_number(item=device, site=site_a, today=DAY) == "A126073-002"
    lots.create_lot_rule(
        organization=device.organization, item=device, pattern="L{YYYY}{MM}{DD}{SEQ:4}X"
    )
    assert lots.next_lot_number(item=device, site=site_a, today=DAY) == "L202603140001X"
    assert lots.next_lot_number(item=device, site=site_a, today=date(2024, 12, 31)) == (
        "L202412310001X"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reset", "later", "restarts"),
    [
        ("day", date(2026, 3, 15), True),
        ("month", date(2026, 3, 31), False),
        ("month", date(2026, 4, 1), True),
        ("year", date(2026, 12, 31), False),
        ("year", date(2027, 1, 1), True),
        ("never", date(2030, 1, 1), False),
    ],
)
def test_sequence_resets(device, site_a, reset, later, restarts):
    lots.create_lot_rule(organization=device.organization, pattern="{SEQ:2}", reset=reset)
    assert lots.next_lot_number(item=device, site=site_a, today=DAY) == "01"
    assert lots.next_lot_number(item=device, site=site_a, today=later) == (
        "01" if restarts else "02"
    )


@pytest.mark.django_db
def test_each_site_numbers_its_own_lots_when_the_pattern_names_the_site(
    device, site_a, site_b, default_rule
):
    assert lots.next_lot_number(item=device, site=site_a, today=DAY).endswith("-001")
    assert lots.next_lot_number(item=device, site=site_b, today=DAY) == "B126073-001"


@pytest.mark.django_db
def test_preview_does_not_consume(device, site_a, default_rule):
    assert lots.preview_lot_numbers(default_rule, site_a, DAY) == [
        "A126073-001",
        "A126073-002",
        "A126073-003",
    ]
    assert not LotNumberCounter.objects.exists()
    lots.next_lot_number(item=device, site=site_a, today=DAY)
    assert lots.preview_lot_numbers(default_rule, site_a, DAY, count=1) == ["A126073-002"]
    assert lots.next_lot_number(item=device, site=site_a, today=DAY) == "A126073-002"


@pytest.mark.parametrize(
    ("pattern", "named"),
    [
        ("{LOT}{SEQ:3}", "{LOT}"),
        ("{YYYY}-", "{SEQ:n}"),
        ("{SEQ:0}", "{SEQ:0}"),
        ("{SEQ:12}", "{SEQ:12}"),
        ("{SEQ}", "{SEQ}"),
        ("{SEQ:3}{SEQ:2}", "{SEQ:n}"),
        ("A{SEQ:3", "brace"),
    ],
)
def test_invalid_patterns_name_the_token(pattern, named):
    with pytest.raises(DomainError) as refused:
        lots.parse_pattern(pattern)
    assert refused.value.code == ErrorCode.VALIDATION
    assert named in str(refused.value.message)


@pytest.mark.django_db
def test_rules_are_audited_and_one_per_item(organization, device, default_rule, regulatory_a):
    assert AuditEntry.objects.filter(object_type="catalog.lotnumberrule", action="create").exists()
    with pytest.raises(DomainError) as refused:
        lots.create_lot_rule(organization=organization, pattern="{SEQ:4}")
    assert refused.value.code == ErrorCode.DUPLICATE
    lots.update_lot_rule(rule=default_rule, pattern="{SEQ:5}", by=regulatory_a)
    entry = AuditEntry.objects.get(object_type="catalog.lotnumberrule", action="change")
    assert entry.changes["pattern"] == ["{SITE}{YY}{JJJ}-{SEQ:3}", "{SEQ:5}"]
    with pytest.raises(DomainError):
        lots.update_lot_rule(rule=default_rule, pattern="{BAD}")
    assert LotNumberRule.objects.get().pattern == "{SEQ:5}"


@pytest.mark.django_db
def test_no_rule_and_used_up_sequence_are_refused(device, site_a):
    with pytest.raises(DomainError) as refused:
        lots.next_lot_number(item=device, site=site_a, today=DAY)
    assert refused.value.code == ErrorCode.INVALID_STATE
    lots.create_lot_rule(organization=device.organization, pattern="{SEQ:1}")
    for expected in range(1, 10):
        assert lots.next_lot_number(item=device, site=site_a, today=DAY) == str(expected)
    with pytest.raises(DomainError):
        lots.next_lot_number(item=device, site=site_a, today=DAY)


WRITERS = 8
NUMBERS_EACH = 25


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL run only"
)
def test_concurrent_allocation_is_distinct_and_contiguous(transactional_db, device, site_a):
    lots.create_lot_rule(organization=device.organization, pattern="{SEQ:4}", reset="never")
    start = threading.Barrier(WRITERS)
    numbers, errors = [], []

    def writer():
        try:
            start.wait()
            for _ in range(NUMBERS_EACH):
                numbers.append(lots.next_lot_number(item=device, site=site_a, today=DAY))
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == [f"{n:04d}" for n in range(1, WRITERS * NUMBERS_EACH + 1)]


@pytest.mark.django_db
def test_api_lists_creates_and_previews(client, regulatory_a, device, site_a, site_b):
    client.force_login(regulatory_a)
    api = "/api/v1/catalog/lot-rules"
    created = client.post(
        api, {"item": "is-2001", "pattern": "{YY}{SEQ:3}"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json() == {
        "id": created.json()["id"],
        "item": "IS-2001",
        "pattern": "{YY}{SEQ:3}",
        "reset": "year",
    }
    bad = client.post(api, {"pattern": "{LOT}"}, content_type="application/json")
    assert bad.status_code == 422 and "{LOT}" in bad.json()["error"]["message"]
    assert [rule["item"] for rule in client.get(api).json()] == ["IS-2001"]
    preview = client.post(
        f"{api}/{created.json()['id']}/preview",
        {"site": "A1", "today": "2026-03-14", "count": 2},
        content_type="application/json",
    )
    assert preview.json() == {"lot_numbers": ["26001", "26002"]}
    other_site = client.post(
        f"{api}/{created.json()['id']}/preview", {"site": "B1"}, content_type="application/json"
    )
    assert other_site.status_code == 404
    assert not LotNumberCounter.objects.exists()


@pytest.mark.django_db
def test_pages_create_edit_and_preview(client, regulatory_a, operator_a, device, site_a):
    client.force_login(operator_a)
    assert client.get("/catalog/lot-rules/").status_code == 200
    assert client.get("/catalog/lot-rules/new/").status_code == 403
    client.force_login(regulatory_a)
    preview = client.get("/catalog/lot-rules/preview/", {"pattern": "{SITE}-{SEQ:2}"})
    assert "A1-01" in preview.content.decode()
    refused = client.get("/catalog/lot-rules/preview/", {"pattern": "{NOPE}{SEQ:2}"})
    assert "{NOPE}" in refused.content.decode()
    response = client.post("/catalog/lot-rules/new/", {"pattern": "{SEQ:4}", "reset": "never"})
    assert response.status_code == 302
    rule = LotNumberRule.objects.get(item__isnull=True)
    form = client.get(f"/catalog/lot-rules/{rule.pk}/edit/").content.decode()
    assert 'hx-get="/catalog/lot-rules/preview/"' in form
    client.post(f"/catalog/lot-rules/{rule.pk}/edit/", {"pattern": "{X}", "reset": "never"})
    client.post(f"/catalog/lot-rules/{rule.pk}/edit/", {"pattern": "L{SEQ:4}", "reset": "day"})
    rule.refresh_from_db()
    assert (rule.pattern, rule.reset) == ("L{SEQ:4}", "day")
    assert "L{SEQ:4}" in client.get("/catalog/lot-rules/").content.decode()
