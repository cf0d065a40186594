"""Equipment pages: site scope, filters, who may create, edit and change status."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from medtrace.equipment import services
from medtrace.equipment.models import Equipment
from medtrace.org.middleware import SESSION_KEY

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_operator_reads_own_site_only(client, operator_a, balance, extruder_b):
    client.force_login(operator_a)
    listing = page(client, "/equipment/")
    assert "BAL-01" in listing and "EXT-01" not in listing and "New equipment" not in listing
    assert ">Equipment<" in listing  # in the master-data menu
    detail = page(client, f"/equipment/{balance.pk}/")
    assert "Change status" not in detail and "BAL-01" in detail
    assert client.get(f"/equipment/{extruder_b.pk}/").status_code == 404
    assert client.get("/equipment/new/").status_code == 403
    assert client.get(f"/equipment/{balance.pk}/edit/").status_code == 403


def test_list_filters(client, make_user, site_a, site_b, balance, extruder_b):
    from medtrace.accounts.roles import Role

    qa = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    client.force_login(qa)
    both = page(client, "/equipment/")
    assert "BAL-01" in both and "EXT-01" in both
    session = client.session
    session[SESSION_KEY] = site_b.pk
    session.save()
    assert "BAL-01" not in page(client, "/equipment/")
    session[SESSION_KEY] = None
    session.save()
    by_type = page(client, "/equipment/", equipment_type="extruder")
    assert "EXT-01" in by_type and "BAL-01" not in by_type
    assert "BAL-01" not in page(client, "/equipment/", status="retired")
    services.update_equipment(
        equipment=balance, last_calibrated_on=timezone.localdate() - timedelta(days=400)
    )
    overdue = page(client, "/equipment/", calibration="overdue")
    assert "BAL-01" in overdue and "EXT-01" not in overdue and "overdue" in overdue
    services.update_equipment(
        equipment=balance, last_calibrated_on=timezone.localdate() - timedelta(days=350)
    )
    assert "BAL-01" not in page(client, "/equipment/", calibration="overdue")
    assert "BAL-01" in page(client, "/equipment/", calibration="due30")


def test_supervisor_creates_edits_and_changes_status(client, supervisor_a, qa_a, site_a, site_b):
    client.force_login(supervisor_a)
    form = page(client, "/equipment/new/")
    assert "A1 ·" in form and "B1 ·" not in form
    response = client.post(
        "/equipment/new/",
        {
            "site": site_a.pk,
            "code": "lt-01",
            "name": "泄漏测试仪",
            "equipment_type": "leak_tester",
            "calibration_required": "on",
            "calibration_interval_days": "180",
            "last_calibrated_on": "2026-01-01",
        },
    )
    equipment = Equipment.objects.get(code="LT-01")
    assert response.status_code == 302 and equipment.calibration_due_on == date(2026, 6, 30)
    response = client.post(
        "/equipment/new/",
        {"site": site_b.pk, "code": "X", "name": "x", "equipment_type": "other"},
    )
    assert response.status_code == 200 and not Equipment.objects.filter(code="X").exists()
    response = client.post(
        f"/equipment/{equipment.pk}/edit/",
        {"name": "泄漏测试仪 2", "equipment_type": "leak_tester", "calibration_interval_days": ""},
    )
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert equipment.name == "泄漏测试仪 2" and equipment.calibration_due_on is None
    response = client.post(f"/equipment/{equipment.pk}/status/", {"status": "retired"})
    equipment.refresh_from_db()
    assert equipment.status == "in_service"
    client.post(f"/equipment/{equipment.pk}/status/", {"status": "retired", "reason": "报废"})
    equipment.refresh_from_db()
    assert equipment.status == "retired"
    assert "Change status" not in page(client, f"/equipment/{equipment.pk}/")
    client.force_login(qa_a)
    history = page(client, f"/equipment/{equipment.pk}/")
    assert "Status changed" in history and "报废" in history


def test_qa_of_another_site_cannot_change(client, qa_b, balance):
    client.force_login(qa_b)
    response = client.post(f"/equipment/{balance.pk}/status/", {"status": "retired", "reason": "x"})
    assert response.status_code == 404
    balance.refresh_from_db()
    assert balance.status == "in_service"
