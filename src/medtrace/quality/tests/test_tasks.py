"""My tasks and the related-records panel."""

from datetime import date

import pytest

from medtrace.quality.services import capa as capas
from medtrace.quality.services import nonconformance as ncrs
from medtrace.quality.tasks import inbox, related

pytestmark = pytest.mark.django_db


def test_the_inbox_lists_what_the_user_may_do_now(make_ncr, qa_a, operator_a, inspector_a):
    ncr = make_ncr()
    assert [task.record for task in inbox(qa_a)["nonconformances"]] == [ncr]
    assert inbox(operator_a)["nonconformances"] == []
    capa = capas.escalate_nonconformance(ncr, by=qa_a)
    capas.update_investigation(capa, root_cause="x", by=qa_a)
    action = capas.add_action(
        capa, kind="corrective", description="Fix.", owner=operator_a, due_on=date.today(),
        by=qa_a,
    )  # fmt: skip
    assert inbox(operator_a)["capa_actions"] == [action]


def test_a_finished_record_leaves_the_inbox(make_ncr, qa_a):
    ncr = ncrs.cancel(make_ncr(), by=qa_a, reason="Raised twice.")
    assert ncr not in [task.record for task in inbox(qa_a)["nonconformances"]]


def test_the_page_shows_the_tasks(client, make_ncr, qa_a):
    ncr = make_ncr()
    client.force_login(qa_a)
    page = client.get("/quality/tasks/").content.decode()
    assert ncr.number in page and 'data-task="ncr"' in page


def test_related_records_reach_through_the_genealogy(make_ncr, received_lot, qa_a, qa_b):
    ncr = make_ncr()
    found = related(received_lot, qa_a)
    assert found.nonconformances == [ncr] and ("ncr", ncr.pk) in found.own
    assert related(received_lot, qa_b).nonconformances == []


def test_the_related_panel_renders_for_a_lot(client, make_ncr, received_lot, qa_a, qa_b):
    ncr = make_ncr()
    client.force_login(qa_a)
    assert ncr.number in client.get(f"/quality/related/{received_lot.pk}/").content.decode()
    client.force_login(qa_b)
    assert client.get(f"/quality/related/{received_lot.pk}/").status_code == 404


def test_complaints_wait_in_the_inbox_and_show_on_their_device(receive, shipped_unit, qa_a):
    complaint = receive()
    assert [task.record for task in inbox(qa_a)["complaints"]] == [complaint]
    assert related(shipped_unit, qa_a).complaints == [complaint]


def test_a_record_says_whose_move_it_is(client, make_ncr, operator_a, qa_a):
    ncr = make_ncr()
    client.force_login(operator_a)
    page = client.get(f"/quality/ncrs/{ncr.pk}/").content.decode()
    assert 'data-step="start_review"' in page and "QA manager" in page
    client.force_login(qa_a)
    page = client.get(f"/quality/ncrs/{ncr.pk}/").content.decode()
    assert "data-waiting-on" not in page  # the QA manager's own buttons say it
