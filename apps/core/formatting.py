"""How numbers look on the pages (UI.md): money as ``¥1,234.50``, quantities without needless
trailing zeros, rates as percentages. Used by the template filters and by the list pages."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .fields import MoneyField, RateField


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_money(value, symbol: str | None = None) -> str:
    """``Decimal("-1234.5")`` -> ``"-¥1,234.50"``; None -> ``""``."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    symbol = settings.JXC_CURRENCY_SYMBOL if symbol is None else symbol
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    return f"{sign}{symbol}{abs(number):,.2f}"


def format_quantity(value, decimals: int | None = None) -> str:
    """``Decimal("1234.5000")`` -> ``"1,234.5"``. With ``decimals`` (the unit's precision) the
    value is rounded to it first and trailing zeros beyond it are dropped too."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    if number == 0:
        return "0"
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_percent(value) -> str:
    """A fraction as a percentage: ``Decimal("0.13")`` -> ``"13%"``, ``0.065`` -> ``"6.5%"``."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{format_quantity(number * 100)}%"


def display_value(field, value) -> str:
    """A model field's value as the pages show it: choices by label, booleans as 是/否,
    money with the currency, rates as percentages, empty as a dash."""
    if value is None or value == "":
        return "—"
    if field is not None and getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(field, MoneyField):
        return format_money(value)
    if isinstance(field, RateField):
        return format_percent(value)
    if isinstance(field, models.DecimalField) or isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def format_datetime(value) -> str:
    """``2026-11-22 14:05`` in the company's time zone."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")
