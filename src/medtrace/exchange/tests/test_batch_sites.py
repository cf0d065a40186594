"""Who sees an import batch: its file and report show its rows as they are, so a batch whose
rows name sites (equipment, opening stock, genealogy) is seen only by people who see every one
of those sites, and by its uploader; a batch of master data by the whole organization."""

import pytest

from medtrace.accounts.roles import Role
from medtrace.exchange import selectors, services
from medtrace.exchange.tests.conftest import upload
from medtrace.exchange.tests.test_imports import EQUIPMENT_HEADER, ITEMS
from medtrace.org import services as org_services

pytestmark = pytest.mark.django_db

AT_A = ["A1", "LT-01", "泄漏测试仪", "leak_tester", "", "no", "", ""]
AT_B = ["b1", "LT-02", "泄漏测试仪", "leak_tester", "", "no", "", ""]


@pytest.fixture
def both(make_user, site_a, site_b):
    return make_user("qa-ab", (site_a, Role.QA_MANAGER), (site_b, Role.QA_MANAGER))


def sees(user, batch) -> bool:
    return selectors.visible_batches(user).filter(pk=batch.pk).exists()


def test_a_batch_naming_a_site_is_hidden_from_people_of_other_sites(both, qa_a, qa_b, client):
    batch = upload(both, "equipment", [EQUIPMENT_HEADER, AT_A, AT_B, ["Z9", *AT_A[1:]]])
    assert {site.code for site in batch.sites.all()} == {"A1", "B1"}
    assert sees(both, batch)
    assert not sees(qa_a, batch) and not sees(qa_b, batch)
    client.force_login(qa_a)
    assert client.get(f"/exchange/batches/{batch.pk}/").status_code == 404
    assert client.get(f"/exchange/batches/{batch.pk}/file/").status_code == 404
    assert client.get(f"/api/v1/exchange/batches/{batch.pk}").status_code == 404
    assert f"/exchange/batches/{batch.pk}/" not in client.get("/exchange/").content.decode()


def test_the_uploader_sees_their_own_batch_and_the_site_sees_its_own(qa_a, qa_b, both):
    batch = upload(qa_a, "equipment", [EQUIPMENT_HEADER, AT_A])
    assert sees(qa_a, batch) and sees(both, batch) and not sees(qa_b, batch)
    refused = upload(qa_a, "equipment", [EQUIPMENT_HEADER, AT_B])
    assert refused.problems, "qa-a holds no role at B1"
    assert sees(qa_a, refused), "the uploader's own file, even naming a site they cannot see"
    assert sees(qa_b, refused)


def test_a_batch_of_master_data_is_the_organizations(qa_a, qa_b):
    batch = upload(qa_a, "items", ITEMS)
    assert not batch.sites.exists()
    assert sees(qa_b, batch)


def test_validating_again_names_a_site_made_since_the_upload(both, qa_a, organization):
    batch = upload(both, "equipment", [EQUIPMENT_HEADER, ["C1", *AT_A[1:]]])
    assert not batch.sites.exists() and sees(qa_a, batch)
    site_c = org_services.create_site(organization=organization, code="C1", name="C 厂")
    services.revalidate_batch(batch=batch, user=both)
    assert list(batch.sites.all()) == [site_c]
    assert not sees(qa_a, batch)
