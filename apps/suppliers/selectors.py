"""Reads about one supplier for its page: the products it sells us, its recent documents and its
performance (computed from the posted documents by ``apps.purchasing.reports``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from apps.finance.payables import supplier_balance
from apps.finance.selectors import supplier_payments_for
from apps.purchasing.reports import supplier_performance
from apps.purchasing.selectors import purchase_orders_for, purchase_receipts_for, purchase_returns_for

from .models import Supplier, SupplierProduct

HISTORY_ROWS = 10
RECENT_DAYS = 90


def supplier_products(*, supplier: Supplier) -> QuerySet[SupplierProduct]:
    """The supplier's products with the product and its unit joined in, preferred ones first."""
    return (
        SupplierProduct.objects.filter(supplier=supplier)
        .select_related("product__unit")
        .order_by("-is_preferred", "product__sku")
    )


def supplier_history(*, supplier: Supplier, user, limit: int = HISTORY_ROWS) -> dict[str, list]:
    """The supplier's latest purchase orders, receipts, returns and payments (newest first,
    ``limit`` of each) that ``user`` may read: each kind needs its view permission, and the
    warehouse documents are limited to the warehouses the user reads. One query per kind."""
    kinds = {
        "orders": ("purchasing.view_purchaseorder", purchase_orders_for),
        "receipts": ("purchasing.view_purchasereceipt", purchase_receipts_for),
        "returns": ("purchasing.view_purchasereturn", purchase_returns_for),
        "payments": ("finance.view_supplierpayment", supplier_payments_for),
    }
    history = {}
    for name, (permission, documents_for) in kinds.items():
        if user.has_perm(permission):
            history[name] = list(documents_for(user).filter(supplier=supplier).order_by("-date", "-id")[:limit])
    return history


def supplier_scorecard(*, supplier: Supplier, user, today: datetime.date | None = None) -> dict[str, dict]:
    """The supplier's performance figures (``apps.purchasing.reports.supplier_performance``)
    over all its history and over the last 90 days, from the documents ``user`` reads."""
    today = today or timezone.localdate()
    periods = {
        "all_time": (None, today),
        "recent": (today - datetime.timedelta(days=RECENT_DAYS - 1), today),
    }
    result = {}
    for name, (date_from, date_to) in periods.items():
        report = supplier_performance(user=user, date_from=date_from, date_to=date_to, supplier=supplier)
        result[name] = {**report["rows"][0], "date_from": date_from, "date_to": date_to}
    return result


def amount_owed(*, supplier: Supplier) -> Decimal:
    """What we owe the supplier now (open payables minus open debit notes)."""
    return supplier_balance(supplier.pk)
