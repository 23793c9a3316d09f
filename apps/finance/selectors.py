"""Reads of finance: who sees which open items (payables, receivables), payments and receipts,
and what is owed."""

from __future__ import annotations

from datetime import date as Date

from django.db.models import ExpressionWrapper, F, QuerySet
from django.utils import timezone

from apps.accounts.selectors import sees_all_customers
from apps.core.fields import MoneyField

from .models import CustomerReceipt, OpenItem, OpenItemStatus, Payable, Receivable, SupplierPayment


def with_outstanding(queryset: QuerySet) -> QuerySet:
    """Open items (payables or receivables) annotated with ``outstanding_amount`` (amount −
    paid − credited), for filtering and sorting in SQL."""
    return queryset.annotate(
        outstanding_amount=ExpressionWrapper(F("amount") - F("paid") - F("credited"), output_field=MoneyField())
    )


def is_overdue(item: OpenItem, today: Date | None = None) -> bool:
    """Open, something still owed, and due before today (the same rule as ``?overdue=true``)."""
    today = today or timezone.localdate()
    return item.status == OpenItemStatus.OPEN and item.outstanding > 0 and item.due_date < today


def days_overdue(item: OpenItem, today: Date | None = None) -> int:
    """Days since the due date of an overdue item; 0 for one that is not overdue."""
    today = today or timezone.localdate()
    return (today - item.due_date).days if is_overdue(item, today) else 0


def _own_customers(queryset: QuerySet, user) -> QuerySet:
    """A salesperson's share of a customer-side queryset: their own customers' rows only."""
    if sees_all_customers(user):
        return queryset
    return queryset.filter(customer__salesperson=user)


def payables_for(user) -> QuerySet[Payable]:
    """Payables ``user`` may read (the view_payable permission decides; no further scope)."""
    return with_outstanding(Payable.objects.select_related("supplier"))


def receivables_for(user) -> QuerySet[Receivable]:
    """Receivables ``user`` may read: every customer's for finance, management and customer
    service (the view_receivable permission decides who reads at all); a salesperson's own
    customers' only (as :func:`apps.customers.selectors.customers_for`)."""
    queryset = with_outstanding(Receivable.objects.select_related("customer", "customer__salesperson"))
    return _own_customers(queryset, user)


def supplier_payments_for(user) -> QuerySet[SupplierPayment]:
    return SupplierPayment.objects.select_related("supplier", "account", "created_by")


def customer_receipts_for(user) -> QuerySet[CustomerReceipt]:
    """Customer receipts ``user`` may read, scoped to their own customers like receivables."""
    return _own_customers(CustomerReceipt.objects.select_related("customer", "account", "created_by"), user)
