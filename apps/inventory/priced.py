"""Documents whose lines carry prices: purchasing and sales documents. Prices and costs are
tax-exclusive with a VAT rate per line; each line stores its net amount and VAT (rounded per
line, ``apps.core.fields.line_amounts``) and the header their sums (``price_document``)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.bulk import bulk_update_fields
from apps.core.fields import ZERO, MoneyField, QuantityField, RateField, line_amounts
from apps.core.models import Document, DocumentLine

from .models import Product


def default_tax_rate() -> Decimal:
    return Decimal(settings.JXC_DEFAULT_TAX_RATE)


def positive():
    return [MinValueValidator(Decimal("0.0001"))]


class PricedDocument(Document):
    """A document whose lines carry amounts: the header keeps their totals (set by services)."""

    total_net = MoneyField(_("net total"), default=0, editable=False)
    total_tax = MoneyField(_("VAT"), default=0, editable=False)
    total = MoneyField(_("total"), default=0, editable=False)

    class Meta(Document.Meta):
        abstract = True


class PricedLine(DocumentLine):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    qty = QuantityField(_("quantity"), validators=positive())
    tax_rate = RateField(_("VAT rate"), default=default_tax_rate)
    net_amount = MoneyField(_("net amount"), default=0, editable=False)
    tax_amount = MoneyField(_("VAT"), default=0, editable=False)

    class Meta(DocumentLine.Meta):
        abstract = True

    @property
    def amount(self) -> Decimal:
        return self.net_amount + self.tax_amount


def price_document(document, price_field: str) -> None:
    """Compute each line's net amount and VAT from ``price_field`` and the document's totals
    (stored)."""
    lines = list(document.lines.all())
    for line in lines:
        price = getattr(line, price_field)
        line.net_amount, line.tax_amount = line_amounts(line.qty, price or ZERO, line.tax_rate)
    bulk_update_fields(lines, ["net_amount", "tax_amount"])
    document.total_net = sum((line.net_amount for line in lines), ZERO)
    document.total_tax = sum((line.tax_amount for line in lines), ZERO)
    document.total = document.total_net + document.total_tax
    type(document).objects.filter(pk=document.pk).update(
        total_net=document.total_net, total_tax=document.total_tax, total=document.total
    )
