"""Purchasing documents: purchase orders (采购订单), purchase receipts (采购入库) and purchase
returns (采购退货). Prices and costs are tax-exclusive with a VAT rate per line; each line
stores its net amount and VAT (rounded per line) and the header their sums."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.fields import MoneyField, QuantityField, UnitCostField, non_negative
from apps.core.models import DocumentStatus
from apps.inventory.models import StockDocumentStatus, Warehouse
from apps.inventory.priced import PricedDocument, PricedLine, default_tax_rate, positive  # noqa: F401 (migrations)
from apps.suppliers.models import Supplier


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = DocumentStatus.DRAFT.value, DocumentStatus.DRAFT.label
    SUBMITTED = DocumentStatus.SUBMITTED.value, DocumentStatus.SUBMITTED.label
    APPROVED = DocumentStatus.APPROVED.value, DocumentStatus.APPROVED.label
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CLOSED = DocumentStatus.CLOSED.value, DocumentStatus.CLOSED.label
    CANCELLED = DocumentStatus.CANCELLED.value, DocumentStatus.CANCELLED.label


class PurchaseOrder(PricedDocument):
    """采购订单: draft → submitted → approved → (partially) received → closed; or cancelled.
    While approved and not closed, each line's open quantity (ordered − received) counts in the
    warehouse's ``ordered_qty``."""

    number_prefix = "PO"

    status = models.CharField(
        _("status"),
        max_length=24,
        choices=PurchaseOrderStatus.choices,
        default=PurchaseOrderStatus.DRAFT,
        db_index=True,
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True, default="")

    history = HistoricalRecords()

    class Meta(PricedDocument.Meta):
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        permissions = [
            ("approve_purchaseorder", _("Can approve purchase orders")),
            ("approve_large_purchaseorder", _("Can approve purchase orders above the approval threshold")),
        ]

    @property
    def is_open_for_receipt(self) -> bool:
        return self.status in (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED)


class PurchaseOrderLine(PricedLine):
    document = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    unit_price = UnitCostField(_("unit price"), validators=non_negative())
    received_qty = QuantityField(_("received"), default=0, editable=False)

    class Meta(PricedLine.Meta):
        verbose_name = _("purchase order line")
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="purchasing_poline_qty_positive"),
            models.CheckConstraint(condition=Q(received_qty__gte=0), name="purchasing_poline_received_non_negative"),
        ]

    @property
    def open_qty(self) -> Decimal:
        return max(self.qty - self.received_qty, Decimal(0))


class PurchaseReceipt(PricedDocument):
    """采购入库: goods in from a supplier, against a purchase order or not. Posting books the
    lines into stock at their unit cost and writes a payable for the total."""

    number_prefix = "RCP"

    status = models.CharField(
        _("status"),
        max_length=24,
        choices=StockDocumentStatus.choices,
        default=StockDocumentStatus.DRAFT,
        db_index=True,
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_receipts", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("purchase order"),
    )
    supplier_reference = models.CharField(_("supplier's delivery note"), max_length=64, blank=True, default="")

    history = HistoricalRecords()

    class Meta(PricedDocument.Meta):
        verbose_name = _("purchase receipt")
        verbose_name_plural = _("purchase receipts")
        permissions = [("post_purchasereceipt", _("Can post and cancel purchase receipts"))]


class PurchaseReceiptLine(PricedLine):
    document = models.ForeignKey(PurchaseReceipt, on_delete=models.CASCADE, related_name="lines")
    unit_cost = UnitCostField(_("unit cost"), validators=non_negative())
    purchase_order_line = models.ForeignKey(
        PurchaseOrderLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipt_lines",
        verbose_name=_("purchase order line"),
    )
    returned_qty = QuantityField(_("returned"), default=0, editable=False)

    class Meta(PricedLine.Meta):
        verbose_name = _("purchase receipt line")
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="purchasing_rcpline_qty_positive"),
            models.CheckConstraint(
                condition=Q(returned_qty__gte=0) & Q(returned_qty__lte=models.F("qty")),
                name="purchasing_rcpline_returned_within_received",
            ),
        ]


class PurchaseReturn(PricedDocument):
    """采购退货: goods back to a supplier, against a receipt (at that receipt's cost) or not (at
    the current cost). Posting takes them out of stock and writes a debit note on the payables."""

    number_prefix = "PRT"

    status = models.CharField(
        _("status"),
        max_length=24,
        choices=StockDocumentStatus.choices,
        default=StockDocumentStatus.DRAFT,
        db_index=True,
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_returns", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    purchase_receipt = models.ForeignKey(
        PurchaseReceipt,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
        verbose_name=_("purchase receipt"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    history = HistoricalRecords()

    class Meta(PricedDocument.Meta):
        verbose_name = _("purchase return")
        verbose_name_plural = _("purchase returns")
        permissions = [("post_purchasereturn", _("Can post and cancel purchase returns"))]


class PurchaseReturnLine(PricedLine):
    document = models.ForeignKey(PurchaseReturn, on_delete=models.CASCADE, related_name="lines")
    unit_cost = UnitCostField(
        _("unit cost"),
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_("The credit per unit; against a receipt line, that line's cost."),
    )
    purchase_receipt_line = models.ForeignKey(
        PurchaseReceiptLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_lines",
        verbose_name=_("purchase receipt line"),
    )
    stock_value = MoneyField(_("stock value"), null=True, blank=True, editable=False)

    class Meta(PricedLine.Meta):
        verbose_name = _("purchase return line")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="purchasing_retline_qty_positive")]
