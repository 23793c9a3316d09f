"""Sales documents: quotations (报价单), sales orders (销售订单), deliveries (销售出库) and
sales returns (销售退货, exchanges included). Prices are tax-exclusive with a VAT rate per line;
each line stores its net amount and VAT and the header their sums (apps.inventory.priced)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.fields import MoneyField, QuantityField, UnitCostField, non_negative
from apps.core.models import DocumentStatus
from apps.customers.models import Customer
from apps.inventory.models import StockDocumentStatus, Warehouse
from apps.inventory.priced import PricedDocument, PricedLine


def _customer(related_name: str):
    return models.ForeignKey(Customer, on_delete=models.PROTECT, related_name=related_name, verbose_name=_("customer"))


def _warehouse():
    return models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))


class QuotationStatus(models.TextChoices):
    DRAFT = DocumentStatus.DRAFT.value, DocumentStatus.DRAFT.label
    SENT = "sent", _("Sent")
    CONVERTED = "converted", _("Converted to order")
    CANCELLED = DocumentStatus.CANCELLED.value, DocumentStatus.CANCELLED.label


class Quotation(PricedDocument):
    """报价单: prices offered to a customer until ``valid_until``; converts into a draft sales
    order in one step while valid."""

    number_prefix = "QT"

    status = models.CharField(
        _("status"), max_length=24, choices=QuotationStatus.choices, default=QuotationStatus.DRAFT, db_index=True
    )
    customer = _customer("quotations")
    warehouse = _warehouse()
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta(PricedDocument.Meta):
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class QuotationLine(PricedLine):
    document = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    unit_price = UnitCostField(_("unit price"), validators=non_negative())

    class Meta(PricedLine.Meta):
        verbose_name = _("quotation line")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="sales_qtline_qty_positive")]


class SalesOrderStatus(models.TextChoices):
    DRAFT = DocumentStatus.DRAFT.value, DocumentStatus.DRAFT.label
    CONFIRMED = DocumentStatus.CONFIRMED.value, DocumentStatus.CONFIRMED.label
    PARTIALLY_DELIVERED = "partially_delivered", _("Partially delivered")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = DocumentStatus.CLOSED.value, DocumentStatus.CLOSED.label
    CANCELLED = DocumentStatus.CANCELLED.value, DocumentStatus.CANCELLED.label


OPEN_ORDER_STATUSES = (SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIALLY_DELIVERED)


class SalesOrder(PricedDocument):
    """销售订单: draft → confirmed → (partially) delivered → closed; or cancelled. Confirming
    checks the customer's credit and reserves each line's open quantity (ordered − delivered)
    in the warehouse's ``reserved_qty`` until it is delivered, or the order closed."""

    number_prefix = "SO"

    status = models.CharField(
        _("status"), max_length=24, choices=SalesOrderStatus.choices, default=SalesOrderStatus.DRAFT, db_index=True
    )
    customer = _customer("sales_orders")
    warehouse = _warehouse()
    quotation = models.ForeignKey(
        Quotation, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("quotation")
    )
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    customer_reference = models.CharField(_("customer's order number"), max_length=64, blank=True, default="")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    credit_override_reason = models.CharField(
        _("credit override reason"), max_length=200, blank=True, default="", editable=False
    )
    credit_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("credit limit overridden by"),
    )
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True, default="")

    history = HistoricalRecords()

    class Meta(PricedDocument.Meta):
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        permissions = [
            ("confirm_salesorder", _("Can confirm and close sales orders")),
            ("override_credit_limit", _("Can confirm sales orders above the customer's credit limit")),
            ("view_sales_report", _("Can read the sales reports")),
        ]

    @property
    def is_open_for_delivery(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES


class SalesOrderLine(PricedLine):
    document = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    unit_price = UnitCostField(_("unit price"), validators=non_negative())
    delivered_qty = QuantityField(_("delivered"), default=0, editable=False)

    class Meta(PricedLine.Meta):
        verbose_name = _("sales order line")
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="sales_soline_qty_positive"),
            models.CheckConstraint(
                condition=Q(delivered_qty__gte=0) & Q(delivered_qty__lte=models.F("qty")),
                name="sales_soline_delivered_within_ordered",
            ),
        ]

    @property
    def open_qty(self) -> Decimal:
        return max(self.qty - self.delivered_qty, Decimal(0))


class Delivery(PricedDocument):
    """销售出库: goods out to a customer, against a sales order or not. Posting takes the lines
    out of stock at the current cost (kept on each line for gross profit), releases the
    order's reservation and writes a receivable for the total."""

    number_prefix = "DN"

    status = models.CharField(
        _("status"),
        max_length=24,
        choices=StockDocumentStatus.choices,
        default=StockDocumentStatus.DRAFT,
        db_index=True,
    )
    customer = _customer("deliveries")
    warehouse = _warehouse()
    sales_order = models.ForeignKey(
        SalesOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("sales order"),
    )
    replaces = models.ForeignKey(
        "SalesReturn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
        editable=False,
        verbose_name=_("exchange for return"),
    )
    shipping_address = models.CharField(_("shipping address"), max_length=200, blank=True, default="")
    total_cost = MoneyField(_("cost"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta(PricedDocument.Meta):
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        permissions = [("post_delivery", _("Can post and cancel deliveries"))]


class DeliveryLine(PricedLine):
    document = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    unit_price = UnitCostField(_("unit price"), validators=non_negative())
    sales_order_line = models.ForeignKey(
        SalesOrderLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivery_lines",
        verbose_name=_("sales order line"),
    )
    unit_cost = UnitCostField(_("unit cost"), null=True, blank=True, editable=False)
    cost_amount = MoneyField(_("cost"), null=True, blank=True, editable=False)
    returned_qty = QuantityField(_("returned"), default=0, editable=False)

    class Meta(PricedLine.Meta):
        verbose_name = _("delivery line")
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="sales_dnline_qty_positive"),
            models.CheckConstraint(
                condition=Q(returned_qty__gte=0) & Q(returned_qty__lte=models.F("qty")),
                name="sales_dnline_returned_within_delivered",
            ),
        ]


class SalesReturn(PricedDocument):
    """销售退货 / 换货: goods back from a customer, against a delivery (at that delivery's cost
    and price) or not (at the current cost). Posting brings them into stock and writes a credit
    note on the receivables. An exchange also creates a draft replacement delivery."""

    number_prefix = "SR"

    class Reason(models.TextChoices):
        DEFECTIVE = "defective", _("Defective")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        DAMAGED = "damaged", _("Damaged in transit")
        NOT_NEEDED = "not_needed", _("No longer needed")
        OTHER = "other", _("Other")

    status = models.CharField(
        _("status"),
        max_length=24,
        choices=StockDocumentStatus.choices,
        default=StockDocumentStatus.DRAFT,
        db_index=True,
    )
    customer = _customer("sales_returns")
    warehouse = _warehouse()
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.PROTECT, related_name="returns", verbose_name=_("delivery")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, default=Reason.OTHER)
    reason_note = models.CharField(_("details"), max_length=200, blank=True, default="")
    is_exchange = models.BooleanField(
        _("exchange"), default=False, help_text=_("Posting also creates a replacement delivery of the same goods.")
    )
    total_cost = MoneyField(_("cost"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta(PricedDocument.Meta):
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")
        permissions = [("post_salesreturn", _("Can post and cancel sales returns"))]


class SalesReturnLine(PricedLine):
    document = models.ForeignKey(SalesReturn, on_delete=models.CASCADE, related_name="lines")
    unit_price = UnitCostField(_("unit price"), validators=non_negative())
    delivery_line = models.ForeignKey(
        DeliveryLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_lines",
        verbose_name=_("delivery line"),
    )
    unit_cost = UnitCostField(_("unit cost"), null=True, blank=True, editable=False)
    cost_amount = MoneyField(_("cost"), null=True, blank=True, editable=False)

    class Meta(PricedLine.Meta):
        verbose_name = _("sales return line")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="sales_srline_qty_positive")]
