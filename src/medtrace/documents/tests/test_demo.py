"""The demo plant's documents: in force where they apply, one revision in review, one draft."""

import pytest

from medtrace.documents.choices import RevisionStatus
from medtrace.documents.models import ControlledDocument, DocumentRevision

pytestmark = pytest.mark.django_db


def test_demo_documents(demo_plant):
    plant = demo_plant
    assert ControlledDocument.objects.count() == 14
    assert DocumentRevision.objects.filter(status=RevisionStatus.EFFECTIVE).count() == 14
    in_review = DocumentRevision.objects.get(status=RevisionStatus.IN_REVIEW)
    assert str(in_review) == "SOP-0003 rev. 2"
    assert DocumentRevision.objects.get(status=RevisionStatus.DRAFT).document.number == "WI-0002"
    quality_manual = plant.documents["QM-0001"]
    assert set(quality_manual.applies_to.values_list("code", flat=True)) == {"SZ01", "SZ02", "DC01"}
