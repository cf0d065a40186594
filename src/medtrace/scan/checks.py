"""Check digits and characters shared by the parsers and by master-data validation."""

GS1_MOD10_WEIGHTS = (3, 1)

# HIBC (Code 39 set): the value of each character in the mod-43 check.
HIBC_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"


def gs1_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit for `digits` (the data without its check digit)."""
    total = sum(
        int(digit) * GS1_MOD10_WEIGHTS[position % 2]
        for position, digit in enumerate(reversed(digits))
    )
    return str((10 - total % 10) % 10)


def gs1_check_digit_ok(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and gs1_check_digit(number[:-1]) == number[-1]


def gtin14(gtin: str) -> str:
    """A GTIN-8/12/13/14 as the 14-digit form used everywhere inside medtrace."""
    return gtin.zfill(14)


def hibc_check_character(data: str) -> str:
    """The HIBC mod-43 check character over `data` (which starts with '+')."""
    return HIBC_CHARSET[sum(HIBC_CHARSET.index(char) for char in data) % 43]


# GS1 "CSET 32" and weights of the alphanumeric check-character pair (AI 8013, GMN).
CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83)


def gs1_check_pair(data: str) -> str:
    """The two check characters of a GS1 alphanumeric key such as a GMN (AI 8013)."""
    weights = PRIMES[: len(data)][::-1]
    total = sum(CSET82.index(char) * weight for char, weight in zip(data, weights, strict=True))
    remainder = total % 1021
    return CSET32[remainder >> 5] + CSET32[remainder & 31]
