"""Finance over the API: the open items (payables 应付 and receivables 应收, read-only: written
by the documents that create and settle them) and the money documents that settle them
(supplier payments 付款单 and customer receipts 收款单, one :class:`SettlementViewSet` for
both). Serializers only check the shape of the input; apps/finance/services.py applies the rules."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from apps.core.api import ReadOnlyViewSet
from apps.inventory.api import DocumentHeaderSerializer, StockDocumentViewSet

from . import selectors, services
from .filters import CustomerReceiptFilter, PayableFilter, ReceivableFilter, SupplierPaymentFilter
from .models import (
    CashAccount,
    CustomerReceipt,
    CustomerReceiptAllocation,
    Payable,
    Receivable,
    SupplierPayment,
    SupplierPaymentAllocation,
)

# --- Open items: payables (应付) and receivables (应收) ---------------------------------------


class OpenItemSerializer(serializers.ModelSerializer):
    """What one document makes a partner owe: amount, paid, credited, outstanding and, while
    it is overdue, for how many days."""

    outstanding = serializers.DecimalField(
        source="outstanding_amount",
        max_digits=18,
        decimal_places=2,
        read_only=True,
        label=_("outstanding"),
        help_text=_("amount − paid − credited (negative on an open debit or credit note)."),
    )
    days_overdue = serializers.SerializerMethodField(
        label=_("days overdue"), help_text=_("Days past the due date while something is outstanding; else 0.")
    )

    ITEM_FIELDS = [
        "source_type",
        "source_id",
        "source_number",
        "date",
        "due_date",
        "amount",
        "paid",
        "credited",
        "outstanding",
        "status",
        "days_overdue",
    ]

    def get_days_overdue(self, item) -> int:
        if not hasattr(self, "_today"):
            self._today = timezone.localdate()
        return selectors.days_overdue(item, self._today)


class PayableSerializer(OpenItemSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, label=_("supplier name"))

    class Meta:
        model = Payable
        fields = ["id", "supplier", "supplier_name", *OpenItemSerializer.ITEM_FIELDS]
        read_only_fields = fields


class ReceivableSerializer(OpenItemSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True, label=_("customer name"))
    salesperson = serializers.PrimaryKeyRelatedField(
        source="customer.salesperson", read_only=True, label=_("salesperson")
    )

    class Meta:
        model = Receivable
        fields = ["id", "customer", "customer_name", "salesperson", *OpenItemSerializer.ITEM_FIELDS]
        read_only_fields = fields


class OpenItemViewSet(ReadOnlyViewSet):
    """Read-only open items of the user's scope (``selector``)."""

    selector = None

    def get_queryset(self):
        return self.selector(self.request.user)


class PayableViewSet(OpenItemViewSet):
    """应付: what is owed to each supplier, one item per posted receipt (a posted return writes
    a negative item, a debit note, that settles the receipt's payable first). Read by finance,
    purchasing and management. ``?overdue=true``: open items due before today."""

    serializer_class = PayableSerializer
    filterset_class = PayableFilter
    queryset = Payable.objects.none()  # for the permission class and the schema
    selector = staticmethod(selectors.payables_for)
    xlsx_filename = "payables"


class ReceivableViewSet(OpenItemViewSet):
    """应收: what each customer owes, one item per posted delivery (a posted sales return writes
    a negative item, a credit note, that settles the delivery's receivable first). Read by
    finance, management and customer service; a salesperson reads their own customers' only.
    ``?overdue=true``: open items due before today."""

    serializer_class = ReceivableSerializer
    filterset_class = ReceivableFilter
    queryset = Receivable.objects.none()
    selector = staticmethod(selectors.receivables_for)
    xlsx_filename = "receivables"


# --- Money documents: supplier payments (付款单) and customer receipts (收款单) ------------------


class PaymentAllocationSerializer(serializers.ModelSerializer):
    source_number = serializers.CharField(source="payable.source_number", read_only=True, label=_("source number"))

    class Meta:
        model = SupplierPaymentAllocation
        fields = ["payable", "source_number", "amount"]
        extra_kwargs = {"payable": {"queryset": Payable.objects.select_related("supplier")}}


class ReceiptAllocationSerializer(serializers.ModelSerializer):
    source_number = serializers.CharField(source="receivable.source_number", read_only=True, label=_("source number"))

    class Meta:
        model = CustomerReceiptAllocation
        fields = ["receivable", "source_number", "amount"]
        extra_kwargs = {"receivable": {"queryset": Receivable.objects.select_related("customer")}}


class SettlementSerializer(DocumentHeaderSerializer):
    """The header every payment and receipt shares: amount, account, reference; subclasses add
    the partner and the allocations."""

    account = serializers.PrimaryKeyRelatedField(
        queryset=CashAccount.objects.all(),
        required=False,
        allow_null=True,
        label=_("account"),
        help_text=_("The cash/bank account paid from or into; empty = the default account."),
    )

    @staticmethod
    def fields_with(partner: str) -> list[str]:
        return [
            *DocumentHeaderSerializer.COMMON,
            partner,
            f"{partner}_name",
            "amount",
            "account",
            "reference",
            "allocations",
        ]


class SupplierPaymentSerializer(SettlementSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, label=_("supplier name"))
    allocations = PaymentAllocationSerializer(
        many=True,
        required=False,
        label=_("allocations"),
        help_text=_(
            "The payables to settle and how much of each; what they leave is allocated oldest due first at "
            "posting (empty = all oldest first). Once posted: the allocations made."
        ),
    )

    class Meta(DocumentHeaderSerializer.Meta):
        model = SupplierPayment
        fields = SettlementSerializer.fields_with("supplier")


class CustomerReceiptSerializer(SettlementSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True, label=_("customer name"))
    allocations = ReceiptAllocationSerializer(
        many=True,
        required=False,
        label=_("allocations"),
        help_text=_(
            "The receivables to settle and how much of each; what they leave is allocated oldest due first at "
            "posting (empty = all oldest first). Once posted: the allocations made."
        ),
    )

    class Meta(DocumentHeaderSerializer.Meta):
        model = CustomerReceipt
        fields = SettlementSerializer.fields_with("customer")


class SettlementViewSet(StockDocumentViewSet):
    """A money document settling one partner's open items (``settlement``: services.PAYMENTS
    or RECEIPTS): drafts with requested allocations, ``post`` allocates (the rest oldest due
    first; settling more than is owed is 409 ``over_allocation``), ``cancel`` gives the amounts
    back. Posting and cancelling need ``<app>.post_<model>``."""

    settlement: services.Settlement
    selector = None

    @property
    def action_permissions(self) -> dict[str, list[str]]:
        model = self.settlement.model
        permission = f"{model._meta.app_label}.post_{model._meta.model_name}"
        return {"post_document": [permission], "cancel": [permission]}

    def get_queryset(self):
        item = self.settlement.item
        allocations = self.settlement.allocation.objects.select_related(item).order_by("id")
        return self.selector(self.request.user).prefetch_related(Prefetch("allocations", queryset=allocations))

    def _service_data(self, serializer) -> dict:
        data = dict(serializer.validated_data)
        if "allocations" in data:
            data["allocations"] = [dict(allocation) for allocation in data["allocations"]]
        return data


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: allocate the payment and settle the payables")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or undo a posted payment's allocations")),
)
class SupplierPaymentViewSet(SettlementViewSet):
    """付款单: money paid to a supplier, allocated to its payables (explicitly, the rest oldest
    due first). Paying more than is owed is 409 ``over_allocation``."""

    settlement = services.PAYMENTS
    queryset = SupplierPayment.objects.none()  # for the permission class and the schema
    serializer_class = SupplierPaymentSerializer
    filterset_class = SupplierPaymentFilter
    selector = staticmethod(selectors.supplier_payments_for)
    create_service = staticmethod(services.supplier_payment_create)
    update_service = staticmethod(services.supplier_payment_update)
    post_service = staticmethod(services.supplier_payment_post)
    cancel_service = staticmethod(services.supplier_payment_cancel)
    instance_kwarg = "payment"
    xlsx_filename = "supplier-payments"


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: allocate the receipt and settle the receivables")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or undo a posted receipt's allocations")),
)
class CustomerReceiptViewSet(SettlementViewSet):
    """收款单: money received from a customer, allocated to its receivables (explicitly, the rest
    oldest due first). Receiving more than the customer owes is 409 ``over_allocation``."""

    settlement = services.RECEIPTS
    queryset = CustomerReceipt.objects.none()
    serializer_class = CustomerReceiptSerializer
    filterset_class = CustomerReceiptFilter
    selector = staticmethod(selectors.customer_receipts_for)
    create_service = staticmethod(services.customer_receipt_create)
    update_service = staticmethod(services.customer_receipt_update)
    post_service = staticmethod(services.customer_receipt_post)
    cancel_service = staticmethod(services.customer_receipt_cancel)
    instance_kwarg = "receipt"
    xlsx_filename = "customer-receipts"
