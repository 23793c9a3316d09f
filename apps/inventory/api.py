from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import CostFieldsMixin, DocumentViewSet, MasterDataViewSet, ReadOnlyViewSet

from . import document_selectors, selectors, services
from .document_filters import StockAdjustmentFilter, StockCountFilter, StockTransferFilter
from .filters import (
    CategoryFilter,
    ProductFilter,
    StockBalanceFilter,
    StockLedgerFilter,
    UnitFilter,
    WarehouseFilter,
)
from .models import (
    Category,
    Product,
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
    StockCount,
    StockCountLine,
    StockLedgerEntry,
    StockTransfer,
    StockTransferLine,
    Unit,
    Warehouse,
)


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "is_active"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]
        # Uniqueness of (parent, name) is checked by the model's constraint in the service.
        validators = []


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "decimals"]


class ProductSerializer(CostFieldsMixin, serializers.ModelSerializer):
    cost_fields = ("purchase_price",)
    unit = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Unit.objects.all(),
        label=_("unit"),
        help_text=_("The stock unit's name, e.g. 个 or 箱; it must exist in /api/v1/units/."),
    )
    barcode = serializers.CharField(
        max_length=64, allow_blank=True, allow_null=True, required=False, label=_("barcode")
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "spec",
            "unit",
            "category",
            "barcode",
            "purchase_price",
            "sale_price",
            "tax_rate",
            "safety_stock",
            "max_stock",
            "reorder_qty",
            "valuation_method",
            "is_active",
        ]

    def validate_barcode(self, value):
        value = (value or "").strip() or None
        if value is not None:
            clash = Product.objects.filter(barcode=value)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(_("This barcode is already used by another product."))
        return value


class WarehouseViewSet(MasterDataViewSet):
    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilter
    create_service = staticmethod(services.warehouse_create)
    update_service = staticmethod(services.warehouse_update)
    delete_service = staticmethod(services.warehouse_delete)
    instance_kwarg = "warehouse"


class CategoryViewSet(MasterDataViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    create_service = staticmethod(services.category_create)
    update_service = staticmethod(services.category_update)
    instance_kwarg = "category"


class UnitViewSet(MasterDataViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    create_service = staticmethod(services.unit_create)
    update_service = staticmethod(services.unit_update)
    instance_kwarg = "unit"


class ProductViewSet(MasterDataViewSet):
    """Products. ``?barcode=`` finds one by barcode (the scanner's lookup)."""

    queryset = Product.objects.select_related("unit")
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    instance_kwarg = "product"


# --- The warehouse's documents: stock adjustments, transfers, stock counts --------------------


class DocumentHeaderSerializer(serializers.ModelSerializer):
    """The fields every document shares (API.md, "Documents"); ``date`` defaults to today."""

    date = serializers.DateField(required=False, label=_("date"))
    created_by = serializers.PrimaryKeyRelatedField(read_only=True, label=_("created by"))

    COMMON = ["id", "number", "status", "date", "note", "created_by", "created_at"]

    class Meta:
        read_only_fields = ["number", "status", "created_at"]


class StockAdjustmentLineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), label=_("product"))
    unit_cost = serializers.DecimalField(
        max_digits=18,
        decimal_places=6,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        label=_("unit cost"),
        help_text=_(
            "For quantities above zero; empty = the current average cost in the warehouse, else the product's "
            "purchase price, filled in at posting. Stock going out leaves at its current cost, which is shown "
            "here once posted."
        ),
    )

    class Meta:
        model = StockAdjustmentLine
        fields = ["id", "product", "qty", "unit_cost"]


class StockAdjustmentSerializer(DocumentHeaderSerializer):
    lines = StockAdjustmentLineSerializer(many=True, label=_("lines"))

    class Meta(DocumentHeaderSerializer.Meta):
        model = StockAdjustment
        fields = [*DocumentHeaderSerializer.COMMON, "warehouse", "reason", "lines"]


class StockTransferLineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), label=_("product"))
    # No min_value here: the service says "the quantity must be more than zero" (one message
    # for the API and the pages).
    qty = serializers.DecimalField(max_digits=18, decimal_places=4, label=_("quantity"))

    class Meta:
        model = StockTransferLine
        fields = ["id", "product", "qty"]


class StockTransferSerializer(DocumentHeaderSerializer):
    lines = StockTransferLineSerializer(many=True, label=_("lines"))

    class Meta(DocumentHeaderSerializer.Meta):
        model = StockTransfer
        fields = [*DocumentHeaderSerializer.COMMON, "from_warehouse", "to_warehouse", "lines"]
        validators = []  # from ≠ to is the service's rule (a field message on to_warehouse)


class StockCountLineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), label=_("product"))
    counted_qty = serializers.DecimalField(
        max_digits=18, decimal_places=4, allow_null=True, required=False, label=_("counted")
    )
    variance = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        label=_("variance"),
        help_text=_("counted_qty − system_qty; null until the line is counted."),
    )

    class Meta:
        model = StockCountLine
        fields = ["id", "product", "counted_qty", "system_qty", "variance", "counted_at", "counted_by"]
        read_only_fields = ["system_qty", "counted_at", "counted_by"]
        extra_kwargs = {
            "system_qty": {"help_text": _("On hand when the line was counted (the snapshot); null until then.")}
        }


class StockCountSerializer(DocumentHeaderSerializer):
    lines = StockCountLineSerializer(
        many=True,
        required=False,
        label=_("lines"),
        help_text=_(
            "The count sheet. Sent lines set counted quantities (as if typed) and add products that are not "
            "on the sheet; they never remove lines."
        ),
    )
    include_products_without_stock = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        label=_("include products without stock"),
        help_text=_("When starting: also list the active products of the category that have no stock here."),
    )

    class Meta(DocumentHeaderSerializer.Meta):
        model = StockCount
        fields = [
            *DocumentHeaderSerializer.COMMON,
            "warehouse",
            "category",
            "location_from",
            "location_to",
            "include_products_without_stock",
            "lines",
        ]


class ScanSerializer(serializers.Serializer):
    barcode = serializers.CharField(max_length=64, label=_("barcode"), help_text=_("A barcode or SKU."))


class CountLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), label=_("product"))
    counted_qty = serializers.DecimalField(
        max_digits=18, decimal_places=4, allow_null=True, label=_("counted"), help_text=_("null clears the count.")
    )


class StockDocumentViewSet(DocumentViewSet):
    """Shared by the three warehouse documents: scoped lists and ``post``/``cancel`` actions."""

    post_service = None
    cancel_service = None

    def perform_create(self, serializer):
        serializer.instance = self.create_service(user=self.request.user, **self._service_data(serializer))

    def perform_update(self, serializer):
        serializer.instance = self.update_service(
            user=self.request.user, **{self.instance_kwarg: serializer.instance}, **self._service_data(serializer)
        )

    def _service_data(self, serializer) -> dict:
        data = dict(serializer.validated_data)
        if "lines" in data:
            data["lines"] = [dict(line) for line in data["lines"]]
        return data

    @action(detail=True, methods=["post"], url_path="post")
    def post_document(self, request, pk=None):
        """Post the draft (idempotent: posting a posted document changes nothing)."""
        return self.run_action(self.post_service)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_action(self.cancel_service)


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: book the lines into stock")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted adjustment")),
)
class StockAdjustmentViewSet(StockDocumentViewSet):
    """其他入库/其他出库. Positive lines bring stock in at their unit cost, negative lines take it out
    at the current cost. A clerk sees and writes only the adjustments of their warehouses."""

    serializer_class = StockAdjustmentSerializer
    filterset_class = StockAdjustmentFilter
    queryset = StockAdjustment.objects.none()  # for the permission class and the schema
    create_service = staticmethod(services.stock_adjustment_create)
    update_service = staticmethod(services.stock_adjustment_update)
    post_service = staticmethod(services.stock_adjustment_post)
    cancel_service = staticmethod(services.stock_adjustment_cancel)
    instance_kwarg = "adjustment"
    action_permissions = {
        "post_document": ["inventory.post_stockadjustment"],
        "cancel": ["inventory.post_stockadjustment"],
    }
    xlsx_filename = "stock-adjustments"

    def get_queryset(self):
        return document_selectors.stock_adjustments_for(self.request.user).prefetch_related("lines")


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: move the goods between the warehouses")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted transfer")),
)
class StockTransferViewSet(StockDocumentViewSet):
    """调拨 between two warehouses at the source's cost. The clerk needs both warehouses; a
    transfer is listed to the clerks of either side."""

    serializer_class = StockTransferSerializer
    filterset_class = StockTransferFilter
    queryset = StockTransfer.objects.none()
    create_service = staticmethod(services.stock_transfer_create)
    update_service = staticmethod(services.stock_transfer_update)
    post_service = staticmethod(services.stock_transfer_post)
    cancel_service = staticmethod(services.stock_transfer_cancel)
    instance_kwarg = "transfer"
    action_permissions = {
        "post_document": ["inventory.post_stocktransfer"],
        "cancel": ["inventory.post_stocktransfer"],
    }
    xlsx_filename = "stock-transfers"

    def get_queryset(self):
        return document_selectors.stock_transfers_for(self.request.user).prefetch_related("lines")


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post the variances (counted − snapshot)")),
    cancel=extend_schema(request=None, summary=_("Cancel a count before it is posted")),
    scan=extend_schema(request=ScanSerializer, summary=_("A barcode scan: one more of that product")),
    count=extend_schema(request=CountLineInputSerializer, summary=_("Set the counted quantity of a product")),
)
class StockCountViewSet(StockDocumentViewSet):
    """盘点. Starting a count lists the warehouse's products (optionally one category and/or a
    location range); counting snapshots each line's system quantity; posting books
    counted − snapshot."""

    serializer_class = StockCountSerializer
    filterset_class = StockCountFilter
    queryset = StockCount.objects.none()
    create_service = staticmethod(services.stock_count_create)
    update_service = staticmethod(services.stock_count_update)
    post_service = staticmethod(services.stock_count_post)
    cancel_service = staticmethod(services.stock_count_cancel)
    instance_kwarg = "count"
    action_permissions = {
        "post_document": ["inventory.post_stockcount"],
        "cancel": ["inventory.post_stockcount"],
        "scan": ["inventory.change_stockcount"],
        "count": ["inventory.change_stockcount"],
    }
    xlsx_filename = "stock-counts"

    def get_queryset(self):
        return document_selectors.stock_counts_for(self.request.user).prefetch_related("lines")

    def _service_data(self, serializer) -> dict:
        data = super()._service_data(serializer)
        if serializer.instance is not None:
            data.pop("include_products_without_stock", None)  # only when starting
        return data

    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """One more of the product with this barcode (or SKU); answers the whole count."""
        data = ScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._count_action(services.stock_count_scan, barcode=data.validated_data["barcode"])

    @action(detail=True, methods=["post"])
    def count(self, request, pk=None):
        """Set a product's counted quantity (typing a number); answers the whole count."""
        data = CountLineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._count_action(services.stock_count_set_line, **data.validated_data)

    def _count_action(self, service, **kwargs):
        count = self.get_object()
        service(count=count, user=self.request.user, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=count.pk)).data)


# --- Stock reads: balances and the ledger (read-only; selectors.stock_balances / stock_ledger) --


class StockBalanceSerializer(CostFieldsMixin, serializers.ModelSerializer):
    cost_fields = ("value", "avg_cost")
    sku = serializers.CharField(source="product.sku", read_only=True, label=_("SKU"))
    product_name = serializers.CharField(source="product.name", read_only=True, label=_("product name"))
    unit = serializers.CharField(source="product.unit.name", read_only=True, label=_("unit"))
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True, label=_("warehouse code"))
    avg_cost = serializers.DecimalField(max_digits=18, decimal_places=6, read_only=True, label=_("average cost"))
    available_qty = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True, label=_("available"))
    safety_stock = serializers.DecimalField(
        source="product.safety_stock", max_digits=18, decimal_places=4, read_only=True, label=_("safety stock")
    )

    class Meta:
        model = StockBalance
        fields = [
            "id",
            "product",
            "sku",
            "product_name",
            "unit",
            "warehouse",
            "warehouse_code",
            "location",
            "qty",
            "value",
            "avg_cost",
            "reserved_qty",
            "ordered_qty",
            "available_qty",
            "safety_stock",
            "updated_at",
        ]
        read_only_fields = fields


class StockLedgerEntrySerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True, label=_("SKU"))
    product_name = serializers.CharField(source="product.name", read_only=True, label=_("product name"))
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True, label=_("warehouse code"))
    username = serializers.CharField(source="user.username", read_only=True, label=_("username"))

    class Meta:
        model = StockLedgerEntry
        fields = [
            "id",
            "posted_at",
            "date",
            "product",
            "sku",
            "product_name",
            "warehouse",
            "warehouse_code",
            "qty",
            "unit_cost",
            "value",
            "qty_after",
            "value_after",
            "source_type",
            "source_id",
            "source_number",
            "source_line_id",
            "reversal_of",
            "user",
            "username",
        ]
        read_only_fields = fields


class StockBalanceViewSet(ReadOnlyViewSet):
    """库存余额: on hand, value, average cost, reserved, ordered and available per product ×
    warehouse, in the warehouses the user reads (a clerk: their own). Read-only: stock changes
    only through documents posted to the ledger."""

    serializer_class = StockBalanceSerializer
    filterset_class = StockBalanceFilter
    queryset = StockBalance.objects.none()  # for the permission class and the schema
    xlsx_filename = "stock-balances"

    def get_queryset(self):
        return selectors.stock_balances(user=self.request.user)


class StockLedgerViewSet(ReadOnlyViewSet):
    """The stock ledger (库存台账): every movement in posting order with the running balance
    after it and its source document, in the warehouses the user reads. Read-only."""

    serializer_class = StockLedgerEntrySerializer
    filterset_class = StockLedgerFilter
    queryset = StockLedgerEntry.objects.none()
    xlsx_filename = "stock-ledger"

    def get_queryset(self):
        return selectors.stock_ledger(user=self.request.user).order_by("id")
