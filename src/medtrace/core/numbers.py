"""Decimals as people write them: fixed point without trailing zeros (10, 1.5, 0.0001),
never Decimal.normalize()'s exponent form (1E+1)."""

from decimal import Decimal


def plain(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
