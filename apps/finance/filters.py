"""Filters of the payables and supplier payment lists, shared by the API and the pages."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.core.filters import ChoicesInFilter, SearchFilterSet, StrictBooleanFilter, ordering

from .models import OpenItemStatus, Payable, PaymentStatus, SupplierPayment


class PayableFilter(SearchFilterSet):
    """``?supplier=``, ``?status=open|paid|cancelled`` (comma-separated for several),
    ``?due_before=`` (due on or before that date), ``?overdue=true`` (open, something
    outstanding, due before today), ``?search=`` (source number or supplier) and
    ``?ordering=due_date|amount|outstanding`` (``-`` for descending). The queryset must carry
    ``outstanding_amount`` (apps.finance.selectors.payables_for)."""

    search_fields = ("source_number", "supplier__name", "supplier__code")
    status = ChoicesInFilter(field_name="status", lookup_expr="in", choices=OpenItemStatus.choices, label=_("status"))
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("due on or before"))
    due_from = filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("due on or after"))
    overdue = StrictBooleanFilter(method="filter_overdue", label=_("overdue"))
    ordering = filters.OrderingFilter(
        fields=(
            ("due_date", "due_date"),
            ("date", "date"),
            ("amount", "amount"),
            ("outstanding_amount", "outstanding"),
            ("source_number", "source_number"),
        ),
        label=_("Ordering"),
    )

    class Meta:
        model = Payable
        fields = ["supplier", "status", "source_type"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=OpenItemStatus.OPEN, outstanding_amount__gt=0, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class SupplierPaymentFilter(SearchFilterSet):
    search_fields = ("number", "note", "reference", "supplier__name", "supplier__code")
    status = ChoicesInFilter(field_name="status", lookup_expr="in", choices=PaymentStatus.choices, label=_("status"))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("date from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("date to"))
    ordering = ordering("number", "date", "status", "amount", "created_at")

    class Meta:
        model = SupplierPayment
        fields = ["status", "supplier", "account"]
