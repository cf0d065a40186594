"""The demo plant's generated documents: its quality manual for NMPA maps the demo's effective
procedures to ISO 13485, and the supplier CAPA has its report for the FDA file."""

import pytest

from medtrace.demo.generated import build_generated_documents
from medtrace.documents.generation import services
from medtrace.documents.models import GeneratedDocument

pytestmark = pytest.mark.django_db


def test_demo_generated_documents(demo_plant):
    plant = demo_plant
    if not GeneratedDocument.objects.exists():  # until the demo's STEPS call it
        build_generated_documents(plant)
    manual = GeneratedDocument.objects.get(template="quality-manual")
    assert (manual.market, manual.site.code, manual.generated_by.username) == ("nmpa", "SZ01", "qa")
    markdown = services.markdown_of(manual)
    assert "| 4.2.4 | 文件控制 | SOP-0001 |" in markdown
    assert "| 8.3 | 不合格品控制 | SOP-0002 |" in markdown
    report = GeneratedDocument.objects.get(template="capa-report")
    assert report.market == "fda" and report.subject_type == "quality.capa"
