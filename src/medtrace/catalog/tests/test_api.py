"""/api/v1/catalog: the same rules as the pages, the shared error body, organization scope."""

import pytest

from medtrace.accounts.services import create_api_token
from medtrace.audit.models import AuditEntry
from medtrace.catalog.models import DeviceIdentifier
from medtrace.catalog.services import lot_numbers
from medtrace.catalog.tests.conftest import BOX_GTIN, UNIT_GTIN

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"


def post(client, path, body, **kwargs):
    return client.post(API + path, body, content_type="application/json", **kwargs)


def patch(client, path, body):
    return client.patch(API + path, body, content_type="application/json")


DEVICE = {
    "code": "cvc-3001",
    "name": "中心静脉导管包",
    "name_en": "CVC kit",
    "kind": "finished_device",
    "unit": "SET",
    "shelf_life_days": 1095,
}


def test_items_list_filter_get_create_and_patch(client, regulatory_a, device):
    client.force_login(regulatory_a)
    created = post(client, "/items", DEVICE)
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "CVC-3001"
    body = client.get(API + "/items", {"kind": "finished_device", "q": "cvc"}).json()
    assert body["count"] == 1 and body["items"][0]["code"] == "CVC-3001"
    assert client.get(API + "/items", {"active": False}).json()["count"] == 0
    assert client.get(API + "/items/is-2001").json()["name_en"] == device.name_en
    changed = patch(client, "/items/CVC-3001", {"storage_conditions": "常温"})
    assert changed.status_code == 200 and changed.json()["storage_conditions"] == "常温"
    assert changed.json()["name"] == "中心静脉导管包"
    duplicate = post(client, "/items", DEVICE)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate"


def test_operator_reads_but_may_not_write(client, operator_a, device):
    client.force_login(operator_a)
    assert client.get(API + "/items/IS-2001").status_code == 200
    response = post(client, "/items", DEVICE)
    assert response.status_code == 403
    assert "catalog.add_item" in response.json()["error"]["message"]


def test_create_and_read_device_identifiers(client, regulatory_a, device):
    client.force_login(regulatory_a)
    unit = {
        "item": "IS-2001",
        "issuing_agency": "GS1",
        "value": UNIT_GTIN[1:],
        "brand": "康滴 KangDrip",
        "model_number": "IS-2001",
        "sterile": True,
        "sterilization_method": "eo",
        "risk_class_cn": "III",
    }
    response = post(client, "/device-identifiers", unit)
    assert response.status_code == 201, response.content
    assert response.json()["value"] == UNIT_GTIN and response.json()["version"] == 1
    box = {**unit, "value": BOX_GTIN, "packaging_level": "inner_pack", "contains": UNIT_GTIN[1:]}
    box["quantity_per_package"] = 25
    response = post(client, "/device-identifiers", box)
    assert response.status_code == 201, response.content
    assert response.json()["contains"] == UNIT_GTIN
    listed = client.get(API + "/items/IS-2001/device-identifiers").json()
    assert [di["value"] for di in listed] == [UNIT_GTIN, BOX_GTIN]
    found = client.get(API + f"/device-identifiers/{UNIT_GTIN[1:]}").json()
    assert found["item"] == "IS-2001" and found["risk_class_eu"] == ""
    wrong_check = UNIT_GTIN[:-1] + str((int(UNIT_GTIN[-1]) + 1) % 10)
    bad = post(client, "/device-identifiers", {**unit, "value": wrong_check})
    assert bad.status_code == 422
    assert "check digit" in bad.json()["error"]["details"]["fields"]["value"][0]
    missing = post(client, "/device-identifiers", {**box, "value": "+A123X1", "contains": "nope"})
    assert missing.status_code == 422 and "contains" in missing.json()["error"]["details"]["fields"]


def test_patch_needs_a_reason_and_refuses_a_change_needing_a_new_di(client, regulatory_a, unit_di):
    client.force_login(regulatory_a)
    path = f"/device-identifiers/{UNIT_GTIN}"
    no_reason = patch(client, path, {"gmdn_code": "12345"})
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["details"]["errors"][0]["loc"][-1] == "reason"
    empty = patch(client, path, {"gmdn_code": "12345", "reason": " "})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "reason_required"
    new_di = patch(client, path, {"brand": "Other", "reason": "rebrand"})
    assert new_di.status_code == 409
    assert new_di.json()["error"]["code"] == "new_identifier_required"
    assert "21 CFR 830.50" in new_di.json()["error"]["message"]
    ok = patch(client, path, {"gmdn_code": "12345", "risk_class_eu": "IIa", "reason": "EUDAMED"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2 and ok.json()["risk_class_eu"] == "IIa"
    versions = client.get(API + path + "/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["reason"] == "EUDAMED" and versions[0]["created_by"] == "Ra-A"


def test_retire_and_reactivate(client, regulatory_a, unit_di):
    client.force_login(regulatory_a)
    path = f"/device-identifiers/{UNIT_GTIN}"
    assert post(client, path + "/retire", {"reason": ""}).status_code == 422
    retired = post(client, path + "/retire", {"reason": "discontinued"})
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    assert post(client, path + "/retire", {"reason": "again"}).status_code == 409
    back = post(client, path + "/reactivate", {"reason": "back"})
    assert back.json()["is_active"] is True and back.json()["version"] == 3


def test_deactivate_item(client, regulatory_a, device):
    client.force_login(regulatory_a)
    response = post(client, "/items/IS-2001/active", {"active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_another_organization_gets_404(client, outsider, unit_di):
    client.force_login(outsider)
    assert [i["code"] for i in client.get(API + "/items").json()["items"]] == ["SECRET-1"]
    for path in [
        "/items/IS-2001",
        "/items/IS-2001/device-identifiers",
        f"/device-identifiers/{UNIT_GTIN}",
        f"/device-identifiers/{UNIT_GTIN}/versions",
    ]:
        response = client.get(API + path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert patch(client, f"/device-identifiers/{UNIT_GTIN}", {"reason": "x"}).status_code == 404
    created = post(
        client,
        "/device-identifiers",
        {
            "item": "IS-2001",
            "issuing_agency": "GS1",
            "value": BOX_GTIN,
            "brand": "b",
            "model_number": "m",
        },
    )
    assert created.status_code == 404
    assert not DeviceIdentifier.objects.filter(value=BOX_GTIN).exists()


def test_read_only_token_cannot_write(client, regulatory_a, site_a, device):
    _token, plaintext = create_api_token(
        user=regulatory_a,
        name="ro",
        sites=[site_a],
        can_write=False,
        expires_in_days=5,
        by=regulatory_a,
    )
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get(API + "/items/IS-2001", headers=headers).status_code == 200
    response = post(client, "/items", DEVICE, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"


@pytest.fixture
def lot_rule(organization, regulatory_a):
    return lot_numbers.create_lot_rule(
        organization=organization, pattern="{SITE}{YY}{JJJ}-{SEQ:3}", reset="day", by=regulatory_a
    )


def _rule_changes(rule):
    return AuditEntry.objects.filter(
        object_type="catalog.lotnumberrule", object_id=rule.pk, action="change"
    )


def test_patch_a_lot_rule_changes_only_what_is_sent(client, regulatory_a, lot_rule):
    client.force_login(regulatory_a)
    response = patch(client, f"/lot-rules/{lot_rule.pk}", {"pattern": " L{YY}{SEQ:4} "})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": lot_rule.pk, "item": None, "pattern": "L{YY}{SEQ:4}", "reset": "day"
    }  # fmt: skip
    lot_rule.refresh_from_db()
    assert (lot_rule.pattern, lot_rule.reset) == ("L{YY}{SEQ:4}", "day")
    entry = _rule_changes(lot_rule).get()
    assert entry.actor == regulatory_a and entry.reason == ""
    assert entry.changes == {"pattern": ["{SITE}{YY}{JJJ}-{SEQ:3}", "L{YY}{SEQ:4}"]}

    response = patch(client, f"/lot-rules/{lot_rule.pk}", {"reset": "never", "reason": "CR-12"})
    assert response.status_code == 200 and response.json()["pattern"] == "L{YY}{SEQ:4}"
    lot_rule.refresh_from_db()
    assert (lot_rule.pattern, lot_rule.reset) == ("L{YY}{SEQ:4}", "never")
    entry = _rule_changes(lot_rule).latest("sequence")
    assert entry.changes == {"reset": ["day", "never"]} and entry.reason == "CR-12"


def test_patch_a_lot_rule_refuses_a_bad_pattern_and_writes_nothing(client, regulatory_a, lot_rule):
    client.force_login(regulatory_a)
    for body, words in [
        ({"pattern": "{LOT}-{SEQ:3}", "reset": "never"}, "{LOT}"),
        ({"pattern": "A{SEQ:3}", "reset": "weekly"}, "reset"),
    ]:
        response = patch(client, f"/lot-rules/{lot_rule.pk}", body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "validation_error"
        assert words in str(response.json()["error"])
    lot_rule.refresh_from_db()
    assert (lot_rule.pattern, lot_rule.reset) == ("{SITE}{YY}{JJJ}-{SEQ:3}", "day")
    assert not _rule_changes(lot_rule).exists()


def test_patch_a_lot_rule_needs_the_role_and_our_organization(
    client, operator_a, outsider, lot_rule
):
    client.force_login(operator_a)
    refused = patch(client, f"/lot-rules/{lot_rule.pk}", {"pattern": "X{SEQ:2}"})
    assert refused.status_code == 403
    assert "catalog.change_lotnumberrule" in refused.json()["error"]["message"]
    client.force_login(outsider)
    hidden = patch(client, f"/lot-rules/{lot_rule.pk}", {"pattern": "X{SEQ:2}"})
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    lot_rule.refresh_from_db()
    assert lot_rule.pattern == "{SITE}{YY}{JJJ}-{SEQ:3}"
    assert not _rule_changes(lot_rule).exists()
