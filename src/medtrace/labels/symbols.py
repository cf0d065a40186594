"""Barcode symbols for labels, made with Zint (zint-bindings): GS1 DataMatrix and GS1-128 from
GS1 element data, HIBC Data Matrix from HIBC LIC data, as inline SVG for WeasyPrint.

Zint is given bracketed AIs ("[01]…[10]…") in its GS1 input mode, so it writes the leading
FNC1 and the separators itself, and checks the data once more; with WarningLevel.FAIL_ALL a
complaint of Zint's is an error, never a silently printed bad symbol. The caller validates
first (labels.services, with the scan parser), so a SymbolError here means a rule the two
disagree on.
"""

from dataclasses import dataclass
from html import escape

import zint

from medtrace.scan import dictionary
from medtrace.scan.checks import hibc_check_character
from medtrace.scan.gs1 import GS

# Zint's vector output draws one module (the X-dimension) as 2 units at scale 1.
UNITS_PER_MODULE = 2.0
# X-dimensions and bar height from the GS1 General Specifications' symbol specification tables:
# GS1 DataMatrix on healthcare items from 0.254 mm; GS1-128 on logistic labels from 0.495 mm,
# bars at least 31.75 mm tall. The SSCC symbol always fits an A6 label at 0.495 mm; a content
# symbol with a long lot does not, and is narrowed to the label's width (A5 labels or a split
# into two symbols would keep 0.495 mm: not done yet).
DATAMATRIX_X_MM = 0.5
LOGISTIC_X_MM = 0.495
LOGISTIC_BAR_HEIGHT_MM = 32.0


class SymbolError(ValueError):
    """Zint refused the data; the message is Zint's own (English)."""


Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Symbol:
    """An encoded symbol: its modules as SVG path data, its size in modules (quiet zones
    included) and its human-readable interpretation, one line per element."""

    symbology: str
    path: str
    columns: float
    rows: float
    hri: tuple[str, ...]

    def svg(self, *, x_mm: float, height_mm: float | None = None) -> str:
        """Inline SVG at an X-dimension of `x_mm`; a linear symbol takes `height_mm` tall bars."""
        width = self.columns * x_mm
        height = height_mm if height_mm is not None else self.rows * x_mm
        box = f"0 0 {self.columns * UNITS_PER_MODULE:g} {self.rows * UNITS_PER_MODULE:g}"
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="symbol {self.symbology}" '
            f'viewBox="{box}" width="{width:.3f}mm" height="{height:.3f}mm" '
            f'preserveAspectRatio="none" shape-rendering="crispEdges" role="img" '
            f'aria-label="{escape(" ".join(self.hri))}">'
            f'<rect width="100%" height="100%" fill="#fff"/>'
            f'<path fill="#000" d="{self.path}"/></svg>'
        )


def bracketed(pairs: Pairs) -> str:
    """ "[01]09506000134352[10]A1": Zint's GS1 input."""
    return "".join(f"[{ai}]{value}" for ai, value in pairs)


def hri(pairs: Pairs) -> tuple[str, ...]:
    """The human-readable interpretation, "(AI)value" per element (GS1 GenSpecs 4.14)."""
    return tuple(f"({ai}){value}" for ai, value in pairs)


def element_string(pairs: Pairs) -> str:
    """The data a scanner transmits: AIs and values, a GS after each value whose AI is not of
    predefined length, except the last (what the scan parser reads back)."""
    parts = []
    for number, (ai, value) in enumerate(pairs):
        entry = dictionary.lookup(ai)
        last = number == len(pairs) - 1
        separator = "" if last or (entry is not None and entry.predefined_length) else GS
        parts.append(f"{ai}{value}{separator}")
    return "".join(parts)


def gs1_datamatrix(pairs: Pairs) -> Symbol:
    """A square GS1 DataMatrix (ECC 200, FNC1 first) of the elements in the order given."""
    return _encode(
        zint.Symbology.DATAMATRIX,
        bracketed(pairs),
        input_mode=zint.InputMode.GS1,
        option_3=int(zint.DataMatrixOptions.SQUARE),
        hri_lines=hri(pairs),
        name="gs1-datamatrix",
    )


def gs1_128(pairs: Pairs) -> Symbol:
    """A GS1-128 (Code 128 with FNC1 first) of the elements in the order given."""
    return _encode(
        zint.Symbology.GS1_128,
        bracketed(pairs),
        input_mode=zint.InputMode.GS1,
        hri_lines=hri(pairs),
        name="gs1-128",
    )


def hibc_datamatrix(data: str) -> Symbol:
    """An HIBC LIC Data Matrix of `data` ("+" then primary, optionally "/" and secondary, no
    check character): Zint adds the "+" flag and the mod-43 check character itself."""
    if not data.startswith("+"):
        raise SymbolError("HIBC data starts with '+'")
    printed = data + hibc_check_character(data)
    return _encode(
        zint.Symbology.HIBC_DM,
        data[1:],
        input_mode=zint.InputMode.DATA,
        option_3=int(zint.DataMatrixOptions.SQUARE),
        hri_lines=(printed,),
        name="hibc-datamatrix",
    )


def qr_code(data: str) -> Symbol:
    """A QR Code of plain text (a location label's LOC:<site>:<code>), error correction M."""
    return _encode(
        zint.Symbology.QRCODE,
        data,
        input_mode=zint.InputMode.DATA,
        option_1=2,
        hri_lines=(data,),
        name="qr",
    )


def code_128(data: str) -> Symbol:
    """A plain Code 128 (no FNC1: not GS1 data) of printable ASCII text."""
    return _encode(
        zint.Symbology.CODE128,
        data,
        input_mode=zint.InputMode.DATA,
        hri_lines=(data,),
        name="code-128",
    )


def _encode(
    symbology, data: str, *, input_mode, hri_lines, name, option_1=None, option_3=None
) -> Symbol:
    symbol = zint.Symbol()
    symbol.symbology = symbology
    symbol.input_mode = input_mode
    symbol.warn_level = zint.WarningLevel.FAIL_ALL
    symbol.show_text = False  # the template prints the HRI, in the label's font
    symbol.output_options = zint.OutputOptions.BARCODE_QUIET_ZONES
    if option_1 is not None:
        symbol.option_1 = option_1
    if option_3 is not None:
        symbol.option_3 = option_3
    try:
        symbol.encode(data)
        symbol.buffer_vector()
    except RuntimeError as error:
        raise SymbolError(str(error)) from error
    vector = symbol.vector
    path = "".join(
        f"M{r.x:g} {r.y:g}h{r.width:g}v{r.height:g}h{-r.width:g}Z" for r in vector.rectangles
    )
    unit = UNITS_PER_MODULE * symbol.scale
    return Symbol(
        symbology=name,
        path=path,
        columns=vector.width / unit,
        rows=vector.height / unit,
        hri=tuple(hri_lines),
    )
