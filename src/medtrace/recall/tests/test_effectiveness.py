"""Recovery and effectiveness: per consignee what was shipped, contacted, acknowledged, reported
and returned (returns of in-scope goods from that customer, received after the recall opened),
the percentages and the effectiveness level; the closure criteria, each refusal naming what is
missing and writing nothing, then the signed closure; linking a CAPA; the recovery section of
the recall's page; a fixed number of queries whatever the number of consignees."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD
from medtrace.audit.models import AuditEntry, Signature
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.inventory.choices import StockStatus
from medtrace.inventory.statuses import status_of
from medtrace.org.models import Site
from medtrace.partners.choices import CustomerKind
from medtrace.partners.models import Customer
from medtrace.partners.services.customers import create_customer
from medtrace.quality.choices import CapaSource
from medtrace.quality.services.capa import open_capa
from medtrace.recall.choices import Place, RecallEffectiveness, RecallStatus
from medtrace.recall.models import Recall, ScopeEntry
from medtrace.recall.services import acknowledgements, closure, delivery, notices, recalls
from medtrace.recall.services.effectiveness import progress
from medtrace.shipping.services import packing, picking, returns, shipment
from medtrace.shipping.tests.fixtures import *  # noqa: F403
from medtrace.trace.services.objects import ensure_party

pytestmark = pytest.mark.django_db


def shipped_order(order, picks, clerk):
    for obj, quantity, reason in picks:
        picking.pick(order, obj=obj, quantity=quantity, by=clerk, reason=reason)
    packing.pack_case(order, by=clerk)
    packing.finish_packing(order, by=clerk)
    return shipment.ship(order, by=clerk)


@pytest.fixture
def consigned(make_order, catheter, infusion, units, lots, clerk_a, qa_a, organization, hospital):
    """Lot E1 (infusion sets) and the catheter lot C1 shipped: to the hospital (Shanghai) 10 of
    E1, 5 of L1 and units S0, S1 in one case; to a clinic (Jiangsu) 5 of E1. Before any recall,
    the hospital sent 2 of E1 back (received)."""
    Customer.objects.filter(pk=hospital.pk).update(region="上海", email="recall@ruijin.example")
    clinic = create_customer(
        organization=organization, code="C-PUDONG", name="浦东诊所", kind=CustomerKind.CLINIC,
        region="江苏", email="recall@pudong.example", by=qa_a,
    )  # fmt: skip
    early, late = lots["early"], lots["late"]
    first = shipped_order(
        make_order((catheter, 2), (infusion, 15)),
        [(units[0], None, ""), (units[1], None, ""), (early, 10, ""), (late, 5, "客户指定批次")],
        clerk_a,
    )
    second = shipped_order(make_order((infusion, 5), customer=clinic), [(early, 5, "")], clerk_a)
    before = returns.create_return(first, lines=[(early, 2)], reason="包装破损", by=qa_a)
    returns.receive_return(before, by=clerk_a)
    return {
        "hospital": hospital, "clinic": clinic, "first": first, "second": second,
        "early": early, "late": late, "units": units, "roots": [early, units[0].lot],
    }  # fmt: skip


def approved_with_notices(open_from, roots, qa_a, **fields) -> Recall:
    recall = recalls.approve(open_from(roots, **fields), by=qa_a, password=PASSWORD)
    notices.prepare(recall, by=qa_a)
    delivery.send_prepared(recall, by=qa_a)
    return recall


def answer(recall, customer, note="", **figures):
    """The customer's acknowledgement: figures per lot number or serial, (on_hand, used,
    to_return)."""
    notice = recall.notices.get(customer=customer)
    quantities = {}
    for line in notice.lines.select_related("lot"):
        on_hand, used, to_return = figures[line.serial or line.lot.lot_number]
        quantities[line.pk] = {"on_hand": on_hand, "used": used, "to_return": to_return}
    return acknowledgements.acknowledge(notice, name="张护士长", quantities=quantities, note=note)


def give_back(order, lines, qa, clerk):
    rma = returns.create_return(order, lines=lines, reason="召回退货", by=qa)
    return returns.receive_return(rma, by=clerk)


def row_of(found, customer):
    return next(row for row in found.consignees if row.customer == customer)


def test_progress_counts_contacts_answers_and_returns(consigned, open_from, qa_a, clerk_a):
    recall = approved_with_notices(open_from, consigned["roots"], qa_a)
    hospital, clinic = consigned["hospital"], consigned["clinic"]
    found = progress(recall)
    assert (found.total, found.contacted, found.responded, found.accounted) == (2, 2, 0, 0)
    assert found.contacted_pct == 100.0 and found.responded_pct == 0.0
    assert not found.level_met and found.required == 2  # level A: every consignee
    assert [row.region for row in found.consignees] == ["上海", "江苏"]

    answer(recall, hospital, E1=(0, 4, 6), S0=(0, 0, 1), S1=(0, 1, 0))
    early, late, units = consigned["early"], consigned["late"], consigned["units"]
    # After the opening: the hospital returns 3 of E1 and 2 of L1 (not in scope); the clinic
    # returns its 5; a return authorized but not received counts for nothing.
    give_back(consigned["first"], [(early, 3), (late, 2)], qa_a, clerk_a)
    clinic_back = give_back(consigned["second"], [(early, 5)], qa_a, clerk_a)
    returns.create_return(consigned["first"], lines=[(units[1], None)], reason="x", by=qa_a)

    found = progress(recall)
    ruijin, pudong = row_of(found, hospital), row_of(found, clinic)
    lots = {lot.lot_number: lot for lot in ruijin.lots}
    assert set(lots) == {"E1", "C1"}
    assert (lots["E1"].shipped, lots["E1"].returned, lots["E1"].awaited) == (10, 3, 3)
    assert (lots["C1"].shipped, lots["C1"].units, lots["C1"].to_return) == (2, 2, 1)
    assert lots["C1"].returned == 0 and lots["C1"].used == 1
    assert (ruijin.on_hand, ruijin.used, ruijin.to_return) == (0, 5, 7)
    assert ruijin.responded and ruijin.accounted and ruijin.status == "accounted"
    assert ruijin.accounted_at == ruijin.notice.acknowledged_at
    # Everything the clinic had came back: accounted for without answering.
    assert not pudong.responded and pudong.accounted and pudong.returned == 5
    assert pudong.accounted_at == clinic_back.received_at
    assert (found.contacted_pct, found.responded_pct, found.accounted_pct) == (100.0, 50.0, 100.0)
    assert (found.shipped_quantity, found.returned_quantity) == (17, 8)
    assert found.recovered_pct == 47.1 and found.uom == "EA"
    assert found.level_met and found.accounted_at == max(ruijin.accounted_at, pudong.accounted_at)
    # Our stock: E1 (the bins and the return from before), S2: all held by the approval.
    assert {(row.lot_number, row.serial) for row in found.stock} == {("E1", ""), ("C1", "S2")}
    assert found.held == len(found.stock) and not found.unsettled


@pytest.mark.parametrize(
    "level, share, required",
    [("A", None, 7), ("B", 30, 3), ("B", None, 1), ("C", None, 1), ("D", None, 1), ("E", None, 0)],
)
def test_levels_verify_their_share_of_the_consignees(
    made_and_shipped, open_from, level, share, required
):
    recall = open_from([made_and_shipped["product"]])
    Recall.objects.filter(pk=recall.pk).update(effectiveness=level, effectiveness_share=share)
    add_consignees(recall, 6, made_and_shipped["product"])
    found = progress(Recall.objects.get(pk=recall.pk))
    assert found.total == 7 and found.required == required
    assert found.level_met is (required == 0)
    assert found.level == RecallEffectiveness(level)


def add_consignees(recall, count, lot):
    scope = recall.current_scope()
    for n in range(count):
        customer, _new = Customer.objects.get_or_create(
            organization=recall.organization, code=f"H-{n:03d}",
            defaults={"name": f"医院{n}", "kind": CustomerKind.HOSPITAL, "region": "浙江"},
        )  # fmt: skip
        party = ensure_party(organization=recall.organization, customer=customer)
        ScopeEntry.objects.create(
            scope=scope, object=lot, item=lot.item, lot=lot, place=Place.CONSIGNEE, party=party,
            quantity=Decimal(3), uom="EA",
        )  # fmt: skip


def test_progress_reads_a_fixed_number_of_queries(made_and_shipped, open_from, qa_a):
    counts = []
    for extra in (1, 6):
        recall = open_from([made_and_shipped["product"]])
        add_consignees(recall, extra, made_and_shipped["product"])
        notices.prepare(recall, by=qa_a)
        recall = Recall.objects.get(pk=recall.pk)
        with CaptureQueriesContext(connection) as queries:
            found = progress(recall)
            closure.open_criteria(recall, found)
        assert found.total == extra + 1
        counts.append(len(queries))
        Recall.objects.filter(pk=recall.pk).update(status=RecallStatus.CANCELLED)
    assert counts[0] == counts[1] <= 10, counts


def test_closing_is_refused_until_every_criterion_is_met(consigned, open_from, qa_a, clerk_a):
    recall = approved_with_notices(open_from, consigned["roots"], qa_a)
    hospital, clinic, units = consigned["hospital"], consigned["clinic"], consigned["units"]
    answer(recall, hospital, E1=(0, 4, 6), S0=(0, 0, 1), S1=(0, 1, 0))

    def refused_with() -> list[str]:
        audits, signatures = AuditEntry.objects.count(), Signature.objects.count()
        with pytest.raises(DomainError) as refused:
            recalls.close(recall, by=qa_a, password=PASSWORD, reason="回收完成")
        assert refused.value.code == ErrorCode.INVALID_STATE
        assert (AuditEntry.objects.count(), Signature.objects.count()) == (audits, signatures)
        assert Recall.objects.get(pk=recall.pk).status == RecallStatus.APPROVED
        message = str(refused.value.message)
        assert message.startswith(f"{recall.number} cannot close yet.")
        criteria = refused.value.details["criteria"]
        assert all(item["message"] in message for item in criteria)
        return {item["rule"]: item["message"] for item in criteria}

    missing = refused_with()
    assert list(missing) == ["effectiveness", "returns", "capa"]
    assert "needs 2 of 2 consignees verified; 1 are" in missing["effectiveness"]
    assert "浦东诊所" in missing["effectiveness"] and "Ruijin" not in missing["effectiveness"]
    assert "Ruijin Hospital: 7 EA" in missing["returns"]

    # The hospital sends back what it said; the returned unit is in our stock, undecided.
    give_back(consigned["first"], [(consigned["early"], 6), (units[0], None)], qa_a, clerk_a)
    answer(recall, clinic, E1=(0, 5, 0))
    missing = refused_with()
    assert list(missing) == ["stock", "capa"]
    # (It comes back available: the return's event sets no disposition while part of lot E1
    # on it is still in our stock.)
    assert "S0 (Available)" in missing["stock"]

    rma = consigned["first"].returns.filter(lines__object=units[0]).get()
    returns.decide_line(
        rma.lines.get(object=units[0]), decision="scrap", by=qa_a, reason="召回报废"
    )
    capa = open_capa(
        site=recall.site, title="管路供应商变更", source=CapaSource.COMPLAINT,
        problem_statement="Burst tubing.", by=qa_a,
    )  # fmt: skip
    recall = closure.link_capa(recall, capa, by=qa_a, reason="根本原因")
    assert closure.open_criteria(recall) == []
    closed = recalls.close(recall, by=qa_a, password=PASSWORD, reason="回收完成")
    assert closed.status == RecallStatus.CLOSED and closed.closed_at is not None
    assert Signature.objects.filter(object_id=str(recall.pk), meaning="verified").exists()


def test_a_drill_closes_on_its_effectiveness_level_alone(made_and_shipped, open_from, qa_a):
    drill = approved_with_notices(
        open_from, [made_and_shipped["product"]], qa_a, drill=True, nmpa_class=""
    )
    missing = closure.open_criteria(drill)
    assert [item.rule for item in missing] == ["effectiveness"]
    notice = drill.notices.get()
    line = notice.lines.get()
    acknowledgements.acknowledge(
        notice, name="演练", quantities={line.pk: {"on_hand": 30, "used": 0, "to_return": 0}}
    )
    assert recalls.close(drill, by=qa_a, password=PASSWORD).status == RecallStatus.CLOSED


def test_a_capa_of_another_organization_is_not_linked(
    made_and_shipped, open_from, qa_a, operator_a, stranger
):
    recall = open_from([made_and_shipped["product"]])
    foreign = open_capa(
        site=Site.objects.get(code="X1"), title="外部", source=CapaSource.COMPLAINT,
        problem_statement="theirs", by=stranger,
    )  # fmt: skip
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        closure.link_capa(recall, foreign, by=qa_a)
    assert refused.value.code == ErrorCode.NOT_FOUND and "not known here" in str(refused.value)
    ours = open_capa(
        site=recall.site, title="内部", source=CapaSource.COMPLAINT, problem_statement="ours",
        by=qa_a,
    )  # fmt: skip
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        closure.link_capa(recall, ours, by=operator_a)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert AuditEntry.objects.count() == audits and Recall.objects.get(pk=recall.pk).capa is None
    closure.link_capa(recall, ours, by=qa_a, reason="同一根本原因")
    entry = AuditEntry.objects.filter(object_id=str(recall.pk), action="change").latest("pk")
    assert entry.changes["capa"] == [None, ours.number] and entry.reason == "同一根本原因"


def test_the_recall_page_shows_recovery_and_what_closure_waits_for(
    consigned, open_from, qa_a, client
):
    recall = approved_with_notices(open_from, consigned["roots"], qa_a)
    answer(recall, consigned["hospital"], E1=(0, 4, 6), S0=(0, 0, 1), S1=(0, 1, 0))
    client.force_login(qa_a)
    page = client.get(f"/recall/{recall.pk}/").content.decode()
    assert 'href="#recovery-heading"' in page and 'id="recovery-table"' in page
    assert 'data-bar="responded" data-percent="50.0"' in page
    assert 'data-bar="recovered" data-percent="0.0"' in page
    assert 'data-status="accounted"' in page and 'data-status="contacted"' in page
    assert 'data-level="A" data-met="no"' in page
    for rule in ("effectiveness", "returns", "capa"):
        assert f'data-criterion="{rule}"' in page
    capa = open_capa(
        site=recall.site, title="管路", source=CapaSource.COMPLAINT, problem_statement="x",
        by=qa_a,
    )  # fmt: skip
    response = client.post(f"/recall/{recall.pk}/capa/", {"capa": capa.number.lower()})
    assert response.status_code == 302
    assert Recall.objects.get(pk=recall.pk).capa == capa
    page = client.get(f"/recall/{recall.pk}/").content.decode()
    assert 'data-criterion="capa"' not in page and capa.number in page
    response = client.post(f"/recall/{recall.pk}/capa/", {"capa": "CAPA-1999-0001"}, follow=True)
    assert "No CAPA CAPA-1999-0001 that you may see." in response.content.decode()


# Goods of a running recall that come back (returns arrive in quarantine) are put on status
# recalled with one action: closure then no longer waits on them; a drill holds nothing.
def test_what_came_back_is_held(consigned, open_from, qa_a, clerk_a, client):
    recall = approved_with_notices(open_from, consigned["roots"], qa_a)
    unit = consigned["units"][0]
    give_back(consigned["first"], [(unit, None)], qa_a, clerk_a)
    assert status_of(unit).status != StockStatus.RECALLED
    assert "stock" in [item.rule for item in closure.open_criteria(recall)]
    client.force_login(qa_a)
    page = client.get(reverse("recall:recall-detail", args=[recall.pk])).content.decode()
    assert 'id="hold-returned"' in page
    response = client.post(reverse("recall:recall-hold", args=[recall.pk]))
    assert response.status_code == 302
    assert status_of(unit).status == StockStatus.RECALLED
    assert "stock" not in [item.rule for item in closure.open_criteria(recall)]
    assert recalls.hold_what_came_back(recall, by=qa_a) is None  # nothing left to hold
    api = client.post(f"/api/v1/recalls/{recall.number}/hold", content_type="application/json")
    assert api.status_code == 200 and api.json() == {"hold_event": None}


def test_a_drill_holds_nothing_back(made_and_shipped, open_from, qa_a, operator_a):
    drill = approved_with_notices(
        open_from, [made_and_shipped["product"]], qa_a, drill=True, nmpa_class=""
    )
    with pytest.raises(DomainError) as refused:
        recalls.hold_what_came_back(drill, by=qa_a)
    assert refused.value.code == ErrorCode.INVALID_STATE
