"""medtrace udi status / prepare."""

import io
import zipfile

import pytest
from typer.testing import CliRunner

from medtrace.catalog import services as catalog
from medtrace.cli import app
from medtrace.udi.tests.conftest import UNIT_GTIN

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_status_then_prepare_writes_the_file(box, regulatory_a, tmp_path):
    shown = runner.invoke(app, ["udi", "status", "gudid", "--user", "ra-a"])
    assert shown.exit_code == 0, shown.output
    assert UNIT_GTIN in shown.output and "1 to submit, 0 of them incomplete" in shown.output
    out = tmp_path / "gudid.zip"
    made = runner.invoke(app, ["udi", "prepare", "gudid", "--user", "ra-a", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert "FDA GUDID (United States) #1 prepared: 1 device(s)" in made.output
    assert zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist() == [f"{UNIT_GTIN}.xml"]


def test_prepare_names_what_is_missing(box, regulatory_a, tmp_path):
    catalog.update_device_identifier(
        device_identifier=box.contains, reason="Not yet chosen", by=regulatory_a, gmdn_code=""
    )
    out = tmp_path / "gudid.zip"
    refused = runner.invoke(app, ["udi", "prepare", "gudid", "--user", "ra-a", "--out", str(out)])
    assert refused.exit_code == 1
    assert "GMDN Preferred Term Code" in refused.output
    assert not out.exists()
    unknown = runner.invoke(app, ["udi", "status", "fda", "--user", "ra-a"])
    assert unknown.exit_code == 1 and "unknown database" in unknown.output
