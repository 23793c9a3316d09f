"""Template helpers of the stock document pages: ``{% load stock_documents %}``.

``{{ qty|plain }}`` -> "12.5" (a number as typed into an input: no separators, no trailing
zeros); ``{{ variance|signed }}`` -> "+2" / "-1.5" / "0".
"""

from decimal import Decimal, InvalidOperation

from django import template

from apps.core.formatting import format_quantity

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def plain(value):
    number = _decimal(value)
    if number is None:
        return "" if value is None else value
    return "0" if number == 0 else f"{number.normalize():f}"


@register.filter
def signed(value):
    number = _decimal(value)
    if number is None:
        return ""
    text = format_quantity(number)
    return f"+{text}" if number > 0 else text
