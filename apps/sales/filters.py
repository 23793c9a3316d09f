"""Filters of the quotation, sales order, delivery and sales return lists, shared by the API
and the pages: ``?status=`` (one status or several, comma-separated), ``?customer=``,
``?warehouse=``, ``?date_from=``/``?date_to=`` (the business date, both ends included),
``?search=`` (number, note or customer) and ``?ordering=``. Orders also answer ``?open=true``
(confirmed or partially delivered: still to be delivered)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.core.filters import ChoicesInFilter, StrictBooleanFilter, ordering
from apps.inventory.document_filters import StockDocumentFilter
from apps.inventory.models import StockDocumentStatus

from .models import (
    OPEN_ORDER_STATUSES,
    Delivery,
    Quotation,
    QuotationStatus,
    SalesOrder,
    SalesOrderStatus,
    SalesReturn,
)


def _status(choices) -> ChoicesInFilter:
    return ChoicesInFilter(field_name="status", lookup_expr="in", choices=choices, label=_("status"))


class SalesDocumentFilter(StockDocumentFilter):
    search_fields = ("number", "note", "customer__name", "customer__code")
    ordering = ordering("number", "date", "status", "created_at", "total")


class QuotationFilter(SalesDocumentFilter):
    status = _status(QuotationStatus.choices)
    ordering = ordering("number", "date", "valid_until", "status", "created_at", "total")

    class Meta:
        model = Quotation
        fields = ["status", "customer", "warehouse"]


class SalesOrderFilter(SalesDocumentFilter):
    status = _status(SalesOrderStatus.choices)
    open = StrictBooleanFilter(
        method="filter_open",
        label=_("open"),
        help_text=_("true: confirmed or partially delivered orders (something is still to be delivered)."),
    )
    search_fields = (*SalesDocumentFilter.search_fields, "customer_reference")
    ordering = ordering("number", "date", "delivery_date", "status", "created_at", "total")

    class Meta:
        model = SalesOrder
        fields = ["status", "customer", "warehouse", "quotation"]

    def filter_open(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=OPEN_ORDER_STATUSES)
        return queryset.exclude(status__in=OPEN_ORDER_STATUSES)


class DeliveryFilter(SalesDocumentFilter):
    status = _status(StockDocumentStatus.choices)
    search_fields = (*SalesDocumentFilter.search_fields, "sales_order__number", "shipping_address")

    class Meta:
        model = Delivery
        fields = ["status", "customer", "warehouse", "sales_order"]


class SalesReturnFilter(SalesDocumentFilter):
    status = _status(StockDocumentStatus.choices)
    reason = filters.ChoiceFilter(choices=SalesReturn.Reason.choices, label=_("reason"))
    search_fields = (*SalesDocumentFilter.search_fields, "reason_note", "delivery__number")

    class Meta:
        model = SalesReturn
        fields = ["status", "customer", "warehouse", "delivery", "reason", "is_exchange"]
