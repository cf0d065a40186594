"""Records the generation tests report on (a CAPA investigated, acted on and verified at
site A; an NCR with a disposition at site A; a supplier audit with a finding) and reading a
PDF's text. The test modules take them with `from ...generation_fixtures import *`."""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD

__all__ = ["capa", "ncr", "pdf_text", "stored_pdf", "supplier_audit"]


@pytest.fixture
def capa(site_a, qa_a):
    from medtrace.quality.choices import ActionKind, CapaSource
    from medtrace.quality.services import capa as capas

    record = capas.open_capa(
        site=site_a,
        title="注塑件毛刺 Burrs on moulded housings",
        source=CapaSource.TREND,
        problem_statement="毛刺超标连续三批。Burrs above limit on three lots in a row.",
        containment="在库批次全检。All lots in stock sorted 100 %.",
        five_whys=["模具分型面磨损 Parting line worn", "未按计划保养 Maintenance skipped"],
        fishbone={"machine": ["模具磨损 worn mould"], "method": ["保养计划缺失 no plan"]},
        root_cause="模具无预防性保养计划。The mould has no preventive maintenance plan.",
        effectiveness_criteria="后续 5 批无毛刺。The next 5 lots are free of burrs.",
        by=qa_a,
    )
    today = timezone.localdate()
    action = capas.add_action(
        record, kind=ActionKind.CORRECTIVE, owner=qa_a, by=qa_a,
        description="建立模具保养计划。Set up the mould maintenance plan.",
        due_on=today + datetime.timedelta(days=14),
    )  # fmt: skip
    capas.start_implementation(record, by=qa_a)
    capas.complete_action(action, evidence="计划 PM-07 已生效。Plan PM-07 in force.", by=qa_a)
    return capas.verify_implementation(record, by=qa_a, password=PASSWORD)


@pytest.fixture
def ncr(site_a, qa_a):
    from medtrace.quality.choices import Decision, NcrSource, Severity
    from medtrace.quality.services import nonconformance as ncrs

    record = ncrs.open_nonconformance(
        site=site_a,
        title="外箱标签错印 Misprinted case labels",
        description="12 箱标签有效期错误。12 cases show the wrong expiry date.",
        source=NcrSource.FINAL,
        severity=Severity.MAJOR,
        quantity=Decimal("12"),
        uom="CS",
        by=qa_a,
    )
    ncrs.start_review(record, by=qa_a)
    ncrs.add_disposition(
        record, decision=Decision.REWORK, quantity=Decimal("12"),
        justification="重新贴标。Relabel.", by=qa_a,
    )  # fmt: skip
    record.refresh_from_db()
    return record


@pytest.fixture
def supplier_audit(organization, qa_a):
    from medtrace.partners.choices import AuditKind, FindingClass
    from medtrace.partners.services import audits
    from medtrace.partners.services import suppliers as partners

    supplier = partners.create_supplier(
        organization=organization, code="SUP-PVC", name="浙江康塑医用材料有限公司",
        name_en="Zhejiang Kangsu Medical Materials", by=qa_a,
    )  # fmt: skip
    audit = audits.plan_audit(
        supplier=supplier, kind=AuditKind.ON_SITE, planned_on=timezone.localdate(),
        scope="PVC 粒料生产过程。PVC compound production.", auditors="王静 Wang Jing", by=qa_a,
    )  # fmt: skip
    audits.add_finding(
        audit, classification=FindingClass.MINOR, by=qa_a,
        description="回料未隔离。Regrind is not segregated.",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    return audit


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext (poppler) reads it; with pypdf where poppler is missing."""
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return done.stdout.decode()
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def stored_pdf(document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()
