"""Which documents a curriculum may list: those its author can read. Another site's documents
(their numbers and titles) were offered on the form and resolved by number over the API; now
they are neither offered nor accepted, and those a curriculum lists already stay when someone
who cannot read them edits it."""

import pytest

from conftest import PASSWORD
from medtrace.accounts.roles import Role
from medtrace.core.errors import DomainError
from medtrace.documents.choices import DocumentType
from medtrace.documents.services import documents
from medtrace.training.models import Curriculum
from medtrace.training.services import curricula

pytestmark = pytest.mark.django_db


@pytest.fixture
def sop_b(site_b, make_user):
    author = make_user("author-b", (site_b, Role.QA_MANAGER))
    return documents.create_document(
        site=site_b, document_type=DocumentType.PROCEDURE, title="灭菌程序",
        title_en="Sterilization procedure", change_summary="First issue.", body="# 目的",
        by=author,
    )  # fmt: skip


def test_the_form_offers_only_documents_the_author_can_read(client, qa_a, sop, sop_b):
    client.force_login(qa_a)
    html = client.get("/training/curricula/new/").content.decode()
    assert sop.number in html and sop_b.number not in html


def test_the_service_refuses_a_document_the_author_cannot_read(qa_a, site_a, sop, sop_b):
    with pytest.raises(DomainError, match=f"{sop_b.number} is not a controlled document you"):
        curricula.create_curriculum(
            site=site_a, code="X", name="x", roles=[Role.OPERATOR], documents=[sop, sop_b],
            by=qa_a,
        )  # fmt: skip
    assert not Curriculum.objects.exists()


def test_the_api_answers_another_sites_document_as_one_that_does_not_exist(
    client, qa_a, sop, sop_b
):
    client.force_login(qa_a)
    body = {"site": "A1", "code": "X", "name": "x", "roles": ["operator"]}
    unreadable = client.post(
        "/api/v1/training/curricula", {**body, "documents": [sop_b.number]},
        content_type="application/json",
    )  # fmt: skip
    missing = client.post(
        "/api/v1/training/curricula", {**body, "documents": ["SOP-9999"]},
        content_type="application/json",
    )  # fmt: skip
    assert unreadable.status_code == missing.status_code == 422
    assert unreadable.json()["error"]["message"] == missing.json()["error"]["message"].replace(
        "SOP-9999", sop_b.number
    )
    assert not Curriculum.objects.exists()


def test_an_editor_keeps_the_documents_they_cannot_read(
    client, qa_a, site_a, site_b, sop, sop_b, make_user
):
    both = make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))
    curriculum = curricula.create_curriculum(
        site=site_a, code="OPS", name="操作工", roles=[Role.OPERATOR], documents=[sop, sop_b],
        by=both,
    )  # fmt: skip
    client.force_login(qa_a)
    form = client.get(f"/training/curricula/{curriculum.pk}/edit/").content.decode()
    assert sop_b.number in form, "listed already: shown, so that saving keeps it"
    response = client.post(
        f"/training/curricula/{curriculum.pk}/edit/",
        {"name": "操作工 v2", "roles": [Role.OPERATOR], "documents": [sop.pk, sop_b.pk],
         "is_active": "on", "password": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    curriculum.refresh_from_db()
    assert curriculum.name == "操作工 v2"
    assert set(curriculum.documents.all()) == {sop, sop_b}
    patched = client.patch(
        f"/api/v1/training/curricula/{curriculum.pk}",
        {"documents": [sop.number, sop_b.number], "members": []},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["documents"] == sorted([sop.number, sop_b.number])
