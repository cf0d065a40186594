"""Generating documents from templates: the quality manual's Chinese headings in the PDF's
text (issue 7's acceptance), every template for every market it is written for, the record
and its audit entry, the refusals (nothing written), who sees what was generated, and taking
a skeleton in as a controlled document's first draft."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrace.accounts.roles import Role
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.documents.choices import DocumentType, RevisionStatus
from medtrace.documents.generation import registry, services
from medtrace.documents.generation.content import Content, Heading, Section, table, to_markdown
from medtrace.documents.generation.quality_manual import procedures_for
from medtrace.documents.generation.selectors import visible_generated
from medtrace.documents.models import ControlledDocument, GeneratedDocument
from medtrace.documents.rendering import body_html
from medtrace.documents.tests.generation_fixtures import *  # noqa: F403 (fixtures)
from medtrace.documents.tests.generation_fixtures import pdf_text, stored_pdf

pytestmark = pytest.mark.django_db
GENERATED = "documents.generateddocument"


def nothing_generated():
    return (
        not GeneratedDocument.objects.exists()
        and not AuditEntry.objects.filter(object_type=GENERATED).exists()
    )


def test_quality_manual_for_nmpa_prints_its_chinese_headings(qa_a, site_a, effective_sop):
    document = services.generate("quality-manual", market="nmpa", by=qa_a, site=site_a)
    text = pdf_text(stored_pdf(document))
    for heading in (
        "质量手册",
        "质量方针",
        "组织机构与职责",
        "文件控制",
        "过程图",
        "ISO 13485 条款对照",
    ):
        assert heading in text, heading
    # Live data: the organization, the effective SOP (number, title) and who holds QA.
    assert "测试医疗器械有限公司" in text
    assert "SOP-0001" in text and "不合格品控制程序" in text
    assert "Qa-A" in text
    assert "医疗器械生产质量管理规范（2025 修订）" in text and "GB/T 42061-2022" in text
    assert document.title == "质量手册" and document.language == "zh-hans"


def test_a_generation_is_recorded_with_its_hash_and_audit_entry(qa_a, site_a):
    document = services.generate("quality-manual", market="eu", by=qa_a, site=site_a)
    pdf = stored_pdf(document)
    assert pdf.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (document.template, document.market, document.language) == ("quality-manual", "eu", "en")
    assert (document.site, document.generated_by, document.subject_type) == (site_a, qa_a, "")
    assert document.organization_id == site_a.organization_id
    entry = AuditEntry.objects.get(object_type=GENERATED, object_id=str(document.pk))
    assert entry.action == "create" and entry.actor == qa_a and entry.site_id == site_a.pk
    assert entry.changes["sha256"] == [None, document.sha256]
    assert entry.changes["template"] == [None, "quality-manual"]


CASES = [(template.key, market) for template in registry.templates() for market in template.markets]


@pytest.mark.parametrize(("key", "market"), CASES)
def test_every_template_renders_for_every_market_it_supports(
    request, key, market, qa_a, site_a, make_user
):
    template = registry.get(key)
    subject = {
        None: None,
        "sop_topic": "complaint_handling",
        "capa": "capa",
        "ncr": "ncr",
        "supplier_audit": "supplier_audit",
    }[template.subject.key if template.subject else None]
    if subject in ("capa", "ncr", "supplier_audit"):
        subject = request.getfixturevalue(subject)
    document = services.generate(key, market=market, by=qa_a, subject=subject, site=site_a)
    text = pdf_text(stored_pdf(document))
    markdown = services.markdown_of(document)
    assert markdown.startswith(f"# {document.title} · ")
    # The first chapter's heading, both languages: Chinese leads for NMPA only.
    first = next(line for line in markdown.splitlines() if line.startswith("## 1 "))
    lead, other = first.removeprefix("## 1 ").split(" · ")
    assert (lead.isascii(), other.isascii()) == (market != "nmpa", market == "nmpa")
    assert lead.split()[0] in text and other.split()[0] in text
    expected = {"nmpa": "GB/T 42061-2022", "fda": "21 CFR Part 820", "eu": "2017/745"}[market]
    assert expected in text and expected in markdown


def test_the_capa_report_carries_the_investigation_and_the_verification(capa, qa_a):
    document = services.generate("capa-report", market="nmpa", by=qa_a, subject=capa.number)
    text = pdf_text(stored_pdf(document))
    for expected in (
        capa.number, "围堵措施", "五个为什么", "鱼骨图", "根本原因", "实施验证", "有效性检查",
        "模具分型面磨损", "建立模具保养计划", "Plan PM-07", "电子签名",
    ):  # fmt: skip
        assert expected in text, expected
    assert (document.subject_type, document.subject_id) == ("quality.capa", str(capa.pk))
    assert document.site == capa.site and capa.number in document.subject_repr


def test_the_ncr_and_supplier_audit_reports_list_dispositions_and_findings(
    ncr, supplier_audit, qa_a, site_a
):
    report = services.generate("ncr-report", market="fda", by=qa_a, subject=ncr, language="en")
    text = " ".join(pdf_text(stored_pdf(report)).split())  # table cells wrap
    assert ncr.number in text and "Dispositions" in text and "Relabel" in text
    audit_report = services.generate(
        "supplier-audit-report", market="eu", by=qa_a, subject=supplier_audit, site=site_a
    )
    text = " ".join(pdf_text(stored_pdf(audit_report)).split())
    assert supplier_audit.number in text and "Regrind is not segregated" in text
    assert f"{supplier_audit.number}/" in text  # the finding F1, wrapped in its cell


def test_sop_skeleton_markdown_has_both_languages_and_the_markets_own_steps(qa_a, site_a):
    document = services.generate(
        "sop-skeleton", market="nmpa", by=qa_a, site=site_a, subject="complaint-handling"
    )
    markdown = services.markdown_of(document)
    assert markdown.startswith("# 顾客投诉处理程序 · Complaint handling procedure")
    assert "## 1 目的 · Purpose" in markdown and "## 5 程序 · Procedure" in markdown
    assert "导致死亡的 7 日内" in markdown  # NMPA's reporting deadline
    assert "| 质量经理 |" in markdown and "Qa-A" in markdown  # the role and who holds it
    html = body_html(markdown)
    assert "<table>" in html and "<ol>" in html
    assert document.subject_type == "documents.sop_topic"
    assert document.subject_id == "complaint_handling"


def test_clause_mapping_finds_procedures_by_title_keywords(effective_sop):
    revisions = [effective_sop]
    assert procedures_for(("不合格", "nonconform"), revisions) == ["SOP-0001"]
    assert procedures_for(("Nonconforming",), revisions) == ["SOP-0001"]
    assert procedures_for(("召回", "recall"), revisions) == []


@pytest.fixture
def nmpa_only():
    template = registry.DocumentTemplate(
        key="nmpa-self-inspection",
        title=Heading("质量管理体系年度自查报告", "Annual QMS self-inspection report"),
        description="",
        build=lambda generation: Content(Heading("自查", "Self"), [], "zh-hans", "zh-hans"),
        pdf_template="documents/generated/pdf/report.html",
        markets=("nmpa",),
    )
    registry.get("quality-manual")  # the built-ins first
    registry.register(template)
    yield template
    registry.unregister(template.key)


def refused(code, **kwargs):
    template = kwargs.pop("template")
    with pytest.raises(DomainError) as caught:
        services.generate(template, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert nothing_generated()
    return str(caught.value.message)


def test_refusals_name_the_rule_and_write_nothing(
    nmpa_only, capa, ncr, qa_a, qa_b, site_a, site_b, operator_a, stranger
):
    message = refused(
        ErrorCode.VALIDATION, template="nmpa-self-inspection", market="fda", by=qa_a, site=site_a
    )
    assert "not written for the market fda" in message and "China (NMPA)" in message
    assert "no document template" in refused(
        ErrorCode.VALIDATION, template="nope", market="nmpa", by=qa_a, site=site_a
    )
    assert "not fr" in refused(
        ErrorCode.VALIDATION,
        template="quality-manual",
        market="nmpa",
        by=qa_a,
        site=site_a,
        language="fr",
    )
    assert "Choose the CAPA" in refused(
        ErrorCode.VALIDATION, template="capa-report", market="nmpa", by=qa_a
    )
    # A record of a site the user may not see is not found, whatever its id or number.
    assert capa.number in refused(
        ErrorCode.NOT_FOUND, template="capa-report", market="nmpa", by=qa_b, subject=capa.number
    )
    refused(
        ErrorCode.NOT_FOUND, template="capa-report", market="nmpa", by=qa_b, subject=str(capa.pk)
    )
    assert "not" in refused(
        ErrorCode.VALIDATION, template="capa-report", market="nmpa", by=qa_a, subject=ncr
    )
    assert "its own site, A1" in refused(
        ErrorCode.VALIDATION,
        template="capa-report",
        market="nmpa",
        by=qa_a,
        subject=capa,
        site=site_b,
    )
    # The quality manual becomes a controlled document: it needs document control's permission.
    message = refused(
        ErrorCode.PERMISSION_DENIED,
        template="quality-manual",
        market="nmpa",
        by=operator_a,
        site=site_a,
    )
    assert "documents.add_controlleddocument" in message and "A1" in message
    assert "B1" in refused(
        ErrorCode.SITE_NOT_ALLOWED, template="quality-manual", market="nmpa", by=qa_a, site=site_b
    )
    refused(
        ErrorCode.SITE_NOT_ALLOWED,
        template="quality-manual",
        market="nmpa",
        by=stranger,
        site=site_a,
    )
    assert "site" in refused(
        ErrorCode.VALIDATION, template="quality-manual", market="nmpa", by=qa_a
    )
    assert "leave the subject empty" in refused(
        ErrorCode.VALIDATION,
        template="quality-manual",
        market="nmpa",
        by=qa_a,
        site=site_a,
        subject="x",
    )
    refused(
        ErrorCode.NOT_FOUND, template="sop-skeleton", market="nmpa", by=qa_a, site=site_a,
        subject="astrology",
    )  # fmt: skip


def test_an_operator_may_generate_a_report_of_a_capa_they_may_read(capa, operator_a):
    document = services.generate("capa-report", market="nmpa", by=operator_a, subject=capa)
    assert document.generated_by == operator_a


def test_supplier_audit_reports_need_the_audit_view_permission(supplier_audit, operator_a, site_a):
    with pytest.raises(DomainError) as caught:
        services.generate(
            "supplier-audit-report", market="nmpa", by=operator_a, subject=supplier_audit,
            site=site_a,
        )  # fmt: skip
    assert caught.value.code == ErrorCode.NOT_FOUND and nothing_generated()


def test_readers_see_generations_of_their_sites_about_what_they_may_see(
    capa, supplier_audit, qa_a, qa_b, operator_a, site_a, site_b
):
    manual = services.generate("quality-manual", market="nmpa", by=qa_a, site=site_a)
    report = services.generate("capa-report", market="nmpa", by=qa_a, subject=capa)
    audit_report = services.generate(
        "supplier-audit-report", market="nmpa", by=qa_a, subject=supplier_audit, site=site_a
    )
    other = services.generate("quality-manual", market="fda", by=qa_b, site=site_b)
    assert set(visible_generated(qa_a)) == {manual, report, audit_report}
    assert set(visible_generated(operator_a)) == {manual, report}  # no supplier audits
    assert set(visible_generated(qa_b)) == {other}


def test_a_skeleton_is_taken_in_as_a_controlled_documents_first_draft(qa_a, site_a):
    document = services.generate(
        "sop-skeleton", market="eu", by=qa_a, site=site_a, subject="recall"
    )
    markdown = services.markdown_of(document)
    controlled = services.take_in(document, by=qa_a)
    assert controlled.number == "SOP-0001" and controlled.document_type == DocumentType.PROCEDURE
    assert (controlled.title, controlled.title_en) == ("产品召回控制程序", "Recall procedure")
    draft = controlled.revisions.get()
    assert draft.status == RevisionStatus.DRAFT and draft.body == markdown
    assert document.sha256[:16] in draft.change_summary
    document.refresh_from_db()
    assert document.document == controlled
    entry = AuditEntry.objects.filter(object_type=GENERATED, action="change").get()
    assert entry.changes == {"document": [None, "SOP-0001"]}
    with pytest.raises(DomainError) as caught:
        services.take_in(document, by=qa_a)
    assert caught.value.code == ErrorCode.INVALID_STATE and "SOP-0001" in str(caught.value)
    assert ControlledDocument.objects.count() == 1


def test_the_quality_manual_is_taken_in_with_a_given_number(qa_a, site_a):
    document = services.generate("quality-manual", market="nmpa", by=qa_a, site=site_a)
    controlled = services.take_in(document, by=qa_a, number="qm-2026")
    assert (
        controlled.number == "QM-2026" and controlled.document_type == DocumentType.QUALITY_MANUAL
    )
    assert controlled.title == "质量手册"


def test_taking_in_is_refused_for_reports_without_permission_or_a_changed_file(
    capa, qa_a, site_a, make_user
):
    report = services.generate("capa-report", market="nmpa", by=qa_a, subject=capa)
    with pytest.raises(DomainError) as caught:
        services.take_in(report, by=qa_a)
    assert caught.value.code == ErrorCode.INVALID_STATE
    skeleton = services.generate(
        "sop-skeleton", market="nmpa", by=qa_a, site=site_a, subject="capa"
    )
    inspector = make_user("inspector-a", (site_a, Role.QA_INSPECTOR))
    with pytest.raises(DomainError) as caught:
        services.take_in(skeleton, by=inspector)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    with skeleton.file.open("wb") as stored:
        stored.write(b"%PDF-1.7 something else")
    with pytest.raises(DomainError) as caught:
        services.take_in(skeleton, by=qa_a)
    assert caught.value.code == ErrorCode.CONFLICT
    assert not ControlledDocument.objects.exists()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=2, max_size=2), min_size=1, max_size=4))
def test_any_cell_text_keeps_the_markdown_table_shape(rows):
    content = Content(
        Heading("标题", "Title"), [Section(Heading("表", "Table"), [table(["a", "b"], rows)])],
        "en", "en",
    )  # fmt: skip
    html = body_html(to_markdown(content))
    assert html.count("<tr>") == len(rows) + 1
    assert html.count("<td") == 2 * len(rows)
