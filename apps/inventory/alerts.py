"""Stock alerts (库存预警): which product × warehouse balances are below safety stock, above max
stock, or have not moved for a while.

Read-only, one SQL query (the last movement is a correlated sub-select on the stock-card index
``(product, warehouse, id)``). Only balances that exist are looked at: a product never stocked in
a warehouse is not expected there, so it raises no "low" alert for it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from .models import StockBalance, StockLedgerEntry

KINDS = ("low", "over", "slow")


def slow_moving_days() -> int:
    return int(getattr(settings, "JXC_SLOW_MOVING_DAYS", 90))


def _ids(values) -> list[int]:
    return [getattr(value, "pk", value) for value in values]


def stock_alerts(
    *,
    warehouses: Iterable | None = None,
    kinds: Iterable[str] | None = None,
    slow_days: int | None = None,
    today: datetime.date | None = None,
) -> list[dict]:
    """Alert rows ordered by warehouse code, SKU and kind (low, over, slow).

    - ``low``: safety_stock > 0 and qty < safety_stock;
    - ``over``: max_stock > 0 and qty > max_stock;
    - ``slow``: qty > 0 and the last movement (business date of the latest posting) is more than
      ``slow_days`` days before ``today`` (or there is none).
    A balance can raise two kinds at once (e.g. over and slow). Active products only.
    ``warehouses`` is an iterable of warehouses or ids (None = all).
    """
    wanted = [kind for kind in KINDS if kinds is None or kind in set(kinds)]
    if not wanted:
        return []
    slow_days = slow_moving_days() if slow_days is None else int(slow_days)
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=slow_days)

    last_movement = (
        StockLedgerEntry.objects.filter(product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"))
        .order_by("-id")
        .values("date")[:1]
    )
    conditions = Q()
    if "low" in wanted:
        conditions |= Q(product__safety_stock__gt=0, qty__lt=F("product__safety_stock"))
    if "over" in wanted:
        conditions |= Q(product__max_stock__gt=0, qty__gt=F("product__max_stock"))
    if "slow" in wanted:
        conditions |= Q(qty__gt=0) & (Q(last_movement__isnull=True) | Q(last_movement__lt=cutoff))
    balances = (
        StockBalance.objects.filter(product__is_active=True)
        .annotate(last_movement=Subquery(last_movement))
        .filter(conditions)
        .order_by("warehouse__code", "product__sku")
        .values(
            "product_id",
            "product__sku",
            "product__name",
            "warehouse_id",
            "warehouse__code",
            "qty",
            "product__safety_stock",
            "product__max_stock",
            "last_movement",
        )
    )
    if warehouses is not None:
        balances = balances.filter(warehouse_id__in=_ids(warehouses))

    rows = []
    for b in balances:
        qty, safety, maximum, moved = b["qty"], b["product__safety_stock"], b["product__max_stock"], b["last_movement"]
        found = {
            "low": safety > 0 and qty < safety,
            "over": maximum > 0 and qty > maximum,
            "slow": qty > 0 and (moved is None or moved < cutoff),
        }
        for kind in wanted:
            if found[kind]:
                rows.append(
                    {
                        "product": b["product_id"],
                        "sku": b["product__sku"],
                        "name": b["product__name"],
                        "warehouse": b["warehouse_id"],
                        "warehouse_code": b["warehouse__code"],
                        "qty": qty,
                        "safety_stock": safety,
                        "max_stock": maximum,
                        "kind": kind,
                        "last_movement": moved,
                    }
                )
    return rows
