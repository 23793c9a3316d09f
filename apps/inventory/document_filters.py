"""Filters of the stock adjustment, transfer and count lists, shared by the API and the pages:
``?status=``, ``?warehouse=`` (a transfer matches on either side), ``?date_from=``/``?date_to=``
(the business date, both ends included), ``?search=`` (number or note) and ``?ordering=``."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.core.filters import SearchFilterSet, ordering

from .models import StockAdjustment, StockCount, StockTransfer, Warehouse


class StockDocumentFilter(SearchFilterSet):
    search_fields = ("number", "note")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("date from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("date to"))
    ordering = ordering("number", "date", "status", "created_at")


class StockAdjustmentFilter(StockDocumentFilter):
    class Meta:
        model = StockAdjustment
        fields = ["status", "warehouse", "reason"]


@extend_schema_field(OpenApiTypes.INT)
class EitherWarehouseFilter(filters.ModelChoiceFilter):
    """A warehouse id matching a transfer on either side."""


class StockTransferFilter(StockDocumentFilter):
    warehouse = EitherWarehouseFilter(queryset=Warehouse.objects.all(), method="filter_warehouse", label=_("warehouse"))

    class Meta:
        model = StockTransfer
        fields = ["status", "warehouse", "from_warehouse", "to_warehouse"]

    def filter_warehouse(self, queryset, name, value):
        """Transfers out of or into the warehouse."""
        return queryset.filter(Q(from_warehouse=value) | Q(to_warehouse=value))


class StockCountFilter(StockDocumentFilter):
    class Meta:
        model = StockCount
        fields = ["status", "warehouse", "category"]
