"""Helpers for the tests of the warehouse's documents (adjustments, transfers, counts)."""

import datetime
from decimal import Decimal

from apps.inventory.models import StockBalance, StockLedgerEntry

from .ledger_helpers import D, post

DAY = datetime.date(2026, 11, 22)


def receive(user, product, warehouse, qty, cost):
    """Stock in through the ledger (as a purchase receipt would), outside any document."""
    post(user, (product, warehouse, qty, cost))


def stock(product, warehouse) -> tuple[Decimal, Decimal]:
    """(qty, value) on hand; (0, 0) when the product never moved there."""
    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (row.qty, row.value) if row else (D(0), D(0))


def entries_of(source_type: str, document) -> list[tuple]:
    """The document's ledger entries as (sku, warehouse code, qty, unit_cost, value, reversal?)."""
    rows = StockLedgerEntry.objects.filter(source_type=source_type, source_id=document.pk).select_related(
        "product", "warehouse"
    )
    return [
        (e.product.sku, e.warehouse.code, e.qty, e.unit_cost, e.value, e.reversal_of_id is not None)
        for e in rows.order_by("id")
    ]


def entry_count() -> int:
    return StockLedgerEntry.objects.count()
