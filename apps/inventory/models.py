"""Products, units, categories and warehouses. The stock ledger joins them in a later module."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.fields import MoneyField, QuantityField, RateField, non_negative


class Warehouse(models.Model):
    code = models.CharField(
        _("code"), max_length=20, unique=True, error_messages={"unique": _("This warehouse code is already used.")}
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=255, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        permissions = [("operate_warehouse", _("Can operate in this warehouse"))]

    def __str__(self):
        return f"{self.code} {self.name}"


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(parent__isnull=False),
                name="inventory_category_parent_name_uniq",
                violation_error_message=_("A category with this name already exists here."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="inventory_category_top_name_uniq",
                violation_error_message=_("A category with this name already exists here."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        node = self.parent
        while node is not None and self.pk is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            node = node.parent


class Unit(models.Model):
    """A unit of measure by name ("个", "箱", "kg"). ``decimals`` is how many decimal places
    a quantity in this unit shows (0 for pieces)."""

    name = models.CharField(
        _("name"), max_length=20, unique=True, error_messages={"unique": _("This unit already exists.")}
    )
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ValuationMethod(models.TextChoices):
    MOVING_AVERAGE = "moving_average", _("Moving weighted average")
    FIFO = "fifo", _("FIFO")


def default_tax_rate():
    return Decimal(settings.JXC_DEFAULT_TAX_RATE)


class Product(models.Model):
    sku = models.CharField(
        _("SKU"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("This SKU is already used by another product.")},
    )
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True, default="")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="products", verbose_name=_("unit"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    barcode = models.CharField(
        _("barcode"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": _("This barcode is already used by another product.")},
    )
    purchase_price = MoneyField(_("purchase price"), default=Decimal("0"), validators=non_negative())
    sale_price = MoneyField(_("sale price"), default=Decimal("0"), validators=non_negative())
    tax_rate = RateField(_("VAT rate"), default=default_tax_rate)
    safety_stock = QuantityField(_("safety stock"), default=Decimal("0"), validators=non_negative())
    max_stock = QuantityField(_("max stock"), default=Decimal("0"), validators=non_negative())
    reorder_qty = QuantityField(_("reorder quantity"), default=Decimal("0"), validators=non_negative())
    valuation_method = models.CharField(
        _("valuation method"), max_length=20, choices=ValuationMethod.choices, default=ValuationMethod.MOVING_AVERAGE
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Pinyin of the name (full and initials) so a clerk can type "kqs" for 矿泉水; kept by the services.
    name_pinyin = models.CharField(max_length=400, blank=True, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["name_pinyin"])

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purchase_price__gte=0) & Q(sale_price__gte=0), name="inventory_product_prices_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(safety_stock__gte=0) & Q(max_stock__gte=0) & Q(reorder_qty__gte=0),
                name="inventory_product_stock_levels_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=1), name="inventory_product_tax_rate_fraction"
            ),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def clean(self):
        if self.max_stock and self.safety_stock and self.max_stock < self.safety_stock:
            raise ValidationError({"max_stock": _("Max stock must not be below safety stock.")})
