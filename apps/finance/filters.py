"""Filters of the open-item lists (payables, receivables) and of the money documents that
settle them (supplier payments, customer receipts), shared by the API and the pages."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.accounts.models import User
from apps.core.filters import ChoicesInFilter, SearchFilterSet, StrictBooleanFilter, ordering
from apps.customers.selectors import customers_for

from .models import CustomerReceipt, OpenItemStatus, Payable, PaymentStatus, Receivable, SupplierPayment


def _visible_customers(request):
    """The customers a filter may name: a salesperson's own (another's id is a 400, as if it
    did not exist), everyone's for the others."""
    if request is None:
        return customers_for(User(is_superuser=True))
    return customers_for(request.user)


class OpenItemFilter(SearchFilterSet):
    """``?status=open|paid|cancelled`` (comma-separated for several), ``?due_before=`` (due on
    or before that date), ``?due_from=``, ``?overdue=true`` (open, something outstanding, due
    before today), ``?search=`` (source number or partner) and
    ``?ordering=due_date|date|amount|outstanding|source_number`` (``-`` for descending). The
    queryset must carry ``outstanding_amount`` (apps.finance.selectors.with_outstanding)."""

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

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=OpenItemStatus.OPEN, outstanding_amount__gt=0, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class PayableFilter(OpenItemFilter):
    """Payables: the open-item filters and ``?supplier=``."""

    search_fields = ("source_number", "supplier__name", "supplier__code")

    class Meta:
        model = Payable
        fields = ["supplier", "status", "source_type"]


class ReceivableFilter(OpenItemFilter):
    """Receivables: the open-item filters, ``?customer=`` (a salesperson may name only their
    own customers) and ``?salesperson=`` (the customer's salesperson)."""

    search_fields = ("source_number", "customer__name", "customer__code")
    customer = filters.ModelChoiceFilter(queryset=_visible_customers, label=_("customer"))
    salesperson = filters.ModelChoiceFilter(
        field_name="customer__salesperson",
        queryset=User.objects.filter(customers__isnull=False).distinct(),
        label=_("salesperson"),
    )

    class Meta:
        model = Receivable
        fields = ["customer", "salesperson", "status", "source_type"]


class SettlementFilter(SearchFilterSet):
    """Supplier payments and customer receipts: ``?status=`` (comma-separated for several),
    ``?date_from=``/``?date_to=``, the partner and the account, ``?search=`` (number, note,
    reference or partner)."""

    status = ChoicesInFilter(field_name="status", lookup_expr="in", choices=PaymentStatus.choices, label=_("status"))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("date from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("date to"))
    ordering = ordering("number", "date", "status", "amount", "created_at")


class SupplierPaymentFilter(SettlementFilter):
    search_fields = ("number", "note", "reference", "supplier__name", "supplier__code")

    class Meta:
        model = SupplierPayment
        fields = ["status", "supplier", "account"]


class CustomerReceiptFilter(SettlementFilter):
    search_fields = ("number", "note", "reference", "customer__name", "customer__code")
    customer = filters.ModelChoiceFilter(queryset=_visible_customers, label=_("customer"))

    class Meta:
        model = CustomerReceipt
        fields = ["status", "customer", "account"]
