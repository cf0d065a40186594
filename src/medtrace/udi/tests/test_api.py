import io
import zipfile

import pytest

from medtrace.catalog.tests.conftest import make_unit
from medtrace.udi.tests.conftest import BOX_GTIN, UNIT_GTIN

pytestmark = pytest.mark.django_db
BASE = "/api/v1/udi"


def post(client, path, body):
    return client.post(f"{BASE}{path}", body, content_type="application/json")


def test_devices_submission_file_and_acceptance(client, box, regulatory_a):
    client.force_login(regulatory_a)
    devices = client.get(f"{BASE}/databases/gudid/devices").json()
    assert devices == [
        {
            "device_identifier": UNIT_GTIN,
            "item": "IS-2001",
            "packages": [BOX_GTIN],
            "active": True,
            "state": "new",
            "problems": [],
            "ready": True,
            "last_accepted_submission": None,
            "pending_submission": None,
        }
    ]
    created = post(client, "/submissions", {"database": "gudid"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["devices"] == [UNIT_GTIN] and body["status"] == "prepared"
    file = client.get(f"{BASE}/submissions/{body['id']}/file")
    assert file["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(file.content)).namelist() == [f"{UNIT_GTIN}.xml"]
    accepted = post(client, f"/submissions/{body['id']}/accepted", {"reference": "ACK-42"})
    assert accepted.json()["status"] == "submitted"
    again = post(client, f"/submissions/{body['id']}/rejected", {"reason": "late"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    assert client.get(f"{BASE}/databases/gudid/devices").json()[0]["state"] == "current"


def test_an_incomplete_device_is_named_in_the_422(client, infusion_set, regulatory_a, registrant):
    make_unit(infusion_set, regulatory_a, risk_class_us="II")
    client.force_login(regulatory_a)
    answer = post(client, "/submissions", {"database": "gudid", "device_identifiers": [UNIT_GTIN]})
    assert answer.status_code == 422
    named = answer.json()["error"]["details"]["fields"]["device_identifiers"]
    assert f"IS-2001 ({UNIT_GTIN}): GUDID needs “FDA Product Code”." in named
    assert f"IS-2001 ({UNIT_GTIN}): GUDID needs “GMDN Preferred Term Code”." in named
    unknown = post(client, "/submissions", {"database": "gudid", "device_identifiers": ["123"]})
    assert unknown.status_code == 422 and "123" in unknown.json()["error"]["message"]


def test_registrant_is_read_and_corrected_with_a_reason(client, registrant, regulatory_a):
    client.force_login(regulatory_a)
    assert client.get(f"{BASE}/registrant").json()["duns_number"] == "654321987"
    body = {"legal_name": registrant.legal_name, "duns_number": "111222333"}
    refused = client.put(f"{BASE}/registrant", body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "reason_required"
    saved = client.put(
        f"{BASE}/registrant", {**body, "reason": "DUNS reissued"}, content_type="application/json"
    )
    assert saved.status_code == 200 and saved.json()["duns_number"] == "111222333"


def test_only_regulatory_roles_see_submissions(client, box, operator_a, stranger, regulatory_a):
    client.force_login(regulatory_a)
    submission = post(client, "/submissions", {"database": "nmpa"}).json()
    client.force_login(operator_a)
    assert client.get(f"{BASE}/databases/nmpa/devices").status_code == 403
    assert post(client, "/submissions", {"database": "nmpa"}).status_code == 403
    client.force_login(stranger)  # a QA manager of another organization
    assert client.get(f"{BASE}/submissions/{submission['id']}").status_code == 404
    assert client.get(f"{BASE}/submissions/{submission['id']}/file").status_code == 404
    assert client.get(f"{BASE}/submissions").json() == []
    assert client.get(f"{BASE}/databases/nmpa/devices").json() == []


def test_registrant_answers_404_until_recorded_then_is_created(client, regulatory_a):
    client.force_login(regulatory_a)
    missing = client.get(f"{BASE}/registrant")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    created = client.put(
        f"{BASE}/registrant", {"legal_name": "测试公司"}, content_type="application/json"
    )
    assert created.status_code == 200 and created.json()["legal_name"] == "测试公司"
