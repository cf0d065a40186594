from django import template

from medtrace.core.numbers import plain as plain_text

register = template.Library()


@register.filter
def plain(value):
    """A decimal without trailing zeros or exponent; “—” for none."""
    return "—" if value is None else plain_text(value)
