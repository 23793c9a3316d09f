"""Filters of the open-item lists (payables, receivables), of the money documents that settle
them (supplier payments, customer receipts) and of the general ledger (chart of accounts,
journal entries, cash accounts, cash transfers, other income and expenses), shared by the API
and the pages."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.accounts.models import User
from apps.core.filters import ChoicesInFilter, SearchFilterSet, StrictBooleanFilter, ordering
from apps.customers.selectors import customers_for

from .models import (
    Account,
    CashAccount,
    CashTransfer,
    CustomerReceipt,
    JournalEntry,
    JournalLine,
    JournalStatus,
    MoneyCategory,
    MoneyDocument,
    MoneyLine,
    OpenItemStatus,
    Payable,
    PaymentStatus,
    Receivable,
    SupplierPayment,
)


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


# --- The general ledger: chart, journal entries, cash accounts, transfers, income/expenses -------


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.ModelChoiceFilter):
    """An object's id, applied by the filter's ``method`` (for the schema: an integer)."""


class AccountFilter(SearchFilterSet):
    """The chart of accounts: ``?kind=``, ``?is_active=``, ``?parent=``, ``?search=`` (code,
    Chinese or English name)."""

    search_fields = ("code", "name", "name_en")
    ordering = ordering("code", "name", "kind")

    class Meta:
        model = Account
        fields = ["kind", "is_active", "parent"]


class JournalEntryFilter(SearchFilterSet):
    """Journal entries: ``?date_from=``/``?date_to=`` (the entry's date, both ends included),
    ``?account=`` (entries with a line on that account or one of its sub-accounts),
    ``?source_type=``, ``?source_number=``, ``?status=``, ``?manual=true|false`` (written by
    finance by hand, or by a document) and ``?search=`` (number, memo or source number)."""

    search_fields = ("number", "memo", "source_number")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("date from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("date to"))
    status = ChoicesInFilter(field_name="status", lookup_expr="in", choices=JournalStatus.choices, label=_("status"))
    account = IdFilter(queryset=Account.objects.all(), method="filter_account", label=_("account"))
    manual = StrictBooleanFilter(method="filter_manual", label=_("manual"))
    source_number = filters.CharFilter(field_name="source_number", lookup_expr="iexact", label=_("source number"))
    ordering = ordering("number", "date", "status", "total", "created_at")

    class Meta:
        model = JournalEntry
        fields = ["status", "source_type", "source_number"]

    def filter_account(self, queryset, name, value):
        accounts = Account.objects.filter(Q(pk=value.pk) | Q(code__startswith=f"{value.code}."))
        return queryset.filter(pk__in=JournalLine.objects.filter(account__in=accounts).values("entry"))

    def filter_manual(self, queryset, name, value):
        return queryset.filter(source_type="") if value else queryset.exclude(source_type="")


class CashAccountFilter(SearchFilterSet):
    """Cash and bank accounts: ``?kind=cash|bank``, ``?is_active=``, ``?search=`` (code or name)."""

    search_fields = ("code", "name")
    ordering = ordering("code", "name", "balance")

    class Meta:
        model = CashAccount
        fields = ["kind", "is_active"]


class CashTransferFilter(SettlementFilter):
    """Cash transfers: ``?status=``, ``?date_from=``/``?date_to=``, ``?account=`` (either side),
    ``?from_account=``, ``?to_account=``, ``?search=`` (number or note)."""

    search_fields = ("number", "note")
    account = IdFilter(queryset=CashAccount.objects.all(), method="filter_account", label=_("account"))

    class Meta:
        model = CashTransfer
        fields = ["status", "from_account", "to_account"]

    def filter_account(self, queryset, name, value):
        return queryset.filter(Q(from_account=value) | Q(to_account=value))


class MoneyDocumentFilter(SettlementFilter):
    """Other income and expenses (收入单 / 支出单): ``?kind=income|expense``, ``?status=``,
    ``?date_from=``/``?date_to=``, ``?account=``, ``?category=`` (documents with a line of it),
    ``?search=`` (number, counterparty or note)."""

    search_fields = ("number", "counterparty", "note")
    category = IdFilter(queryset=MoneyCategory.objects.all(), method="filter_category", label=_("category"))
    ordering = ordering("number", "date", "status", "total", "created_at")

    class Meta:
        model = MoneyDocument
        fields = ["kind", "status", "account"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(pk__in=MoneyLine.objects.filter(category=value).values("document"))


class MoneyCategoryFilter(SearchFilterSet):
    """Income/expense categories: ``?kind=``, ``?is_active=``, ``?search=`` (name)."""

    search_fields = ("name", "name_en")
    ordering = ordering("kind", "name")

    class Meta:
        model = MoneyCategory
        fields = ["kind", "is_active", "account"]
