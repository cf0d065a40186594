# ruff: noqa: F811 (fixtures imported from trail.py are test parameters)
import csv
import io
import zoneinfo
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from medtrace.accounts.roles import Role
from medtrace.audit import immutability, selectors
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.audit.tests.trail import auditor_a, private_data_dir, trail  # noqa: F401
from medtrace.org.middleware import SESSION_KEY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_data_dir")]


def shown(response) -> set[int]:
    return {entry.pk for entry in response.context["page"]}


def test_audit_readers_get_the_page_and_the_menu_item(client, auditor_a, operator_a):
    client.force_login(auditor_a)
    assert 'href="/audit/"' in client.get("/").content.decode()
    assert client.get("/audit/").status_code == 200
    client.force_login(operator_a)
    assert 'href="/audit/"' not in client.get("/").content.decode()
    assert client.get("/audit/").status_code == 403
    client.logout()
    assert client.get("/audit/")["Location"].startswith("/accounts/login/")


def test_roles_that_read_the_trail(make_user, site_a):
    for role, reads in [
        (Role.QA_MANAGER, True),
        (Role.REGULATORY_AFFAIRS, True),
        (Role.AUDITOR, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.OPERATOR, False),
        (Role.WAREHOUSE_CLERK, False),
    ]:
        user = make_user(f"u-{role}", (site_a, role))
        assert user.has_perm("audit.view_auditentry", site_a) is reads, role


def test_newest_first_with_site_organization_and_links(client, auditor_a, trail, site_a):
    client.force_login(auditor_a)
    response = client.get("/audit/")
    entries = list(response.context["page"])
    assert entries == sorted(entries, key=lambda entry: (entry.at, entry.pk), reverse=True)
    ids = {entry.pk for entry in entries}
    assert {trail.rename.pk, trail.deviation.pk, trail.sign_in.pk} <= ids
    assert trail.bin_b.pk not in ids, "site B is not the auditor's"
    page = response.content.decode()
    assert f'href="/org/locations/{trail.store.pk}/"' in page
    assert 'href="/org/sites/A1/"' in page, "the site's creation links to the site by code"
    assert "→ 原料库" in page
    assert "deviation DV-0042" in page
    assert trail.rename.at.strftime("%H:%M:%S") in page


def test_other_site_entries_are_never_shown(client, qa_b, trail, site_a):
    client.force_login(qa_b)
    ids = shown(client.get("/audit/"))
    assert trail.bin_b.pk in ids and trail.sign_in.pk in ids
    assert trail.rename.pk not in ids and trail.deviation.pk not in ids
    # Asking for site A is refused as a choice, and never widens what is shown.
    response = client.get("/audit/", {"site": site_a.pk})
    assert trail.rename.pk not in shown(response)
    assert "原料库" not in response.content.decode()


def test_other_organizations_are_never_shown(client, auditor_a, trail):
    from medtrace.org import services as org_services

    other, _created = org_services.ensure_organization(name="别家公司", name_en="Other Co.")
    elsewhere = audit.record(AuditAction.CREATE, other, changes={"name": [None, "别家公司"]})
    client.force_login(auditor_a)
    ids = shown(client.get("/audit/"))
    assert elsewhere.pk not in ids
    assert selectors.visible_entries(auditor_a).filter(pk=elsewhere.pk).count() == 0


def test_each_filter_narrows(client, auditor_a, admin_a, qa_b, trail, site_a):
    client.force_login(auditor_a)

    def only(**params):
        return shown(client.get("/audit/", params))

    assert only(action="change") == {trail.rename.pk}
    assert only(action="login") == {trail.sign_in.pk}
    assert only(actor=qa_b.pk) == {trail.sign_in.pk}
    assert trail.sign_in.pk not in only(actor=admin_a.pk)
    assert only(site="-") == set(
        selectors.visible_entries(auditor_a).filter(site__isnull=True).values_list("pk", flat=True)
    )
    assert trail.sign_in.pk not in only(site=site_a.pk)
    assert trail.rename.pk in only(site=site_a.pk)
    assert only(object_type="org.location", object_id=trail.store.pk) == {
        trail.rename.pk,
        trail.deviation.pk,
        *AuditEntry.objects.filter(
            object_type="org.location", object_id=str(trail.store.pk), action="create"
        ).values_list("pk", flat=True),
    }
    assert all(
        entry.object_type == "accounts.user"
        for entry in client.get("/audit/", {"object_type": "accounts.user"}).context["page"]
    )
    assert only(q="DV-0042") == {trail.deviation.pk}
    assert trail.sign_in.pk in only(q="qa-b")
    assert only(date_to="2020-03-04") == {trail.deviation.pk}
    assert only(date_from="2020-03-04", date_to="2020-03-04") == {trail.deviation.pk}
    assert trail.deviation.pk not in only(date_from="2020-03-05")


def test_dates_are_days_in_the_current_time_zone(auditor_a, trail):
    # The deviation was recorded at 05:06 UTC on 4 March: 13:06 in Shanghai, still 4 March;
    # 21:06 on 3 March in Los Angeles.
    entries = selectors.visible_entries(auditor_a)
    day = selectors.EntryFilters(date_from=date(2020, 3, 4), date_to=date(2020, 3, 4))
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert trail.deviation in selectors.filtered(entries, day)
    with timezone.override(zoneinfo.ZoneInfo("America/Los_Angeles")):
        assert trail.deviation not in selectors.filtered(entries, day)
        before = selectors.EntryFilters(date_to=date(2020, 3, 3))
        assert list(selectors.filtered(entries, before)) == [trail.deviation]


def test_the_header_site_narrows_until_the_reader_filters(client, make_user, trail, site_a, site_b):
    both = make_user("both", (site_a, Role.AUDITOR), (site_b, Role.AUDITOR))
    client.force_login(both)
    session = client.session
    session[SESSION_KEY] = site_b.pk
    session.save()
    narrowed = shown(client.get("/audit/"))
    assert trail.bin_b.pk in narrowed and trail.rename.pk not in narrowed
    everything = shown(client.get("/audit/", {"site": ""}))
    assert {trail.bin_b.pk, trail.rename.pk} <= everything


def test_a_bad_filter_is_shown_and_not_applied(client, auditor_a, trail):
    client.force_login(auditor_a)
    response = client.get("/audit/", {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert "The end date is before the start date." in response.content.decode()
    assert shown(response) == set()
    response = client.get("/audit/", {"date_from": "not a date"})
    assert trail.rename.pk in shown(response)


def test_htmx_gets_only_the_results(client, auditor_a, trail):
    client.force_login(auditor_a)
    page = client.get("/audit/").content.decode()
    assert 'hx-get="/audit/"' in page and 'hx-target="#audit-results"' in page
    assert 'hx-push-url="true"' in page
    response = client.get("/audit/", {"action": "change"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment and "<form" not in fragment
    assert shown(response) == {trail.rename.pk}
    assert 'href="/audit/export.csv?action=change' in fragment
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        "/audit/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_pages_of_fifty_keep_the_filter(client, auditor_a, site_a, admin_a):
    for number in range(55):
        audit.record(AuditAction.CHANGE, site_a, by=admin_a, changes={"n": [number, number + 1]})
    client.force_login(auditor_a)
    response = client.get("/audit/", {"action": "change"})
    assert len(response.context["page"]) == 50
    assert 'href="/audit/?action=change&amp;page=2"' in response.content.decode()
    assert len(client.get("/audit/", {"action": "change", "page": 2}).context["page"]) == 5


def test_log_page_queries_do_not_grow_with_rows(
    client, auditor_a, admin_a, site_a, django_assert_max_num_queries
):
    store = site_a.locations.get(code="STK")
    for number in range(100):
        target = store if number % 2 else site_a
        audit.record(AuditAction.CHANGE, target, by=admin_a, changes={"name": ["a", f"b{number}"]})
    client.force_login(auditor_a)
    with django_assert_max_num_queries(12):
        response = client.get("/audit/")
    assert len(response.context["page"]) == 50
    assert response.content.decode().count(f'href="/org/locations/{store.pk}/"') == 25


def test_csv_export_is_the_filter_with_a_bom_and_is_audited(client, auditor_a, trail):
    client.force_login(auditor_a)
    response = client.get("/audit/export.csv", {"object_type": "org.location"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, lines = rows[0], rows[1:]
    assert header[0] == "Time" and "Changes" in header and "Entry hash" in header
    expected = selectors.visible_entries(auditor_a).filter(object_type="org.location")
    assert lines and len(lines) == expected.count()
    rename = next(line for line in lines if line[6] == "Changed")
    assert "原料库" in rename[10] and rename[5] == "A1"
    export = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert export.actor == auditor_a
    assert export.object_type == "audit.auditentry"
    assert export.changes == {"filters": {"object_type": "org.location"}, "rows": len(lines)}
    assert export.site_id is None, "an export is an organization-level entry"


def test_csv_export_neutralizes_formulas(client, auditor_a, admin_a, site_a):
    audit.record(AuditAction.CHANGE, site_a, by=admin_a, reason='=HYPERLINK("http://x")')
    client.force_login(auditor_a)
    body = b"".join(client.get("/audit/export.csv", {"q": "HYPERLINK"}).streaming_content)
    line = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1]
    assert line[11] == '\'=HYPERLINK("http://x")'


def test_csv_export_needs_the_permission(client, operator_a):
    client.force_login(operator_a)
    assert client.get("/audit/export.csv").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_location_page_shows_its_history(client, auditor_a, trail):
    client.force_login(auditor_a)
    page = client.get(f"/org/locations/{trail.store.pk}/").content.decode()
    assert "History" in page
    assert "合格品库 → 原料库" in page
    assert "deviation DV-0042" in page
    assert f"/audit/?object_type=org.location&amp;object_id={trail.store.pk}" in page
    # Shown in the location's site's zone: 05:06:07 UTC is 13:06:07 in Shanghai.
    assert "times in Asia/Shanghai" in page and "2020-03-04 13:06:07" in page


def test_history_only_for_audit_readers_of_the_site(client, operator_a, admin_a, trail, site_a):
    client.force_login(operator_a)
    page = client.get(f"/org/locations/{trail.store.pk}/").content.decode()
    assert "合格品库 → 原料库" not in page and "audit-history" not in page
    client.force_login(admin_a)
    page = client.get(f"/org/sites/{site_a.code}/").content.decode()
    assert "audit-history-heading" in page


def test_user_and_job_pages_show_their_history(client, admin_a, qa_b, trail):
    from medtrace.jobs import services as jobs

    client.force_login(admin_a)
    page = client.get(f"/accounts/users/{admin_a.pk}/").content.decode()
    assert "audit-history-heading" in page and "Created" in page
    job = jobs.run_now("jobs.prune", by=admin_a)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "audit-history-heading" in page and "jobs.prune" in page


def test_history_is_limited_with_a_link_to_the_log(client, auditor_a, admin_a, site_a):
    for number in range(52):
        audit.record(AuditAction.CHANGE, site_a, by=admin_a, changes={"n": [number, number + 1]})
    client.force_login(auditor_a)
    page = client.get(f"/org/sites/{site_a.code}/").content.decode()
    assert "The last 50 entries are shown." in page
    assert "n:</span> 51 → 52" in page and "n:</span> 0 → 1" not in page


def test_verify_button_for_qa_managers(client, qa_a, auditor_a, trail):
    client.force_login(auditor_a)
    assert "Verify chain" not in client.get("/audit/").content.decode()
    assert client.post("/audit/verify/").status_code == 403
    client.force_login(qa_a)
    assert "Verify chain" in client.get("/audit/").content.decode()
    response = client.post("/audit/verify/", headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert '<span class="badge ok">ok</span>' in fragment
    assert f"org:{qa_a.organization_id}" in fragment
    check = AuditEntry.objects.get(action=AuditAction.VERIFY)
    assert check.actor == qa_a and check.changes["ok"] is True
    assert check.changes["entries"] == response.context["check"].result.entries > 0
    page = client.post("/audit/verify/").content.decode()
    assert "<html" in page and '<span class="badge ok">ok</span>' in page


def test_verify_names_the_tampered_entry(client, qa_a, trail):
    immutability.remove(connection)  # undone with the test's transaction
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["forged", trail.rename.pk]
        )
    client.force_login(qa_a)
    response = client.post("/audit/verify/", headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert '<span class="badge bad">' in fragment and 'role="alert"' in fragment
    assert f"entry {trail.rename.sequence}:" in fragment
    assert "content changed" in fragment
    check = AuditEntry.objects.filter(action=AuditAction.VERIFY).get()
    assert check.changes["ok"] is False and check.changes["sequence"] == trail.rename.sequence
