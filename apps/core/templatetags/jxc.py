"""Template filters for numbers and a few page helpers: ``{% load jxc %}``.

``{{ price|money }}`` -> ¥1,234.50, ``{{ qty|quantity }}`` -> 1,234.5,
``{{ qty|quantity:unit.decimals }}``, ``{{ product.tax_rate|percent }}`` -> 13%.
"""

from django import template

from apps.core.formatting import format_money, format_percent, format_quantity

register = template.Library()


@register.filter
def money(value):
    return format_money(value)


@register.filter
def quantity(value, decimals=None):
    return format_quantity(value, None if decimals in (None, "") else int(decimals))


@register.filter
def percent(value):
    return format_percent(value)


@register.simple_tag(takes_context=True)
def url_with(context, **changes):
    """The current URL's query string with some parameters replaced (``None`` removes one);
    ``page`` is dropped whenever anything else changes."""
    params = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def minutes(value):
    """A timedelta as whole minutes, rounded up (the lockout page's "try again in 15 minutes")."""
    if value is None:
        return ""
    seconds = value.total_seconds()
    return max(1, int(-(-seconds // 60)))
