"""Products, units, categories, warehouses, and the stock ledger (written only by ledger.py)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.fields import MoneyField, QuantityField, RateField, UnitCostField, non_negative, unit_cost
from apps.core.models import Document, DocumentLine


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
        permissions = [("view_cost", _("Can see costs, stock values and margins"))]
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


# --- The stock ledger -------------------------------------------------------------------------
# Written only by apps/inventory/ledger.py. See DESIGN.md, "The stock ledger".


class Lot(models.Model):
    """A batch/lot of a product with its expiry date. The ledger carries it as an optional
    dimension of entries (``StockLedgerEntry.lot``); lot balances come with the lot features."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots", verbose_name=_("product"))
    number = models.CharField(_("batch number"), max_length=40)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="inventory_lot_product_number_uniq")]

    def __str__(self):
        return self.number


class StockBalance(models.Model):
    """Stock of one product in one warehouse: on hand (qty, value) and the quantities promised
    (reserved for confirmed sales) and expected (ordered on approved purchases). Quantities are
    in the product's stock unit. Invariant: qty and value equal the sums of the entries."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="balances", verbose_name=_("product"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="balances", verbose_name=_("warehouse")
    )
    qty = QuantityField(_("on hand"), default=Decimal("0"))
    value = MoneyField(_("value"), default=Decimal("0"))
    reserved_qty = QuantityField(_("reserved"), default=Decimal("0"))
    ordered_qty = QuantityField(_("ordered"), default=Decimal("0"))
    location = models.CharField(_("location"), max_length=40, blank=True, default="", db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="inventory_balance_product_warehouse_uniq"),
            models.CheckConstraint(
                condition=Q(reserved_qty__gte=0) & Q(ordered_qty__gte=0), name="inventory_balance_promises_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id}: {self.qty}"

    @property
    def available_qty(self) -> Decimal:
        return self.qty - self.reserved_qty

    @property
    def avg_cost(self) -> Decimal:
        return unit_cost(self.value / self.qty) if self.qty > 0 else Decimal("0")


class StockLedgerEntry(models.Model):
    """One movement of one product in one warehouse. Append-only: the database refuses UPDATE
    and DELETE (triggers in migration 0002). Ordered by ``id`` (posting order); ``date`` is the
    source document's business date."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    qty = QuantityField(_("quantity"))
    unit_cost = UnitCostField(_("unit cost"))
    value = MoneyField(_("value"))
    qty_after = QuantityField(_("quantity after"))
    value_after = MoneyField(_("value after"))
    source_type = models.CharField(_("source type"), max_length=40)
    source_id = models.BigIntegerField(_("source id"))
    source_number = models.CharField(_("source number"), max_length=32, db_index=True)
    source_line_id = models.BigIntegerField(_("source line"), null=True, blank=True)
    reversal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reversal of")
    )
    date = models.DateField(_("date"))
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("stock ledger entry")
        verbose_name_plural = _("stock ledger entries")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["product", "warehouse", "id"], name="inventory_sle_card_idx"),
            models.Index(fields=["source_type", "source_id"], name="inventory_sle_source_idx"),
            models.Index(fields=["date"], name="inventory_sle_date_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(qty=0), name="inventory_sle_qty_not_zero")]

    def __str__(self):
        return f"{self.source_number}: {self.qty} × {self.product_id}@{self.warehouse_id}"


class FifoLayer(models.Model):
    """What is left of one inbound entry of a FIFO product: consumed oldest first. The value
    left is kept to the cent, so the layers of a product × warehouse sum to its balance."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(StockLedgerEntry, on_delete=models.PROTECT, related_name="fifo_layer")
    unit_cost = UnitCostField()
    qty_remaining = QuantityField()
    value_remaining = MoneyField()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["product", "warehouse", "id"],
                condition=Q(qty_remaining__gt=0),
                name="inventory_fifo_open_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(qty_remaining__gte=0) & Q(value_remaining__gte=0), name="inventory_fifo_non_negative"
            )
        ]


class FifoConsumption(models.Model):
    """Which layers an outbound entry of a FIFO product took from, so a reversal puts the
    same quantities and values back into the same layers."""

    entry = models.ForeignKey(StockLedgerEntry, on_delete=models.PROTECT, related_name="+")
    layer = models.ForeignKey(FifoLayer, on_delete=models.PROTECT, related_name="+")
    qty = QuantityField()
    value = MoneyField()


# --- The warehouse's own documents ------------------------------------------------------------


class StockDocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


def stock_document_status():
    return models.CharField(
        _("status"),
        max_length=24,
        choices=StockDocumentStatus.choices,
        default=StockDocumentStatus.DRAFT,
        db_index=True,
    )


class AdjustmentReason(models.TextChoices):
    OPENING = "opening", _("Opening stock")
    FOUND = "found", _("Found")
    SCRAP = "scrap", _("Scrap")
    DAMAGE = "damage", _("Damage")
    GIFT = "gift", _("Gift")
    INTERNAL_USE = "internal_use", _("Internal use")
    OTHER = "other", _("Other")


class StockAdjustment(Document):
    """其他入库/其他出库: stock in or out for a reason (opening stock, scrap, damage...). Lines
    with a positive quantity come in at their unit cost; negative ones go out at the current cost."""

    number_prefix = "ADJ"

    status = stock_document_status()
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    reason = models.CharField(_("reason"), max_length=20, choices=AdjustmentReason.choices)

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        permissions = [("post_stockadjustment", _("Can post and cancel stock adjustments"))]


class StockAdjustmentLine(DocumentLine):
    document = models.ForeignKey(StockAdjustment, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    qty = QuantityField(_("quantity"), help_text=_("Positive: stock in; negative: stock out."))
    unit_cost = UnitCostField(_("unit cost"), null=True, blank=True, validators=non_negative())

    class Meta(DocumentLine.Meta):
        verbose_name = _("stock adjustment line")
        constraints = [models.CheckConstraint(condition=~Q(qty=0), name="inventory_adjline_qty_not_zero")]


class StockTransfer(Document):
    """调拨: goods from one warehouse to another, at the source's cost."""

    number_prefix = "TRF"

    status = stock_document_status()
    from_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("from warehouse")
    )
    to_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("to warehouse")
    )

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("stock transfer")
        verbose_name_plural = _("stock transfers")
        permissions = [("post_stocktransfer", _("Can post and cancel stock transfers"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=models.F("to_warehouse")),
                name="inventory_transfer_two_warehouses",
                violation_error_message=_("A transfer goes between two different warehouses."),
            )
        ]


class StockTransferLine(DocumentLine):
    document = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    qty = QuantityField(_("quantity"), validators=[MinValueValidator(Decimal("0.0001"))])

    class Meta(DocumentLine.Meta):
        verbose_name = _("stock transfer line")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="inventory_trfline_qty_positive")]


class StockCount(Document):
    """盘点: count a warehouse (or a category / location range of it). Each line's system
    quantity is snapshotted when it is counted; posting books counted − snapshot, so movements
    between counting and posting are neither lost nor doubled."""

    number_prefix = "CNT"

    status = stock_document_status()
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    location_from = models.CharField(_("location from"), max_length=40, blank=True, default="")
    location_to = models.CharField(_("location to"), max_length=40, blank=True, default="")

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        permissions = [("post_stockcount", _("Can post and cancel stock counts"))]


class StockCountLine(DocumentLine):
    document = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    counted_qty = QuantityField(_("counted"), null=True, blank=True, validators=non_negative())
    system_qty = QuantityField(_("system quantity"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(DocumentLine.Meta):
        verbose_name = _("stock count line")
        constraints = [
            models.UniqueConstraint(fields=["document", "product"], name="inventory_countline_one_per_product")
        ]

    @property
    def variance(self) -> Decimal | None:
        if self.counted_qty is None or self.system_qty is None:
            return None
        return self.counted_qty - self.system_qty
