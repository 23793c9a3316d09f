"""Finance over the API: payables (应付, read-only: written by the documents that create and
settle them) and supplier payments (付款单). Serializers only check the shape of the input;
apps/finance/services.py applies the rules."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from apps.core.api import ReadOnlyViewSet
from apps.inventory.api import DocumentHeaderSerializer, StockDocumentViewSet

from . import selectors, services
from .filters import PayableFilter, SupplierPaymentFilter
from .models import CashAccount, Payable, SupplierPayment, SupplierPaymentAllocation


class PayableSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, label=_("supplier name"))
    outstanding = serializers.DecimalField(
        source="outstanding_amount",
        max_digits=18,
        decimal_places=2,
        read_only=True,
        label=_("outstanding"),
        help_text=_("amount − paid − credited (negative on an open debit note)."),
    )

    class Meta:
        model = Payable
        fields = [
            "id",
            "supplier",
            "supplier_name",
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
        ]
        read_only_fields = fields


class PayableViewSet(ReadOnlyViewSet):
    """应付: what is owed to each supplier, one item per posted receipt (a posted return writes
    a negative item, a debit note, that settles the receipt's payable first). Read by finance,
    purchasing and management. ``?overdue=true``: open items due before today."""

    serializer_class = PayableSerializer
    filterset_class = PayableFilter
    queryset = Payable.objects.none()  # for the permission class and the schema
    xlsx_filename = "payables"

    def get_queryset(self):
        return selectors.payables_for(self.request.user)


class AllocationSerializer(serializers.ModelSerializer):
    source_number = serializers.CharField(source="payable.source_number", read_only=True, label=_("source number"))

    class Meta:
        model = SupplierPaymentAllocation
        fields = ["payable", "source_number", "amount"]
        extra_kwargs = {"payable": {"queryset": Payable.objects.select_related("supplier")}}


class SupplierPaymentSerializer(DocumentHeaderSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, label=_("supplier name"))
    account = serializers.PrimaryKeyRelatedField(
        queryset=CashAccount.objects.all(),
        required=False,
        allow_null=True,
        label=_("account"),
        help_text=_("The cash/bank account paid from; empty = the default account."),
    )
    allocations = AllocationSerializer(
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
        fields = [
            *DocumentHeaderSerializer.COMMON,
            "supplier",
            "supplier_name",
            "amount",
            "account",
            "reference",
            "allocations",
        ]


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: allocate the payment and settle the payables")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or undo a posted payment's allocations")),
)
class SupplierPaymentViewSet(StockDocumentViewSet):
    """付款单: money paid to a supplier, allocated to its payables (explicitly, the rest oldest
    due first). Paying more than is owed is 409 ``over_allocation``."""

    serializer_class = SupplierPaymentSerializer
    filterset_class = SupplierPaymentFilter
    queryset = SupplierPayment.objects.none()
    create_service = staticmethod(services.supplier_payment_create)
    update_service = staticmethod(services.supplier_payment_update)
    post_service = staticmethod(services.supplier_payment_post)
    cancel_service = staticmethod(services.supplier_payment_cancel)
    instance_kwarg = "payment"
    action_permissions = {
        "post_document": ["finance.post_supplierpayment"],
        "cancel": ["finance.post_supplierpayment"],
    }
    xlsx_filename = "supplier-payments"

    def get_queryset(self):
        allocations = SupplierPaymentAllocation.objects.select_related("payable").order_by("id")
        return selectors.supplier_payments_for(self.request.user).prefetch_related(
            Prefetch("allocations", queryset=allocations)
        )

    def _service_data(self, serializer) -> dict:
        data = dict(serializer.validated_data)
        if "allocations" in data:
            data["allocations"] = [dict(allocation) for allocation in data["allocations"]]
        return data
