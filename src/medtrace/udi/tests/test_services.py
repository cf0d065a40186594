"""Preparing submissions: the field rules name what a device lacks, the three files carry the
device, and "changed since the last submission" follows what each database accepted."""

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from medtrace.audit.models import AuditEntry
from medtrace.catalog import services as catalog
from medtrace.catalog.choices import IssuingAgency
from medtrace.catalog.tests.conftest import make_unit
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.udi import selectors, services
from medtrace.udi.choices import Database, RecordState, SubmissionStatus
from medtrace.udi.formats import FORMATS
from medtrace.udi.formats.common import writable
from medtrace.udi.formats.gudid import HL7
from medtrace.udi.models import Submission
from medtrace.udi.tests.conftest import BOX_GTIN, COMPLETE, UNIT_GTIN

pytestmark = pytest.mark.django_db
H = f"{{{HL7}}}"
EU = "{urn:medtrace:udi:eudamed:1}"


def statuses(organization, database):
    return {s.record.device.value: s for s in selectors.device_statuses(organization.pk, database)}


def prepare(organization, database, by, ids=None):
    return services.prepare_submission(
        organization=organization, database=database, by=by, device_identifier_ids=ids
    )


def correct(identifier, by, **changes):
    return catalog.update_device_identifier(
        device_identifier=identifier, reason="Label text revised", by=by, **changes
    )


@pytest.mark.parametrize("database", list(Database))
def test_a_complete_device_is_new_and_ready_in_every_database(organization, box, database):
    status = statuses(organization, database)[UNIT_GTIN]
    assert status.state == RecordState.NEW
    assert status.problems == []
    assert [p.value for p in status.record.packages] == [BOX_GTIN]


def test_a_device_counts_only_where_it_has_a_class(
    organization, infusion_set, regulatory_a, registrant
):
    make_unit(infusion_set, regulatory_a)  # an NMPA class only
    assert UNIT_GTIN in statuses(organization, Database.NMPA)
    assert statuses(organization, Database.GUDID) == {}
    assert statuses(organization, Database.EUDAMED) == {}


def test_a_missing_mandatory_field_is_named_and_nothing_is_written(organization, box, regulatory_a):
    unit = box.contains
    correct(unit, regulatory_a, fda_product_code="")
    problems = statuses(organization, Database.GUDID)[UNIT_GTIN].problems
    assert problems == ["GUDID needs “FDA Product Code”."]
    # The other databases do not ask for it.
    assert statuses(organization, Database.NMPA)[UNIT_GTIN].problems == []
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        prepare(organization, Database.GUDID, regulatory_a)
    assert refused.value.code == ErrorCode.VALIDATION
    assert refused.value.details["fields"]["device_identifiers"] == [
        f"IS-2001 ({UNIT_GTIN}): GUDID needs “FDA Product Code”."
    ]
    assert "1 device(s) cannot be submitted to FDA GUDID" in str(refused.value.message)
    assert Submission.objects.count() == 0
    assert AuditEntry.objects.count() == entries


def test_the_registrant_s_details_are_required(organization, infusion_set, regulatory_a):
    make_unit(infusion_set, regulatory_a, **COMPLETE)  # no registrant recorded
    problems = statuses(organization, Database.GUDID)[UNIT_GTIN].problems
    assert "GUDID needs “Labeler DUNS Number”." in problems
    assert "GUDID needs “Customer Contact Email”." in problems
    nmpa = statuses(organization, Database.NMPA)[UNIT_GTIN].problems
    assert "NMPA UDID needs “统一社会信用代码”." in nmpa
    eudamed = statuses(organization, Database.EUDAMED)[UNIT_GTIN].problems
    assert "EUDAMED needs “manufacturerSRN”." in eudamed


def test_an_agency_a_database_does_not_accept_is_named(
    organization, infusion_set, regulatory_a, registrant
):
    value = "MA.156.M0.100234.IS2001A"
    attributes = {k: v for k, v in COMPLETE.items() if k != "basic_udi_di"}
    catalog.create_device_identifier(
        item=infusion_set,
        issuing_agency=IssuingAgency.MA,
        value=value,
        brand="康滴 KangDrip",
        model_number="IS-2001",
        registration_number="国械注准20213140123",
        risk_class_cn="III",
        by=regulatory_a,
        **attributes,
    )
    gudid = statuses(organization, Database.GUDID)[value].problems
    assert gudid == ["GUDID accepts DIs of the FDA-accredited agencies only (GS1, HIBCC, ICCBBA)."]
    assert statuses(organization, Database.NMPA)[value].problems == []


def test_gudid_file_is_one_spl_document_per_device(organization, box, regulatory_a):
    submission = prepare(organization, Database.GUDID, regulatory_a)
    assert submission.number == 1 and submission.status == SubmissionStatus.PREPARED
    archive = zipfile.ZipFile(io.BytesIO(bytes(submission.content)))
    assert archive.namelist() == [f"{UNIT_GTIN}.xml"]
    document = ET.fromstring(archive.read(f"{UNIT_GTIN}.xml"))
    assert document.tag == f"{H}document"
    product = document.find(f".//{H}manufacturedProduct/{H}manufacturedProduct")
    identifier = product.find(f"{H}id")
    assert identifier.get("extension") == UNIT_GTIN and identifier.get("root") == "1.3.160"
    values = {
        c.find(f"{H}code").get("displayName"): c.find(f"{H}value").text
        for c in document.iter(f"{H}characteristic")
    }
    assert values["Labeler DUNS Number"] == "654321987"
    assert values["FDA Product Code"] == "FPA"
    assert values["Package DI Number"] == BOX_GTIN
    assert values["Quantity per Package"] == "25"
    assert values["Commercial Distribution Status"] == "In Commercial Distribution"
    assert values["Device Packaged as Sterile"] == "true"
    assert values["Sterilization Method"] == "Ethylene oxide (EO)"


def test_nmpa_file_is_a_workbook_of_units_and_packages(organization, box, regulatory_a):
    submission = prepare(organization, Database.NMPA, regulatory_a)
    assert submission.file_name.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(bytes(submission.content)))
    assert workbook.sheetnames == ["产品标识信息", "包装标识信息"]
    products = list(workbook["产品标识信息"].values)
    row = dict(zip(products[0], products[1], strict=True))
    assert len(products) == 2
    assert row["最小销售单元产品标识"] == UNIT_GTIN
    assert row["产品名称/通用名称"] == "一次性使用输液器 带针"
    assert row["注册证编号或者备案凭证编号"] == "国械注准20213140123"
    assert row["是否为无菌包装"] == "是"
    assert row["灭菌方式"]  # the method's Chinese name
    packages = list(workbook["包装标识信息"].values)
    package = dict(zip(packages[0], packages[1], strict=True))
    assert package["包装产品标识"] == BOX_GTIN
    assert package["包装内含小一级包装产品标识"] == UNIT_GTIN
    assert package["包装内含小一级包装产品标识数量"] == 25


def test_eudamed_file_groups_udi_dis_under_their_basic_udi_di(organization, box, regulatory_a):
    submission = prepare(organization, Database.EUDAMED, regulatory_a)
    root = ET.fromstring(bytes(submission.content))
    basic = root.find(f"{EU}BasicUDI")
    assert basic.find(f"{EU}basicUDIIdentifier").text == "0950600010IS2001ES"
    assert basic.find(f"{EU}manufacturerSRN").text == "CN-MF-000012345"
    udi = basic.find(f"{EU}UDIDI")
    assert udi.find(f"{EU}UDIDICode").text == UNIT_GTIN
    assert udi.find(f"{EU}EMDNCode").text == "C0301"
    assert udi.find(f"{EU}ContainerPackage/{EU}packageUDIDICode").text == BOX_GTIN


def test_accepted_submission_is_the_baseline_for_changes(organization, box, regulatory_a):
    submission = prepare(organization, Database.GUDID, regulatory_a)
    # Prepared but not yet accepted: still new, and shown as waiting in that submission.
    status = statuses(organization, Database.GUDID)[UNIT_GTIN]
    assert status.state == RecordState.NEW and status.pending == submission
    services.record_submitted(submission=submission, reference="GUDID-SUB-0001", by=regulatory_a)
    assert statuses(organization, Database.GUDID)[UNIT_GTIN].state == RecordState.CURRENT
    with pytest.raises(DomainError, match="Nothing to submit to FDA GUDID"):
        prepare(organization, Database.GUDID, regulatory_a)
    # An EMDN code is EUDAMED's: GUDID's record is unchanged by it.
    correct(box.contains, regulatory_a, emdn_code="C030101")
    assert statuses(organization, Database.GUDID)[UNIT_GTIN].state == RecordState.CURRENT
    correct(box.contains, regulatory_a, catalog_number="IS-2001-150B")
    assert statuses(organization, Database.GUDID)[UNIT_GTIN].state == RecordState.CHANGED
    second = prepare(organization, Database.GUDID, regulatory_a)
    assert second.number == 2
    assert second.records.get().first_submission is False
    assert second.records.get().versions == {UNIT_GTIN: 3, BOX_GTIN: 1}


def test_a_rejected_submission_changes_nothing(organization, box, regulatory_a):
    submission = prepare(organization, Database.NMPA, regulatory_a)
    services.record_rejected(submission=submission, reason="产品描述过短", by=regulatory_a)
    assert statuses(organization, Database.NMPA)[UNIT_GTIN].state == RecordState.NEW
    with pytest.raises(DomainError) as refused:
        services.record_submitted(submission=submission, reference="X", by=regulatory_a)
    assert refused.value.code == ErrorCode.INVALID_STATE


def test_an_outcome_needs_its_acknowledgement_or_reason(organization, box, regulatory_a):
    submission = prepare(organization, Database.NMPA, regulatory_a)
    with pytest.raises(DomainError) as refused:
        services.record_submitted(submission=submission, reference="  ", by=regulatory_a)
    assert "reference" in refused.value.details["fields"]
    with pytest.raises(DomainError) as refused:
        services.record_rejected(submission=submission, reason="", by=regulatory_a)
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PREPARED


def test_a_device_retired_after_submission_is_changed_and_one_never_submitted_is_gone(
    organization, box, regulatory_a
):
    submission = prepare(organization, Database.GUDID, regulatory_a)
    services.record_submitted(submission=submission, reference="ACK-1", by=regulatory_a)
    catalog.retire_device_identifier(
        device_identifier=box, reason="Box discontinued", by=regulatory_a
    )
    status = statuses(organization, Database.GUDID)[UNIT_GTIN]
    assert status.state == RecordState.CHANGED
    catalog.retire_device_identifier(
        device_identifier=box.contains, reason="Product discontinued", by=regulatory_a
    )
    assert statuses(organization, Database.GUDID)[UNIT_GTIN].record.device.is_active is False
    assert statuses(organization, Database.NMPA) == {}  # never submitted there: nothing to say


def test_preparing_and_deciding_are_audited(organization, box, regulatory_a):
    submission = prepare(organization, Database.EUDAMED, regulatory_a)
    services.record_submitted(submission=submission, reference="EUDAMED-7", by=regulatory_a)
    entries = AuditEntry.objects.filter(object_type="udi.submission", object_id=str(submission.pk))
    assert [e.action for e in entries.order_by("id")] == ["create", "transition"]
    assert entries.order_by("id").first().changes["sha256"][1] == submission.sha256


def test_naming_a_device_the_database_does_not_hold_is_refused(organization, box, regulatory_a):
    with pytest.raises(DomainError, match="does not hold"):
        prepare(organization, Database.GUDID, regulatory_a, ids=[box.pk])  # a package
    assert Submission.objects.count() == 0


def test_a_registrant_correction_needs_a_reason_and_valid_codes(
    organization, registrant, regulatory_a
):
    with pytest.raises(DomainError) as refused:
        services.save_registrant(organization=organization, by=regulatory_a, duns_number="12")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    with pytest.raises(DomainError) as refused:
        services.save_registrant(
            organization=organization, by=regulatory_a, reason="New DUNS", duns_number="12"
        )
    assert "duns_number" in refused.value.details["fields"]
    services.save_registrant(
        organization=organization, by=regulatory_a, reason="New DUNS", duns_number="123456789"
    )
    entry = AuditEntry.objects.filter(object_type="udi.registrant").latest("id")
    assert entry.changes == {"duns_number": ["654321987", "123456789"]}
    assert entry.reason == "New DUNS"


def _description_in(database, content: bytes) -> str:
    if database == Database.NMPA:
        rows = list(load_workbook(io.BytesIO(content))["产品标识信息"].values)
        return dict(zip(rows[0], rows[1], strict=True))["产品描述"] or ""
    if database == Database.GUDID:
        archive = zipfile.ZipFile(io.BytesIO(content))
        document = ET.fromstring(archive.read(archive.namelist()[0]))
        values = {
            c.find(f"{H}code").get("displayName"): c.find(f"{H}value").text
            for c in document.iter(f"{H}characteristic")
        }
        return values["Device Description"] or ""
    return ET.fromstring(content).find(f".//{EU}additionalDescription").text or ""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(description=st.text(min_size=1, max_size=200))
def test_any_description_makes_files_that_parse(organization, box, regulatory_a, description):
    """Whatever is typed into a description (XML specials, CJK, control characters), every file
    still parses and carries the text, less what a file cannot hold."""
    # In memory only: PostgreSQL stores no NUL character, and the writers are what is tested.
    [status] = selectors.device_statuses(organization.pk, Database.GUDID)
    record = status.record
    record.device.description = description
    for database in Database:
        written = FORMATS[database].write([record], number=1, at=record.device.created_at)
        assert _description_in(database, written.content) == writable(description)
