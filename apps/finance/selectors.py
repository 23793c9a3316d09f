"""Reads of finance: who sees which payables and payments, and what is owed."""

from __future__ import annotations

from django.db.models import ExpressionWrapper, F, QuerySet

from apps.core.fields import MoneyField

from .models import Payable, SupplierPayment


def with_outstanding(queryset: QuerySet[Payable]) -> QuerySet[Payable]:
    """Payables annotated with ``outstanding_amount`` (amount − paid − credited), for filtering
    and sorting in SQL."""
    return queryset.annotate(
        outstanding_amount=ExpressionWrapper(F("amount") - F("paid") - F("credited"), output_field=MoneyField())
    )


def payables_for(user) -> QuerySet[Payable]:
    """Payables ``user`` may read (the view_payable permission decides; no further scope)."""
    return with_outstanding(Payable.objects.select_related("supplier"))


def supplier_payments_for(user) -> QuerySet[SupplierPayment]:
    return SupplierPayment.objects.select_related("supplier", "account", "created_by")
