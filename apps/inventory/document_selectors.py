"""Reads for the warehouse's own documents (adjustments, transfers, counts): which documents a
user may see, the stock beside each line, and what a posted document wrote to the ledger.

Scope of reading: ``apps.accounts.selectors.reads_all_warehouses`` (a warehouse clerk sees
the documents of the warehouses they operate, a transfer when either side is theirs). Writing
is always limited to the warehouses the user operates (``check_warehouse_scope``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from apps.accounts.selectors import in_read_scope, reads_all_warehouses, warehouses_for

from .models import Category, StockAdjustment, StockBalance, StockCount, StockLedgerEntry, StockTransfer

SOURCE_ADJUSTMENT = "stock_adjustment"
SOURCE_TRANSFER = "stock_transfer"
SOURCE_COUNT = "stock_count"


def stock_adjustments_for(user) -> QuerySet[StockAdjustment]:
    return in_read_scope(StockAdjustment.objects.select_related("warehouse", "created_by"), user)


def stock_transfers_for(user) -> QuerySet[StockTransfer]:
    queryset = StockTransfer.objects.select_related("from_warehouse", "to_warehouse", "created_by")
    if reads_all_warehouses(user):
        return queryset
    mine = warehouses_for(user)
    return queryset.filter(Q(from_warehouse__in=mine) | Q(to_warehouse__in=mine))


def stock_counts_for(user) -> QuerySet[StockCount]:
    return in_read_scope(StockCount.objects.select_related("warehouse", "category", "created_by"), user)


def balances_of(*, warehouse_id: int | None, product_ids: Iterable[int]) -> dict[int, StockBalance]:
    """``{product_id: StockBalance}`` of ``warehouse_id`` (missing products have no row yet)."""
    product_ids = {pk for pk in product_ids if pk}
    if warehouse_id is None or not product_ids:
        return {}
    rows = StockBalance.objects.filter(warehouse_id=warehouse_id, product_id__in=product_ids)
    return {row.product_id: row for row in rows}


def document_entries(*, source_type: str, source_id: int) -> QuerySet[StockLedgerEntry]:
    """The ledger entries a document wrote (its postings and their reversals), in posting order."""
    return (
        StockLedgerEntry.objects.filter(source_type=source_type, source_id=source_id)
        .select_related("product", "warehouse", "user")
        .order_by("id")
    )


def category_with_descendants(category: Category) -> list[int]:
    """Ids of ``category`` and every category below it, however deep."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]  # a cycle would loop forever otherwise
        ids.extend(frontier)
    return ids
