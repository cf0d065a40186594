"""Training pages: the matrix (an operator sees their own site's only), My training with the
read-and-understood signature (a wrong password shown beside the field, nothing written),
the assignments and overdue lists with their filters, an assignment's page (404 at another
site; only trainers record instructor-led training, a failed assessment assigning a retake),
assigning by hand, the curricula forms, the inbox, and fixed query counts on the lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.audit.models import Signature
from medtrace.org.middleware import SESSION_KEY
from medtrace.training.choices import AssignmentStatus
from medtrace.training.models import Curriculum, TrainingAssignment, TrainingRecord
from medtrace.training.tests.fixtures import assign, assignment_of, make_overdue, sign

pytestmark = pytest.mark.django_db

MATRIX = "/training/"
MINE = "/training/mine/"
LIST = "/training/assignments/"
OVERDUE = "/training/assignments/overdue/"
NEW = "/training/assignments/new/"


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail(assignment) -> str:
    return f"/training/assignments/{assignment.pk}/"


@pytest.fixture
def trainer_b(make_user, site_b):
    return make_user("supervisor-b", (site_b, Role.PRODUCTION_SUPERVISOR))


def test_an_operator_sees_the_matrix_of_their_own_site_only(
    client, operator_a, second_operator_a, in_force, site_b, sop, author_a, operator_b
):
    from medtrace.documents.services import documents

    documents.update_document(sop, by=author_a, applies_to=[site_b])
    sign(operator_a)
    client.force_login(operator_a)
    html = page(client, MATRIX)
    assert "Training matrix · A1" in html
    assert 'data-person="operator-a"' in html and 'data-person="operator-b"' not in html
    assert 'data-status="trained"' in html and 'data-status="due"' in html
    assert 'id="matrix-legend"' in html and "✓" in html  # a symbol as well as a colour
    assert "B1 ·" not in html  # the site filter offers their own site only
    asked_b = page(client, MATRIX, site=site_b.pk)
    assert "Training matrix · A1" in asked_b and 'data-person="operator-b"' not in asked_b
    client.force_login(operator_b)
    assert 'data-person="operator-b"' in page(client, MATRIX)


def test_the_matrix_follows_the_header_site_and_its_filters(
    client, qa_a, site_a, site_b, make_user, in_force, line_operators
):
    both = make_user("qa-both", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    client.force_login(both)
    session = client.session
    session[SESSION_KEY] = site_b.pk
    session.save()
    assert "Training matrix · B1" in page(client, MATRIX)
    html = page(client, MATRIX, site=site_a.pk, role=Role.QA_MANAGER)
    assert "Training matrix · A1" in html and 'data-person="operator-a"' not in html
    narrowed = page(client, MATRIX, site=site_a.pk, curriculum=line_operators.pk)
    assert 'data-person="operator-a"' in narrowed and 'data-person="qa-both"' not in narrowed
    fragment = client.get(MATRIX, {"site": site_a.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="training-matrix"' in fragment and "<html" not in fragment


def test_the_matrix_page_takes_a_fixed_number_of_queries(client, qa_a, site_a, in_force, make_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, MATRIX)
        return len(captured)

    client.force_login(qa_a)
    queries()
    few = queries()
    for number in range(6):
        person = make_user(f"op-{number}", (site_a, Role.OPERATOR))
        assign(person, in_force, by=qa_a)
        if number % 2:
            sign(person)
    assert queries() == few


def test_my_training_signs_read_and_understood(client, operator_a, in_force):
    assignment = assignment_of(operator_a)
    client.force_login(operator_a)
    html = page(client, MINE)
    assert f'data-assignment="{assignment.pk}"' in html
    assert f'href="/documents/revisions/{in_force.pk}/"' in html
    response = client.post(
        f"/training/assignments/{assignment.pk}/read-and-understood/", {"password": "wrong"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "The password is wrong" in html
    # Beside the field: the error list sits in the password field's group.
    assert (
        html.index("The password is wrong") > html.index(f"id_read_{assignment.pk}_password") - 400
    )
    assert not TrainingRecord.objects.exists()
    assert TrainingAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.OPEN
    response = client.post(
        f"/training/assignments/{assignment.pk}/read-and-understood/",
        {"password": PASSWORD, "note": "读完"},
    )
    assert response.status_code == 302 and response.url == MINE
    record = TrainingRecord.objects.get()
    assert record.trainee == operator_a and record.signature.meaning == "read_understood"
    html = page(client, MINE)
    assert "You have no open training." in html and f'data-record="{record.pk}"' in html


def test_no_one_signs_read_and_understood_for_someone_else(
    client, operator_a, second_operator_a, in_force
):
    client.force_login(second_operator_a)
    response = client.post(
        f"/training/assignments/{assignment_of(operator_a).pk}/read-and-understood/",
        {"password": PASSWORD},
    )
    assert response.status_code == 403
    assert (
        not TrainingRecord.objects.exists()
        and not Signature.objects.filter(meaning="read_understood").exists()
    )


def test_assignments_of_another_site_are_not_found(client, operator_a, operator_b, in_force, qa_b):
    assignment = assignment_of(operator_a)
    client.force_login(qa_b)
    assert client.get(detail(assignment)).status_code == 404
    assert (
        client.post(
            f"/training/assignments/{assignment.pk}/instructor-led/",
            {"assessment": "passed", "password": PASSWORD},
        ).status_code
        == 404
    )
    assert f'data-assignment="{assignment.pk}"' not in page(client, LIST)


def test_an_operator_cannot_record_instructor_led_training(
    client, operator_a, second_operator_a, in_force
):
    assignment = assignment_of(operator_a)
    client.force_login(second_operator_a)
    html = page(client, detail(assignment))
    assert 'id="instructor-form"' not in html and 'id="read-form"' not in html
    response = client.post(
        f"/training/assignments/{assignment.pk}/instructor-led/",
        {"assessment": "passed", "password": PASSWORD},
    )
    assert response.status_code == 403 and not TrainingRecord.objects.exists()


def test_a_trainer_records_a_failed_assessment_and_then_a_pass(
    client, operator_a, supervisor_a, in_force
):
    assignment = assignment_of(operator_a)
    client.force_login(supervisor_a)
    html = page(client, detail(assignment))
    assert 'id="instructor-form"' in html
    url = f"/training/assignments/{assignment.pk}/instructor-led/"
    refused = client.post(url, {"assessment": "passed", "password": "nope"})
    assert refused.status_code == 200 and "The password is wrong" in refused.content.decode()
    assert not TrainingRecord.objects.exists()
    response = client.post(
        url, {"assessment": "failed", "score": "45", "note": "步骤 3 错误", "password": PASSWORD}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.FAILED
    retake = assignment_of(operator_a)
    assert retake.pk != assignment.pk and "Retake" in retake.reason
    html = page(client, detail(assignment))
    assert 'data-assessment="failed"' in html and 'id="instructor-form"' not in html
    client.post(
        f"/training/assignments/{retake.pk}/instructor-led/",
        {"assessment": "passed", "score": "90", "password": PASSWORD},
    )
    retake.refresh_from_db()
    assert retake.status == AssignmentStatus.COMPLETED
    record = TrainingRecord.objects.get(assignment=retake)
    assert record.trainer == supervisor_a and record.signature.meaning == "verified"


def test_the_lists_filter_and_the_overdue_list_shows_only_overdue(
    client, qa_a, operator_a, second_operator_a, in_force
):
    late = assignment_of(second_operator_a)
    make_overdue(late)
    client.force_login(qa_a)
    everything = page(client, LIST)
    assert f'data-assignment="{late.pk}"' in everything
    assert f'data-assignment="{assignment_of(operator_a).pk}"' in everything
    overdue = page(client, OVERDUE)
    assert f'data-assignment="{late.pk}"' in overdue
    assert f'data-assignment="{assignment_of(operator_a).pk}"' not in overdue
    assert "data-overdue" in overdue
    by_name = page(client, LIST, q="operator-a2")
    assert f'data-assignment="{assignment_of(operator_a).pk}"' not in by_name
    assert f'data-assignment="{late.pk}"' in page(client, LIST, status="open", overdue="on")
    assert f'data-assignment="{late.pk}"' not in page(client, LIST, status="completed")
    assert f'data-assignment="{late.pk}"' in page(client, LIST, document=in_force.document.pk)


def test_the_assignments_list_takes_a_fixed_number_of_queries(
    client, qa_a, site_a, in_force, make_user
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, LIST)
        return len(captured)

    client.force_login(qa_a)
    queries()
    few = queries()
    for number in range(5):
        assign(make_user(f"op-{number}", (site_a, Role.OPERATOR)), in_force, by=qa_a)
    assert queries() == few


def test_a_trainer_assigns_training_by_hand(
    client, supervisor_a, make_user, site_a, site_b, in_force, operator_b
):
    hire = make_user("new-hire", (site_a, Role.OPERATOR))
    client.force_login(supervisor_a)
    form = page(client, NEW, trainee=hire.pk, revision=in_force.pk)
    assert "A1 ·" in form and "B1 ·" not in form and "operator-b" not in form
    data = {
        "site": site_a.pk,
        "trainee": hire.pk,
        "revision": in_force.pk,
        "due_on": "2030-01-31",
        "reason": "新员工入职",
    }
    response = client.post(NEW, data)
    assignment = TrainingAssignment.objects.get(trainee=hire)
    assert response.status_code == 302 and response.url == detail(assignment)
    assert assignment.reason == "新员工入职" and str(assignment.due_on) == "2030-01-31"
    refused = client.post(NEW, {**data, "trainee": operator_b.pk})  # not a person of site A
    assert refused.status_code == 200
    assert not TrainingAssignment.objects.filter(trainee=operator_b).exists()


def test_an_operator_may_not_assign_or_edit_curricula(client, operator_a, line_operators):
    client.force_login(operator_a)
    assert client.get(NEW).status_code == 403
    assert client.get("/training/curricula/new/").status_code == 403
    assert client.get(f"/training/curricula/{line_operators.pk}/edit/").status_code == 403
    html = page(client, "/training/curricula/")
    assert 'data-curriculum="OPS-LINE1"' in html and 'id="curriculum-new"' not in html


def test_qa_creates_and_changes_a_curriculum(
    client, qa_a, site_a, sop, in_force, wi, make_user, operator_a
):
    clerk = make_user("clerk-a", (site_a, Role.WAREHOUSE_CLERK))
    client.force_login(qa_a)
    form = page(client, "/training/curricula/new/")
    assert 'type="checkbox"' in form and "SOP-0001" in form and "WI-0001" in form
    response = client.post(
        "/training/curricula/new/",
        {
            "site": site_a.pk, "code": "wh", "name": "仓库", "roles": [Role.WAREHOUSE_CLERK],
            "documents": [sop.pk], "requalify_months": "24",
        },
    )  # fmt: skip
    curriculum = Curriculum.objects.get(code="WH")
    assert response.status_code == 302 and curriculum.roles == [Role.WAREHOUSE_CLERK]
    assert assignment_of(clerk).revision == in_force  # newly covered: assigned at once
    refused = client.post("/training/curricula/new/", {"site": site_a.pk, "code": "x",
                          "name": "x", "documents": [sop.pk]})  # fmt: skip
    assert refused.status_code == 200 and "Name the roles or the people" in refused.content.decode()
    response = client.post(
        f"/training/curricula/{curriculum.pk}/edit/",
        {
            "name": "仓库人员", "roles": [Role.WAREHOUSE_CLERK], "documents": [sop.pk],
            "members": [operator_a.pk], "requalify_months": "", "is_active": "on",
        },
    )  # fmt: skip
    curriculum.refresh_from_db()
    assert response.status_code == 302 and curriculum.name == "仓库人员"
    assert curriculum.requalify_months is None and list(curriculum.members.all()) == [operator_a]
    html = page(client, f"/training/curricula/{curriculum.pk}/")
    assert 'data-document="SOP-0001"' in html


def test_open_training_waits_in_my_tasks(client, operator_a, in_force):
    from medtrace.quality.tasks import inbox

    assignment = assignment_of(operator_a)
    assert inbox(operator_a)["training"] == [assignment]
    client.force_login(operator_a)
    html = page(client, "/quality/tasks/")
    assert 'data-task="training"' in html and "SOP-0001 rev. 1" in html
    sign(operator_a)
    assert inbox(operator_a)["training"] == []


def test_the_trainee_signs_on_the_assignments_page_too(client, operator_a, in_force):
    assignment = assignment_of(operator_a)
    client.force_login(operator_a)
    html = page(client, detail(assignment))
    assert 'id="read-form"' in html and 'name="from" value="detail"' in html
    url = f"/training/assignments/{assignment.pk}/read-and-understood/"
    refused = client.post(url, {"password": "nope", "from": "detail"})
    assert refused.status_code == 200 and 'id="read-form"' in refused.content.decode()
    assert "The password is wrong" in refused.content.decode()
    response = client.post(url, {"password": PASSWORD, "from": "detail"})
    assert response.status_code == 302 and response.url == detail(assignment)
    html = page(client, detail(assignment))
    assert 'data-status="completed"' in html and 'id="read-form"' not in html
    assert '<tr class="signature">' in html and '<span class="badge ok">Valid' in html
    again = client.post(url, {"password": PASSWORD, "from": "detail"})
    assert again.status_code == 302 and TrainingRecord.objects.count() == 1


def test_a_trainer_assigns_from_a_cell_not_assigned_yet(client, supervisor_a, site_a, in_force,
                                                         make_user):  # fmt: skip
    hire = make_user("new-hire", (site_a, Role.OPERATOR))
    client.force_login(supervisor_a)
    html = page(client, MATRIX)
    link = f"/training/assignments/new/?trainee={hire.pk}&amp;revision={in_force.pk}"
    assert link in html
    form = page(client, NEW, trainee=hire.pk, revision=in_force.pk, site=site_a.pk)
    assert f'<option value="{hire.pk}" selected>' in form


def test_my_training_takes_a_fixed_number_of_queries(
    client, operator_a, site_a, author_a, qa_a, line_operators, sop
):
    from medtrace.documents.choices import DocumentType
    from medtrace.documents.services import documents
    from medtrace.documents.tests.fixtures import make_effective

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, MINE)
        return len(captured)

    client.force_login(operator_a)
    make_effective(sop, author=author_a, approvers=[qa_a])
    queries()
    few = queries()
    for number in range(4):
        document = documents.create_document(
            site=site_a, document_type=DocumentType.PROCEDURE, title=f"程序 {number}",
            change_summary="First issue.", body="x", by=author_a,
        )  # fmt: skip
        line_operators.documents.add(document)
        revision = make_effective(document, author=author_a, approvers=[qa_a])
        if number % 2:
            sign(operator_a, revision)
    assert queries() == few
