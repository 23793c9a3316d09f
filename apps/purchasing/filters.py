"""Filters of the purchase order, receipt and return lists, shared by the API and the pages:
``?status=`` (one status or several, comma-separated), ``?supplier=``, ``?warehouse=``,
``?date_from=``/``?date_to=`` (the business date, both ends included), ``?search=`` (number,
note or supplier) and ``?ordering=``. Orders also answer ``?awaiting_approval=true``."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.core.filters import ChoicesInFilter, SearchFilterSet, StrictBooleanFilter, ordering
from apps.inventory.models import StockDocumentStatus

from . import services
from .models import PurchaseOrder, PurchaseOrderStatus, PurchaseReceipt, PurchaseReturn


class PurchaseDocumentFilter(SearchFilterSet):
    search_fields = ("number", "note", "supplier__name", "supplier__code")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("date from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("date to"))
    ordering = ordering("number", "date", "status", "created_at", "total")


class PurchaseOrderFilter(PurchaseDocumentFilter):
    status = ChoicesInFilter(
        field_name="status", lookup_expr="in", choices=PurchaseOrderStatus.choices, label=_("status")
    )
    awaiting_approval = StrictBooleanFilter(
        method="filter_awaiting_approval",
        label=_("awaiting my approval"),
        help_text=_(
            "true: submitted orders the user may approve (not their own; above the threshold only for "
            "those who approve large orders)."
        ),
    )
    ordering = ordering("number", "date", "expected_date", "status", "created_at", "total")

    class Meta:
        model = PurchaseOrder
        fields = ["status", "supplier", "warehouse"]

    def filter_awaiting_approval(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        waiting = Q(status=PurchaseOrderStatus.SUBMITTED)
        if user is None or not user.has_perm("purchasing.approve_purchaseorder"):
            return queryset.none() if value else queryset
        waiting &= ~Q(created_by=user)
        if not user.has_perm(services.APPROVE_LARGE):
            waiting &= Q(total__lte=services.approval_threshold())
        return queryset.filter(waiting) if value else queryset.exclude(waiting)


class PurchaseReceiptFilter(PurchaseDocumentFilter):
    status = ChoicesInFilter(
        field_name="status", lookup_expr="in", choices=StockDocumentStatus.choices, label=_("status")
    )
    search_fields = (*PurchaseDocumentFilter.search_fields, "supplier_reference", "purchase_order__number")

    class Meta:
        model = PurchaseReceipt
        fields = ["status", "supplier", "warehouse", "purchase_order"]


class PurchaseReturnFilter(PurchaseDocumentFilter):
    status = ChoicesInFilter(
        field_name="status", lookup_expr="in", choices=StockDocumentStatus.choices, label=_("status")
    )
    search_fields = (*PurchaseDocumentFilter.search_fields, "reason", "purchase_receipt__number")

    class Meta:
        model = PurchaseReturn
        fields = ["status", "supplier", "warehouse", "purchase_receipt"]
