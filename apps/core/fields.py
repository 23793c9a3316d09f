"""Decimal conventions (DESIGN.md, "Documents"): quantities Decimal(18,4), money Decimal(18,2),
unit costs Decimal(18,6), rates Decimal(6,4) as fractions (0.13 = 13% VAT). Floats never
touch money: use these fields and the quantize helpers below."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MONEY_PLACES = Decimal("0.01")
QTY_PLACES = Decimal("0.0001")
COST_PLACES = Decimal("0.000001")
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0")


def money(value) -> Decimal:
    """Round to the cent, half up (the accountant's rounding)."""
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def qty(value) -> Decimal:
    return Decimal(value).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


def unit_cost(value) -> Decimal:
    return Decimal(value).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


class QuantityField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)


class MoneyField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class UnitCostField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)


class RateField(models.DecimalField):
    """A fraction between 0 and 1, e.g. 0.13 for 13% VAT."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("validators", [MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))])
        super().__init__(*args, **kwargs)


def non_negative():
    return [MinValueValidator(ZERO)]


def line_amounts(qty: Decimal, price: Decimal, tax_rate: Decimal) -> tuple[Decimal, Decimal]:
    """A priced line's net amount and VAT, each rounded to the cent (prices are tax-exclusive;
    VAT is computed per line on the rounded net, as on a Chinese VAT invoice)."""
    net = money(qty * price)
    return net, money(net * tax_rate)
