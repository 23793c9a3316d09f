"""Small helpers for posting through the ledger in tests."""

import itertools
from decimal import Decimal

from apps.inventory import ledger

_ids = itertools.count(1)


def D(value) -> Decimal:
    return Decimal(str(value))


def post(user, *movements, source_type="test", date=None):
    """``post(user, (product, warehouse, qty[, unit_cost]), ...)`` -> (source, entries)."""
    import datetime

    number = next(_ids)
    source = ledger.Source(type=source_type, id=number, number=f"T-{number:06d}")
    moves = []
    for item in movements:
        if isinstance(item, ledger.Movement):
            moves.append(item)
            continue
        product, warehouse, qty, *cost = item
        moves.append(
            ledger.Movement(
                product=product.pk, warehouse=warehouse.pk, qty=D(qty), unit_cost=D(cost[0]) if cost else None
            )
        )
    entries = ledger.post(source=source, movements=moves, user=user, date=date or datetime.date(2026, 11, 22))
    return source, entries


def balance(product, warehouse):
    from apps.inventory.models import StockBalance

    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (row.qty, row.value) if row else (D(0), D(0))
