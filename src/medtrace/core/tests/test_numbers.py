from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from medtrace.core.numbers import plain


def test_plain_has_no_exponent_or_trailing_zeros():
    assert plain(Decimal("10.0000")) == "10"
    assert plain(Decimal("1.5000")) == "1.5"
    assert plain(Decimal("0.0001")) == "0.0001"
    assert plain(Decimal("-0.000")) == "0"
    assert plain(Decimal("1E+3")) == "1000"
    assert plain(None) is None


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, max_value=10**10, min_value=-(10**10)
    )
)
def test_plain_reads_back_to_the_same_number(number):
    text = plain(number)
    assert Decimal(text) == number
    assert "E" not in text and "e" not in text
