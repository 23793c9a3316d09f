"""Reads for purchasing documents: which documents a user may see, and what a posted document
wrote. Scope of reading follows ``apps.accounts.selectors.in_read_scope`` (a warehouse clerk
sees the documents of the warehouses they operate; the other departments that read purchasing
documents see all)."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.selectors import in_read_scope

from .models import PurchaseOrder, PurchaseReceipt, PurchaseReturn

SOURCE_RECEIPT = "purchase_receipt"
SOURCE_RETURN = "purchase_return"


def purchase_orders_for(user) -> QuerySet[PurchaseOrder]:
    queryset = PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by", "approved_by")
    return in_read_scope(queryset, user)


def purchase_receipts_for(user) -> QuerySet[PurchaseReceipt]:
    queryset = PurchaseReceipt.objects.select_related("supplier", "warehouse", "purchase_order", "created_by")
    return in_read_scope(queryset, user)


def purchase_returns_for(user) -> QuerySet[PurchaseReturn]:
    queryset = PurchaseReturn.objects.select_related("supplier", "warehouse", "purchase_receipt", "created_by")
    return in_read_scope(queryset, user)
