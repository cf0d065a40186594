"""CSV downloads: a BOM first, text that a spreadsheet would run as a formula made plain text,
numbers and other text unchanged."""

from medtrace.core.csv_export import BOM, csv_download, safe_cell


def test_formula_text_is_prefixed_and_the_rest_is_unchanged():
    for text in ("=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    for value in ("IS-2001", "A05 机械问题", "", -2, 0.5, None):
        assert safe_cell(value) == value


def test_the_download_starts_with_a_bom_and_guards_every_cell():
    response = csv_download("x.csv", ["=header", "n"], [["=cmd()", -1], ["plain", 2.5]])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    assert text[1:].splitlines() == ["'=header,n", "'=cmd(),-1", "plain,2.5"]
