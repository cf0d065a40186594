"""/api/v1/training: curricula (created and changed, no delete), assignments (listed with their
filters, assigned by hand), the trainee's and the trainer's signatures, records, the matrix and
can-perform; site isolation, permissions, read-only tokens and refusals that change nothing."""

import pytest

from conftest import PASSWORD
from medtrace.accounts import services as accounts
from medtrace.accounts.roles import Role
from medtrace.training.choices import AssignmentStatus
from medtrace.training.models import Curriculum, TrainingAssignment, TrainingRecord
from medtrace.training.tests.fixtures import assignment_of, make_overdue, sign

pytestmark = pytest.mark.django_db

API = "/api/v1/training"


def post(client, path, body=None, **headers):
    return client.post(API + path, body or {}, content_type="application/json", **headers)


def patch(client, path, body):
    return client.patch(API + path, body, content_type="application/json")


def get(client, path, **params):
    response = client.get(API + path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_curricula_are_created_listed_and_changed_never_deleted(
    client, qa_a, site_a, sop, in_force, make_user, operator_a
):
    clerk = make_user("clerk-a", (site_a, Role.WAREHOUSE_CLERK))
    client.force_login(qa_a)
    body = {
        "site": "a1", "code": "wh-1", "name": "仓库", "roles": ["warehouse_clerk"],
        "documents": ["sop-0001"], "requalify_months": 24,
    }  # fmt: skip
    response = post(client, "/curricula", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["code"] == "WH-1" and created["documents"] == ["SOP-0001"]
    assert TrainingAssignment.objects.get(trainee=clerk).revision == in_force
    listed = get(client, "/curricula")
    assert {row["code"] for row in listed["items"]} == {"OPS-LINE1", "WH-1"}
    response = patch(
        client, f"/curricula/{created['id']}", {"members": ["operator-a"], "is_active": False}
    )
    assert response.status_code == 200 and response.json()["members"] == ["operator-a"]
    assert response.json()["is_active"] is False and response.json()["roles"] == ["warehouse_clerk"]
    assert get(client, "/curricula", active=True)["count"] == 1
    assert client.delete(f"{API}/curricula/{created['id']}").status_code == 405
    refused = post(client, "/curricula", {**body, "code": "X", "documents": ["SOP-9999"]})
    assert refused.status_code == 422 and "SOP-9999" in refused.json()["error"]["message"]
    duplicate = post(client, "/curricula", body)
    assert duplicate.status_code == 409
    assert Curriculum.objects.count() == 2


def test_an_operator_may_read_curricula_but_not_write_them(client, operator_a, line_operators):
    client.force_login(operator_a)
    assert get(client, f"/curricula/{line_operators.pk}")["code"] == "OPS-LINE1"
    body = {"site": "A1", "code": "X", "name": "x", "roles": ["operator"]}
    assert post(client, "/curricula", body).status_code == 404  # no site where they may add
    response = patch(client, f"/curricula/{line_operators.pk}", {"name": "改名"})
    assert response.status_code == 403
    assert Curriculum.objects.get().name == "一线操作工"


def test_assignments_are_listed_with_their_filters(
    client, qa_a, operator_a, second_operator_a, in_force
):
    make_overdue(assignment_of(second_operator_a))
    client.force_login(qa_a)
    everything = get(client, "/assignments")
    assert {row["trainee"] for row in everything["items"]} == {"operator-a", "operator-a2"}
    row = everything["items"][0]
    assert row["document"] == "SOP-0001" and row["revision"] == 1 and row["status"] == "open"
    overdue = get(client, "/assignments", overdue=True)["items"]
    assert [(r["trainee"], r["overdue"]) for r in overdue] == [("operator-a2", True)]
    assert get(client, "/assignments", status="completed")["count"] == 0
    assert get(client, "/assignments", site="a1", document="sop-0001")["count"] == 2
    assert get(client, "/assignments", mine=True)["count"] == 0
    client.force_login(operator_a)
    assert [r["trainee"] for r in get(client, "/assignments", mine=True)["items"]] == ["operator-a"]


def test_a_trainer_assigns_by_hand(client, supervisor_a, make_user, site_a, in_force, operator_b):
    hire = make_user("new-hire", (site_a, Role.OPERATOR))
    client.force_login(supervisor_a)
    body = {
        "site": "A1", "trainee": "new-hire", "revision_id": in_force.pk,
        "due_on": "2030-01-31", "reason": "新员工",
    }  # fmt: skip
    response = post(client, "/assignments", body)
    assert response.status_code == 201, response.content
    assert response.json()["trainee"] == "new-hire" and response.json()["due_on"] == "2030-01-31"
    assert TrainingAssignment.objects.filter(trainee=hire).count() == 1
    again = post(client, "/assignments", body)  # the open one is answered, not a second one
    assert again.status_code == 201 and again.json()["id"] == response.json()["id"]
    elsewhere = post(client, "/assignments", {**body, "trainee": "operator-b"})
    assert elsewhere.status_code == 422
    assert not TrainingAssignment.objects.filter(trainee=operator_b).exists()


def test_an_operator_cannot_assign(client, operator_a, second_operator_a, in_force):
    client.force_login(operator_a)
    body = {
        "site": "A1", "trainee": "operator-a2", "revision_id": in_force.pk,
        "due_on": "2030-01-31", "reason": "x",
    }  # fmt: skip
    assert post(client, "/assignments", body).status_code == 404


def test_the_trainee_signs_read_and_understood(client, operator_a, second_operator_a, in_force):
    assignment = assignment_of(operator_a)
    path = f"/assignments/{assignment.pk}/read-and-understood"
    client.force_login(second_operator_a)
    refused = post(client, path, {"password": PASSWORD})
    assert refused.status_code == 403 and "Only Operator-A" in refused.json()["error"]["message"]
    client.force_login(operator_a)
    wrong = post(client, path, {"password": "nope"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "signature_refused"
    assert not TrainingRecord.objects.exists()
    response = post(client, path, {"password": PASSWORD, "note": "已读"})
    assert response.status_code == 201, response.content
    record = response.json()
    assert record["method"] == "read" and record["signature"]["meaning"] == "read_understood"
    assert record["trainee"] == "operator-a" and record["valid_until"] is not None
    closed = post(client, path, {"password": PASSWORD})
    assert closed.status_code == 409
    assert get(client, "/records", mine=True)["count"] == 1


def test_a_read_only_token_cannot_sign(client, operator_a, site_a, in_force):
    _token, secret = accounts.create_api_token(
        user=operator_a, name="reader", sites=[site_a], can_write=False, expires_in_days=30,
        by=operator_a,
    )  # fmt: skip
    response = post(
        client,
        f"/assignments/{assignment_of(operator_a).pk}/read-and-understood",
        {"password": PASSWORD},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "token_read_only"
    assert not TrainingRecord.objects.exists()


def test_a_trainer_records_instructor_led_training(
    client, supervisor_a, operator_a, second_operator_a, in_force
):
    assignment = assignment_of(operator_a)
    path = f"/assignments/{assignment.pk}/instructor-led"
    client.force_login(second_operator_a)
    assert post(client, path, {"password": PASSWORD, "assessment": "passed"}).status_code == 403
    client.force_login(supervisor_a)
    bad = post(client, path, {"password": PASSWORD, "assessment": "passed", "score": 120})
    assert bad.status_code == 422
    response = post(client, path, {"password": PASSWORD, "assessment": "failed", "score": 50})
    assert response.status_code == 201 and response.json()["assessment"] == "failed"
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.FAILED
    retake = assignment_of(operator_a)
    response = post(
        client, f"/assignments/{retake.pk}/instructor-led",
        {"password": PASSWORD, "assessment": "passed", "score": "88.5", "note": "ok"},
    )  # fmt: skip
    assert response.status_code == 201 and response.json()["score"] == "88.5"
    assert response.json()["trainer"] == "supervisor-a"
    assert get(client, "/records", trainee="operator-a")["count"] == 2


def test_another_sites_training_is_not_found_and_not_listed(
    client, qa_b, stranger, operator_a, in_force, line_operators
):
    assignment = assignment_of(operator_a)
    sign(operator_a)
    for user in (qa_b, stranger):
        client.force_login(user)
        assert client.get(f"{API}/assignments/{assignment.pk}").status_code == 404
        assert client.get(f"{API}/curricula/{line_operators.pk}").status_code == 404
        assert get(client, "/assignments")["count"] == 0
        assert get(client, "/records")["count"] == 0
        assert get(client, "/curricula")["count"] == 0
        response = post(
            client, f"/assignments/{assignment.pk}/instructor-led",
            {"password": PASSWORD, "assessment": "passed"},
        )  # fmt: skip
        assert response.status_code == 404
        assert client.get(f"{API}/matrix", {"site": "A1"}).status_code == 404


def test_the_matrix_as_json(client, operator_a, second_operator_a, in_force, qa_a):
    sign(operator_a)
    client.force_login(operator_a)
    found = get(client, "/matrix")
    assert found["site"] == "A1"
    assert found["columns"] == [
        {
            "document": "SOP-0001", "title": "Control of nonconforming product",
            "in_force_revision": 1, "in_force_revision_id": in_force.pk, "needed_revision": 1,
        }
    ]  # fmt: skip
    by_user = {row["user"]: row["cells"][0] for row in found["rows"]}
    assert by_user["operator-a"]["status"] == "trained" and by_user["operator-a"]["revision"] == 1
    assert by_user["operator-a2"]["status"] == "due"
    assert by_user["qa-a"]["status"] == "not_required"
    assert found["counts"]["trained"] == 1
    narrowed = get(client, "/matrix", site="a1", role="qa_manager")
    assert narrowed["columns"] == [] and {r["user"] for r in narrowed["rows"]} >= {"qa-a"}
    assert client.get(f"{API}/matrix", {"curriculum": "NOPE"}).status_code == 404


def test_can_perform_answers_with_the_reasons(
    client, operator_a, second_operator_a, in_force, bonding, qa_b, supervisor_a
):
    sign(operator_a)
    query = {"routing": bonding.routing_id, "operation": bonding.position}
    client.force_login(supervisor_a)
    allowed = get(client, "/can-perform", user="operator-a", **query)
    assert allowed["allowed"] is True and allowed["reasons"] == []
    [standing] = allowed["qualifications"]
    assert standing["document"] == "SOP-0001" and standing["qualified"] is True
    assert standing["record_id"] == TrainingRecord.objects.get().pk
    refused = get(client, "/can-perform", user="operator-a2", **query)
    assert refused["allowed"] is False
    assert "not trained on SOP-0001 rev. 1" in refused["reasons"][0]
    before = get(client, "/can-perform", user="operator-a", at="2020-01-01T08:00:00+08:00", **query)
    assert before["allowed"] is False and "no effective revision" in before["reasons"][0]
    naive = client.get(f"{API}/can-perform", {"user": "operator-a", "at": "2020-01-01T08:00:00",
                                              **query})  # fmt: skip
    assert naive.status_code == 422
    assert client.get(f"{API}/can-perform", {"user": "operator-a", "routing": bonding.routing_id,
                                             "operation": 99}).status_code == 404  # fmt: skip
    client.force_login(qa_b)  # operator-a works at A only
    assert client.get(f"{API}/can-perform", {"user": "operator-a", **query}).status_code == 404
    client.force_login(operator_a)  # oneself, always
    assert get(client, "/can-perform", user="operator-a", **query)["allowed"] is True
