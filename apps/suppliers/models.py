from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.fields import QuantityField, UnitCostField, non_negative
from apps.core.partners import Partner


class Supplier(Partner):
    code = models.CharField(
        _("code"), max_length=20, unique=True, error_messages={"unique": _("This supplier code is already used.")}
    )
    tax_number = models.CharField(_("tax number"), max_length=40, blank=True, default="")
    bank_account = models.CharField(_("bank account"), max_length=100, blank=True, default="")

    history = HistoricalRecords(excluded_fields=["name_pinyin"])

    class Meta(Partner.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")


class SupplierProduct(models.Model):
    """What a supplier sells us: its price at the last receipt, its lead time, and whether it is
    the product's preferred supplier (the one purchase planning orders from). A product has at
    most one preferred supplier. The last price and date are kept up to date by receipts."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="products", verbose_name=_("supplier")
    )
    product = models.ForeignKey(
        "inventory.Product", on_delete=models.CASCADE, related_name="suppliers", verbose_name=_("product")
    )
    supplier_sku = models.CharField(_("supplier's SKU"), max_length=64, blank=True, default="")
    last_price = UnitCostField(_("last price"), null=True, blank=True, validators=non_negative())
    last_purchase_date = models.DateField(_("last purchased"), null=True, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)
    min_order_qty = QuantityField(_("minimum order quantity"), default=0, validators=non_negative())
    is_preferred = models.BooleanField(_("preferred"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier product")
        verbose_name_plural = _("supplier products")
        ordering = ["supplier", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "product"],
                name="suppliers_supplierproduct_uniq",
                violation_error_message=_("This supplier already lists this product."),
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(is_preferred=True),
                name="suppliers_one_preferred_per_product",
                violation_error_message=_("The product already has a preferred supplier."),
            ),
        ]

    def __str__(self):
        return f"{self.supplier.code} · {self.product.sku}"
