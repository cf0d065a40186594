import pytest

from medtrace.accounts.roles import Role
from medtrace.demo import DEMO_PASSWORD
from medtrace.org.models import Location, Membership, Site

pytestmark = pytest.mark.django_db


def test_demo_plant_has_two_plants_a_warehouse_and_one_user_per_role(demo_plant):
    plant = demo_plant
    assert plant.organization.name == "示例医疗器械有限公司"
    assert set(Site.objects.values_list("code", flat=True)) == {"SZ01", "SZ02", "DC01"}
    assert Location.objects.filter(site__code="SZ01", kind="quarantine").count() >= 2
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    assert plant.users["qa"].check_password(DEMO_PASSWORD)


def test_demo_users_see_what_their_roles_allow(client, demo_plant):
    client.login(username="operator", password=DEMO_PASSWORD)
    codes = [site["code"] for site in client.get("/api/v1/sites").json()["items"]]
    assert codes == ["SZ01"]
    client.login(username="auditor", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 302
    assert len(client.get("/api/v1/sites").json()["items"]) == 3


def test_the_demo_has_nonconformances_at_every_stage(demo_plant):
    from medtrace.quality.models import Nonconformance

    by_status = dict(Nonconformance.objects.values_list("status", "title"))
    assert set(by_status) == {"closed", "under_review", "open"}
    held = Nonconformance.objects.get(status="under_review")
    assert held.supplier is not None and held.lot.disposition == "non_conformant"
    assert held.inspection.verdict == "rejected"
    assert held.dispositions.get().decision == "return_to_supplier"


def test_the_demo_inspects_incoming_resin_and_tests_for_leaks(demo_plant):
    from medtrace.production.models import WorkOrder
    from medtrace.quality.models import InspectionRecord
    from medtrace.trace.models import Lot

    # The in-process inspections of the orders worked on the floor are production's story.
    made = WorkOrder.objects.exclude(lot=None).values("lot")
    verdicts = sorted(
        InspectionRecord.objects.exclude(lot__in=made).values_list(
            "plan__code", "status", "verdict"
        )
    )
    tyvek_lots = Lot.objects.filter(item__code="PK-TYVEK", origin="received").count()
    assert tyvek_lots >= 4  # about one delivery a quarter
    assert verdicts == [
        ("IP-LEAK-01", "in_progress", ""),
        ("IP-PVC-IN", "completed", "accepted"),
        ("IP-PVC-IN", "completed", "rejected"),
        ("IP-PVC-IN", "in_progress", ""),  # started by this week's receipt (demo.purchasing)
        *[("IP-TYV-IN", "completed", "accepted")] * tyvek_lots,  # demo.supplier_history
    ]


def test_the_demo_tyvek_supplier_drifts_this_quarter(demo_plant):
    from django.utils import timezone

    from medtrace.analytics import supplier_trends

    trends = supplier_trends.supplier_trends(
        demo_plant.users["qa"], today=timezone.localdate(), count=8
    )
    tyvek = next(trend for trend in trends.values() if trend.supplier.code == "SUP-SHTYV")
    assert sum(quarter.inspections for quarter in tyvek.quarters) >= 4
    drifting = {trend.supplier.code for trend in trends.values() if trend.drift.signal}
    # The history delivers about once a quarter, from the day the demo is built backwards.
    if tyvek.current.inspections:
        assert (tyvek.current.defective, tyvek.current.sampled) == (4, 200)
        assert tyvek.drift.defects.signal and not tyvek.drift.rejections.signal
        assert drifting == {"SUP-SHTYV"}
    else:
        assert drifting == set()


def test_the_demo_has_a_sterilizer_deviation_and_a_supplier_capa_under_way(demo_plant):
    from medtrace.quality.models import Capa, Deviation
    from medtrace.quality.services.deviation import blocking_release

    cold = Deviation.objects.get(status="approved")
    assert cold.equipment.code == "EOS-01"
    assert list(blocking_release(cold.lots.get())) == [cold]
    capa = Capa.objects.get(source="nonconformance")  # the other is a supplier audit's
    assert capa.status == "implementing" and capa.nonconformance.inspection is not None
    assert capa.actions.count() == 2
