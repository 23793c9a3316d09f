"""The purchasing documents over the API (API.md, "Documents"): purchase orders (采购订单),
purchase receipts (采购入库) and purchase returns (采购退货). Serializers only check the shape of
the input; the services in apps/purchasing/services.py apply the rules."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action

from apps.core.api import DocumentViewSet
from apps.inventory.api import DocumentHeaderSerializer, StockDocumentViewSet
from apps.inventory.models import Product, Warehouse
from apps.suppliers.models import Supplier

from . import selectors, services
from .filters import PurchaseOrderFilter, PurchaseReceiptFilter, PurchaseReturnFilter
from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturn,
    PurchaseReturnLine,
)

AMOUNTS = ["net_amount", "tax_amount"]
TOTALS = ["total_net", "total_tax", "total"]


def _optional_decimal(max_digits, decimal_places, label, help_text):
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=decimal_places,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        label=label,
        help_text=help_text,
    )


class PartyFieldsMixin(serializers.Serializer):
    """Supplier and warehouse codes and names beside their ids, for people and Excel."""

    supplier_name = serializers.CharField(source="supplier.name", read_only=True, label=_("supplier name"))
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True, label=_("warehouse code"))

    PARTY = ["supplier", "supplier_name", "warehouse", "warehouse_code"]


class LineFromSourceSerializer(serializers.ModelSerializer):
    """A line that may name only its source line (an order or receipt line): an empty product
    is filled in by the service from that line."""

    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True, label=_("product")
    )

    def validate(self, attrs):
        if attrs.get("product") is None:
            attrs.pop("product", None)
        return attrs


# --- Purchase orders ------------------------------------------------------------------------


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), label=_("product"))
    unit_price = _optional_decimal(18, 6, _("unit price"), _("Tax-exclusive; empty = the product's purchase price."))

    class Meta:
        model = PurchaseOrderLine
        fields = ["id", "product", "qty", "unit_price", "tax_rate", "received_qty", *AMOUNTS]
        extra_kwargs = {"tax_rate": {"help_text": _("A fraction (0.13 = 13% VAT); empty = the default rate.")}}


class PurchaseOrderSerializer(PartyFieldsMixin, DocumentHeaderSerializer):
    lines = PurchaseOrderLineSerializer(many=True, label=_("lines"))

    class Meta(DocumentHeaderSerializer.Meta):
        model = PurchaseOrder
        fields = [
            *DocumentHeaderSerializer.COMMON,
            *PartyFieldsMixin.PARTY,
            "expected_date",
            *TOTALS,
            "submitted_at",
            "approved_by",
            "approved_at",
            "closed_reason",
            "lines",
        ]
        read_only_fields = [*DocumentHeaderSerializer.Meta.read_only_fields, "closed_reason"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label=_("reason"))


@extend_schema_view(
    submit=extend_schema(request=None, summary=_("Submit the draft for approval")),
    approve=extend_schema(request=None, summary=_("Approve a submitted order (not one's own)")),
    reject=extend_schema(request=ReasonSerializer, summary=_("Send a submitted order back to draft")),
    cancel=extend_schema(request=None, summary=_("Cancel an order nothing has been received against")),
    close=extend_schema(request=ReasonSerializer, summary=_("Close: what has not come will not come")),
)
class PurchaseOrderViewSet(DocumentViewSet):
    """采购订单: draft → submitted → approved → partially received / received → closed, or
    cancelled. Buyers draft and submit; another buyer (or management above the approval
    threshold) approves; nobody approves their own order (409 ``self_approval``).
    ``?awaiting_approval=true`` lists the submitted orders the user may approve."""

    serializer_class = PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilter
    queryset = PurchaseOrder.objects.none()  # for the permission class and the schema
    create_service = staticmethod(services.purchase_order_create)
    update_service = staticmethod(services.purchase_order_update)
    instance_kwarg = "order"
    action_permissions = {
        "submit": ["purchasing.change_purchaseorder"],
        "approve": ["purchasing.approve_purchaseorder"],
        "reject": ["purchasing.approve_purchaseorder"],
        "cancel": ["purchasing.change_purchaseorder"],
        "close": ["purchasing.change_purchaseorder"],
    }
    xlsx_filename = "purchase-orders"

    def get_queryset(self):
        return selectors.purchase_orders_for(self.request.user).prefetch_related("lines")

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.run_action(services.purchase_order_submit)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.run_action(services.purchase_order_approve)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.run_action(services.purchase_order_reject, reason=self._reason())

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_action(services.purchase_order_cancel)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.run_action(services.purchase_order_close, reason=self._reason())

    def _reason(self) -> str:
        data = ReasonSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["reason"]


# --- Purchase receipts ----------------------------------------------------------------------


class PurchaseReceiptLineSerializer(LineFromSourceSerializer):
    unit_cost = _optional_decimal(
        18,
        6,
        _("unit cost"),
        _("Tax-exclusive; empty = the order line's price, else the product's purchase price."),
    )
    purchase_order_line = serializers.PrimaryKeyRelatedField(
        queryset=PurchaseOrderLine.objects.select_related("product"),
        required=False,
        allow_null=True,
        label=_("purchase order line"),
        help_text=_("The order line received (a line of the receipt's order); the product may then be omitted."),
    )

    class Meta:
        model = PurchaseReceiptLine
        fields = [
            "id",
            "product",
            "qty",
            "unit_cost",
            "tax_rate",
            "purchase_order_line",
            "returned_qty",
            *AMOUNTS,
        ]


class PurchaseReceiptSerializer(PartyFieldsMixin, DocumentHeaderSerializer):
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(),
        required=False,
        label=_("supplier"),
        help_text=_("Required without a purchase order; against one, the order's."),
    )
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(),
        required=False,
        label=_("warehouse"),
        help_text=_("Required without a purchase order; against one, the order's."),
    )
    purchase_order = serializers.PrimaryKeyRelatedField(
        queryset=PurchaseOrder.objects.select_related("supplier", "warehouse"),
        required=False,
        allow_null=True,
        label=_("purchase order"),
        help_text=_("Set when the receipt is created; it cannot change afterwards."),
    )
    lines = PurchaseReceiptLineSerializer(
        many=True,
        required=False,
        label=_("lines"),
        help_text=_("Omitted (or empty) with a purchase order when creating: the order's open quantities."),
    )

    class Meta(DocumentHeaderSerializer.Meta):
        model = PurchaseReceipt
        fields = [
            *DocumentHeaderSerializer.COMMON,
            *PartyFieldsMixin.PARTY,
            "purchase_order",
            "supplier_reference",
            *TOTALS,
            "lines",
        ]


class PurchaseReturnLineSerializer(LineFromSourceSerializer):
    unit_cost = _optional_decimal(
        18,
        6,
        _("unit cost"),
        _("The credit per unit. Against a receipt line: that line's cost. Otherwise empty = the current cost."),
    )
    purchase_receipt_line = serializers.PrimaryKeyRelatedField(
        queryset=PurchaseReceiptLine.objects.select_related("product"),
        required=False,
        allow_null=True,
        label=_("purchase receipt line"),
        help_text=_("The receipt line returned (required against a receipt); the product may then be omitted."),
    )

    class Meta:
        model = PurchaseReturnLine
        fields = [
            "id",
            "product",
            "qty",
            "unit_cost",
            "tax_rate",
            "purchase_receipt_line",
            "stock_value",
            *AMOUNTS,
        ]


class PurchaseReturnSerializer(PartyFieldsMixin, DocumentHeaderSerializer):
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(),
        required=False,
        label=_("supplier"),
        help_text=_("Required without a receipt; against one, the receipt's."),
    )
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(),
        required=False,
        label=_("warehouse"),
        help_text=_("Required without a receipt; against one, the receipt's."),
    )
    purchase_receipt = serializers.PrimaryKeyRelatedField(
        queryset=PurchaseReceipt.objects.select_related("supplier", "warehouse"),
        required=False,
        allow_null=True,
        label=_("purchase receipt"),
        help_text=_("Set when the return is created; it cannot change afterwards."),
    )
    lines = PurchaseReturnLineSerializer(many=True, label=_("lines"))

    class Meta(DocumentHeaderSerializer.Meta):
        model = PurchaseReturn
        fields = [
            *DocumentHeaderSerializer.COMMON,
            *PartyFieldsMixin.PARTY,
            "purchase_receipt",
            "reason",
            *TOTALS,
            "lines",
        ]


@extend_schema_view(
    post_document=extend_schema(
        request=None, summary=_("Post: book the goods into stock, update the order and write the payable")
    ),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted receipt")),
)
class PurchaseReceiptViewSet(StockDocumentViewSet):
    """采购入库: goods in from a supplier, against an approved purchase order or not. A clerk
    sees and writes only the receipts of their warehouses. Receiving more than an order line's
    open quantity (plus the tolerance) is 409 ``over_receipt``."""

    serializer_class = PurchaseReceiptSerializer
    filterset_class = PurchaseReceiptFilter
    queryset = PurchaseReceipt.objects.none()
    create_service = staticmethod(services.purchase_receipt_create)
    update_service = staticmethod(services.purchase_receipt_update)
    post_service = staticmethod(services.purchase_receipt_post)
    cancel_service = staticmethod(services.purchase_receipt_cancel)
    instance_kwarg = "receipt"
    action_permissions = {
        "post_document": ["purchasing.post_purchasereceipt"],
        "cancel": ["purchasing.post_purchasereceipt"],
    }
    xlsx_filename = "purchase-receipts"

    def get_queryset(self):
        return selectors.purchase_receipts_for(self.request.user).prefetch_related("lines")


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: take the goods out of stock and write the debit note")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted return")),
)
class PurchaseReturnViewSet(StockDocumentViewSet):
    """采购退货: goods back to a supplier, against a posted receipt (at its cost; no more than
    received minus returned, else 409 ``over_return``) or not (at the current cost)."""

    serializer_class = PurchaseReturnSerializer
    filterset_class = PurchaseReturnFilter
    queryset = PurchaseReturn.objects.none()
    create_service = staticmethod(services.purchase_return_create)
    update_service = staticmethod(services.purchase_return_update)
    post_service = staticmethod(services.purchase_return_post)
    cancel_service = staticmethod(services.purchase_return_cancel)
    instance_kwarg = "purchase_return"
    action_permissions = {
        "post_document": ["purchasing.post_purchasereturn"],
        "cancel": ["purchasing.post_purchasereturn"],
    }
    xlsx_filename = "purchase-returns"

    def get_queryset(self):
        return selectors.purchase_returns_for(self.request.user).prefetch_related("lines")
