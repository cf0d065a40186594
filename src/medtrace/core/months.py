"""Calendar months: the same day N months later, clipped to the end of a shorter month."""

from calendar import monthrange
from datetime import date


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
