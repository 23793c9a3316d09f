"""The sales documents over the API (API.md, "Documents"): quotations (报价单), sales orders
(销售订单), deliveries (销售出库) and sales returns (销售退货 / 换货). Serializers only check the
shape of the input; the services in apps/sales/services.py apply the rules.

Scope: lists and details come from apps/sales/selectors.py (a salesperson: their own
customers' documents; a warehouse clerk: their warehouses'), so anything else is a 404; the
customer, warehouse, order, delivery and source lines a user writes must be ones they see (400
"does not exist" otherwise). Costs (unit cost, cost, total cost) are shown only to users with
``inventory.view_cost``."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.selectors import readable_warehouses
from apps.core.api import CostFieldsMixin, DocumentViewSet, ScopedRelatedField
from apps.customers.models import Customer
from apps.customers.selectors import customers_for
from apps.inventory.api import DocumentHeaderSerializer, StockDocumentViewSet
from apps.inventory.models import Product, Warehouse
from apps.purchasing.api import AMOUNTS, TOTALS, LineFromSourceSerializer, ReasonSerializer, _optional_decimal

from . import selectors, services
from .filters import DeliveryFilter, QuotationFilter, SalesOrderFilter, SalesReturnFilter
from .models import (
    Delivery,
    DeliveryLine,
    Quotation,
    QuotationLine,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    SalesReturn,
    SalesReturnLine,
)

COSTS = ("unit_cost", "cost_amount")


def _unit_price(help_text) -> serializers.DecimalField:
    return _optional_decimal(18, 6, _("unit price"), help_text)


def _lines_of(model, selector):
    """The lines of the documents ``selector(user)`` lets the user see (a source line field)."""
    return lambda user: model.objects.select_related("product").filter(document__in=selector(user))


class CustomerFieldsMixin(serializers.Serializer):
    """Customer and warehouse, each one the user may see, with their name and code beside the
    ids for people and Excel."""

    customer = ScopedRelatedField(scope=customers_for, queryset=Customer.objects.all(), label=_("customer"))
    warehouse = ScopedRelatedField(scope=readable_warehouses, queryset=Warehouse.objects.all(), label=_("warehouse"))
    customer_name = serializers.CharField(source="customer.name", read_only=True, label=_("customer name"))
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True, label=_("warehouse code"))

    PARTY = ["customer", "customer_name", "warehouse", "warehouse_code"]


class FromSourceFieldsMixin(CustomerFieldsMixin):
    """A document made against another (a delivery against an order, a return against a
    delivery) takes its customer and warehouse from it: then they may be omitted."""

    customer = ScopedRelatedField(
        scope=customers_for,
        queryset=Customer.objects.all(),
        required=False,
        label=_("customer"),
        help_text=_("Required without a source document; against one, the source's."),
    )
    warehouse = ScopedRelatedField(
        scope=readable_warehouses,
        queryset=Warehouse.objects.all(),
        required=False,
        label=_("warehouse"),
        help_text=_("Required without a source document; against one, the source's."),
    )


class PricedLineSerializer(serializers.ModelSerializer):
    """A line priced tax-exclusive: empty price and VAT rate are the product's."""

    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), label=_("product"))
    unit_price = _unit_price(_("Tax-exclusive; empty = the product's sale price."))

    FIELDS = ["id", "product", "qty", "unit_price", "tax_rate"]

    class Meta:
        extra_kwargs = {"tax_rate": {"help_text": _("A fraction (0.13 = 13% VAT); empty = the product's rate.")}}


# --- Quotations (报价单) ---------------------------------------------------------------------


class QuotationLineSerializer(PricedLineSerializer):
    class Meta(PricedLineSerializer.Meta):
        model = QuotationLine
        fields = [*PricedLineSerializer.FIELDS, *AMOUNTS]


class QuotationSerializer(CustomerFieldsMixin, DocumentHeaderSerializer):
    lines = QuotationLineSerializer(many=True, label=_("lines"))
    is_expired = serializers.BooleanField(read_only=True, label=_("expired"))

    class Meta(DocumentHeaderSerializer.Meta):
        model = Quotation
        fields = [
            *DocumentHeaderSerializer.COMMON,
            *CustomerFieldsMixin.PARTY,
            "valid_until",
            "is_expired",
            *TOTALS,
            "lines",
        ]


class ConvertSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, label=_("date"), help_text=_("The new order's date; empty = today."))


# --- Sales orders (销售订单) -----------------------------------------------------------------


class SalesOrderLineSerializer(PricedLineSerializer):
    open_qty = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        read_only=True,
        label=_("open"),
        help_text=_("Ordered − delivered: what is still to be delivered (and reserved while the order is open)."),
    )

    class Meta(PricedLineSerializer.Meta):
        model = SalesOrderLine
        fields = [*PricedLineSerializer.FIELDS, "delivered_qty", "open_qty", *AMOUNTS]


class CreditPositionSerializer(serializers.Serializer):
    """The figures of the credit check (services.credit_position), VAT included."""

    credit_limit = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, label=_("credit limit"), help_text=_("null: no limit.")
    )
    receivables = serializers.DecimalField(max_digits=18, decimal_places=2, label=_("open receivables"))
    open_orders = serializers.DecimalField(
        max_digits=18, decimal_places=2, label=_("confirmed undelivered orders"), help_text=_("Other than this one.")
    )
    order_total = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        label=_("this order"),
        help_text=_("A draft's total (what confirming adds); 0 once confirmed, as it is in open_orders then."),
    )
    exposure = serializers.DecimalField(max_digits=18, decimal_places=2, label=_("exposure"))
    available = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        label=_("available credit"),
        help_text=_("Limit − receivables − open orders; null without a limit."),
    )


class SalesOrderSerializer(CustomerFieldsMixin, DocumentHeaderSerializer):
    lines = SalesOrderLineSerializer(many=True, label=_("lines"))
    credit = serializers.SerializerMethodField(
        label=_("credit"),
        help_text=_("The customer's credit position (on the detail only, for users who may see the customer)."),
    )

    class Meta(DocumentHeaderSerializer.Meta):
        model = SalesOrder
        fields = [
            *DocumentHeaderSerializer.COMMON,
            *CustomerFieldsMixin.PARTY,
            "quotation",
            "delivery_date",
            "customer_reference",
            *TOTALS,
            "confirmed_by",
            "confirmed_at",
            "credit_override_reason",
            "credit_override_by",
            "closed_reason",
            "credit",
            "lines",
        ]
        read_only_fields = [*DocumentHeaderSerializer.Meta.read_only_fields, "quotation", "closed_reason"]

    def get_fields(self):
        fields = super().get_fields()
        if getattr(self.context.get("view"), "action", None) == "list":
            fields.pop("credit", None)  # one document's figures: not for every row of a list
        return fields

    @extend_schema_field(CreditPositionSerializer(allow_null=True))
    def get_credit(self, order: SalesOrder):
        """The position now: for a draft, with this order added (what confirming would check);
        once confirmed, its open part is among the open orders already."""
        request = self.context.get("request")
        if request is None or not customers_for(request.user).filter(pk=order.customer_id).exists():
            return None
        draft = order.status == SalesOrderStatus.DRAFT
        position = services.credit_position(order.customer, order=order if draft else None)
        return CreditPositionSerializer(position).data


class ConfirmSerializer(serializers.Serializer):
    override_reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        label=_("credit override reason"),
        help_text=_(
            "Confirm above the customer's credit limit (users who may override it; recorded on the order). "
            "Without it, an order above the limit is 409 credit_limit_exceeded."
        ),
    )


# --- Deliveries (销售出库) -------------------------------------------------------------------


class DeliveryLineSerializer(CostFieldsMixin, LineFromSourceSerializer):
    cost_fields = COSTS
    unit_price = _unit_price(_("Tax-exclusive; empty = the order line's price, else the product's sale price."))
    sales_order_line = ScopedRelatedField(
        scope=_lines_of(SalesOrderLine, selectors.sales_orders_for),
        queryset=SalesOrderLine.objects.all(),
        required=False,
        allow_null=True,
        label=_("sales order line"),
        help_text=_("The order line delivered (a line of the delivery's order); the product may then be omitted."),
    )

    class Meta:
        model = DeliveryLine
        fields = [*PricedLineSerializer.FIELDS, "sales_order_line", *COSTS, "returned_qty", *AMOUNTS]
        extra_kwargs = PricedLineSerializer.Meta.extra_kwargs


class DeliverySerializer(CostFieldsMixin, FromSourceFieldsMixin, DocumentHeaderSerializer):
    cost_fields = ("total_cost",)
    sales_order = ScopedRelatedField(
        scope=selectors.sales_orders_for,
        queryset=SalesOrder.objects.all(),
        required=False,
        allow_null=True,
        label=_("sales order"),
        help_text=_("Set when the delivery is created; it cannot change afterwards."),
    )
    lines = DeliveryLineSerializer(
        many=True,
        required=False,
        label=_("lines"),
        help_text=_("Omitted (or empty) with a sales order when creating: the order's open quantities."),
    )

    class Meta(DocumentHeaderSerializer.Meta):
        model = Delivery
        fields = [
            *DocumentHeaderSerializer.COMMON,
            *CustomerFieldsMixin.PARTY,
            "sales_order",
            "shipping_address",
            "replaces",
            *TOTALS,
            "total_cost",
            "lines",
        ]


# --- Sales returns and exchanges (销售退货 / 换货) ---------------------------------------------


class SalesReturnLineSerializer(CostFieldsMixin, LineFromSourceSerializer):
    cost_fields = COSTS
    unit_price = _unit_price(_("Tax-exclusive credit per unit. Against a delivery line: that line's price."))
    delivery_line = ScopedRelatedField(
        scope=_lines_of(DeliveryLine, selectors.deliveries_for),
        queryset=DeliveryLine.objects.all(),
        required=False,
        allow_null=True,
        label=_("delivery line"),
        help_text=_("The delivery line returned (required against a delivery); the product may then be omitted."),
    )

    class Meta:
        model = SalesReturnLine
        fields = [*PricedLineSerializer.FIELDS, "delivery_line", *COSTS, *AMOUNTS]
        extra_kwargs = PricedLineSerializer.Meta.extra_kwargs


class DocumentReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "number", "status"]
        read_only_fields = fields


class SalesReturnSerializer(CostFieldsMixin, FromSourceFieldsMixin, DocumentHeaderSerializer):
    cost_fields = ("total_cost",)
    delivery = ScopedRelatedField(
        scope=selectors.deliveries_for,
        queryset=Delivery.objects.all(),
        required=False,
        allow_null=True,
        label=_("delivery"),
        help_text=_("Set when the return is created; it cannot change afterwards."),
    )
    lines = SalesReturnLineSerializer(many=True, label=_("lines"))
    replacements = DocumentReferenceSerializer(
        many=True,
        read_only=True,
        label=_("replacement deliveries"),
        help_text=_("An exchange's replacement delivery, created as a draft when the return is posted."),
    )

    class Meta(DocumentHeaderSerializer.Meta):
        model = SalesReturn
        fields = [
            *DocumentHeaderSerializer.COMMON,
            *CustomerFieldsMixin.PARTY,
            "delivery",
            "reason",
            "reason_note",
            "is_exchange",
            "replacements",
            *TOTALS,
            "total_cost",
            "lines",
        ]


# --- Viewsets -----------------------------------------------------------------------------------


def _reason(request) -> str:
    data = ReasonSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data["reason"]


@extend_schema_view(
    send=extend_schema(request=None, summary=_("Send the draft to the customer (no longer edited)")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft or sent quotation")),
    convert=extend_schema(
        request=ConvertSerializer,
        responses={201: SalesOrderSerializer},
        summary=_("Convert into a draft sales order (while valid); answers the new order"),
    ),
)
class QuotationViewSet(DocumentViewSet):
    """报价单: draft → sent → converted (into a draft sales order with the same customer,
    warehouse, lines and prices, in one step) or cancelled. An expired quotation
    (``valid_until`` past) no longer converts: 409 ``invalid_state``. Salespeople see and write
    their own customers' quotations."""

    serializer_class = QuotationSerializer
    filterset_class = QuotationFilter
    queryset = Quotation.objects.none()  # for the permission class and the schema
    create_service = staticmethod(services.quotation_create)
    update_service = staticmethod(services.quotation_update)
    instance_kwarg = "quotation"
    action_permissions = {
        "send": ["sales.change_quotation"],
        "cancel": ["sales.change_quotation"],
        "convert": ["sales.change_quotation", "sales.add_salesorder"],
    }
    xlsx_filename = "quotations"

    def get_queryset(self):
        return selectors.quotations_for(self.request.user).prefetch_related("lines")

    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self.run_action(services.quotation_send)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_action(services.quotation_cancel)

    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        quotation = self.get_object()
        data = ConvertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.quotation_convert(quotation=quotation, user=request.user, **data.validated_data)
        order = selectors.sales_orders_for(request.user).prefetch_related("lines").get(pk=order.pk)
        body = SalesOrderSerializer(order, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    confirm=extend_schema(
        request=ConfirmSerializer, summary=_("Confirm: check the credit limit and reserve the stock")
    ),
    cancel=extend_schema(request=None, summary=_("Cancel an order nothing has been delivered against")),
    close=extend_schema(request=ReasonSerializer, summary=_("Close: what has not gone will not go")),
)
class SalesOrderViewSet(DocumentViewSet):
    """销售订单: draft → confirmed → partially delivered / delivered → closed, or cancelled.
    Confirming checks the customer's credit (409 ``credit_limit_exceeded`` with the figures,
    unless a user who may override it gives ``override_reason``) and reserves each line's
    quantity; cancelling and closing release what is still reserved. ``?open=true``: orders
    still to be delivered. The detail carries the customer's ``credit`` position."""

    serializer_class = SalesOrderSerializer
    filterset_class = SalesOrderFilter
    queryset = SalesOrder.objects.none()
    create_service = staticmethod(services.sales_order_create)
    update_service = staticmethod(services.sales_order_update)
    instance_kwarg = "order"
    action_permissions = {
        "confirm": ["sales.confirm_salesorder"],
        "cancel": ["sales.change_salesorder"],
        "close": ["sales.confirm_salesorder"],
    }
    xlsx_filename = "sales-orders"

    def get_queryset(self):
        return selectors.sales_orders_for(self.request.user).prefetch_related("lines")

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.run_action(services.sales_order_confirm, **data.validated_data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_action(services.sales_order_cancel)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.run_action(services.sales_order_close, reason=_reason(request))


@extend_schema_view(
    post_document=extend_schema(
        request=None,
        summary=_("Post: take the goods out of stock at cost, update the order and write the receivable"),
    ),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted delivery")),
)
class DeliveryViewSet(StockDocumentViewSet):
    """销售出库: goods out to a customer, against a confirmed sales order or not. The warehouse
    drafts and posts them (a clerk: in their warehouses). Delivering more than on hand is 409
    ``insufficient_stock``; more than an order line's open quantity, 409 ``over_delivery``."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    queryset = Delivery.objects.none()
    create_service = staticmethod(services.delivery_create)
    update_service = staticmethod(services.delivery_update)
    post_service = staticmethod(services.delivery_post)
    cancel_service = staticmethod(services.delivery_cancel)
    instance_kwarg = "delivery"
    action_permissions = {
        "post_document": ["sales.post_delivery"],
        "cancel": ["sales.post_delivery"],
    }
    xlsx_filename = "deliveries"

    def get_queryset(self):
        return selectors.deliveries_for(self.request.user).prefetch_related("lines")


@extend_schema_view(
    post_document=extend_schema(
        request=None, summary=_("Post: bring the goods back into stock and write the credit note")
    ),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted return")),
)
class SalesReturnViewSet(StockDocumentViewSet):
    """销售退货 / 换货: goods back from a customer, against a posted delivery (at its cost and
    prices; no more than delivered minus returned, else 409 ``over_return``) or not (at the
    current cost). ``is_exchange``: posting also drafts a replacement delivery
    (``replacements``). Customer service and the warehouse draft and post them."""

    serializer_class = SalesReturnSerializer
    filterset_class = SalesReturnFilter
    queryset = SalesReturn.objects.none()
    create_service = staticmethod(services.sales_return_create)
    update_service = staticmethod(services.sales_return_update)
    post_service = staticmethod(services.sales_return_post)
    cancel_service = staticmethod(services.sales_return_cancel)
    instance_kwarg = "sales_return"
    action_permissions = {
        "post_document": ["sales.post_salesreturn"],
        "cancel": ["sales.post_salesreturn"],
    }
    xlsx_filename = "sales-returns"

    def get_queryset(self):
        replacements = Delivery.objects.only("id", "number", "status", "replaces").order_by("id")
        return selectors.sales_returns_for(self.request.user).prefetch_related(
            "lines", Prefetch("replacements", queryset=replacements)
        )
