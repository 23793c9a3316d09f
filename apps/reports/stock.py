"""Stock reports read from the stock ledger: the stock summary (进销存汇总) and the stock
alerts (库存预警, rules in ``apps.inventory.alerts``).

Both read only the warehouses the user reads (``readable_warehouses``: a warehouse clerk their
own, the other departments all of them).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import in_read_scope, reads_all_warehouses, warehouses_for
from apps.core.fields import ZERO
from apps.inventory.alerts import KINDS, stock_alerts
from apps.inventory.models import Category, StockLedgerEntry, Warehouse

_QTY = DecimalField(max_digits=18, decimal_places=4)
_MONEY = DecimalField(max_digits=18, decimal_places=2)

# An entry's side: a movement in (receipt, sales return, transfer in, gain) or out (delivery,
# purchase return, transfer out, loss). A reversal (a cancellation) stays on the side of the
# entry it reverses, with the opposite sign: a cancelled receipt lowers "in", it is no "out".
INBOUND = Q(qty__gt=0, reversal_of__isnull=True) | Q(qty__lt=0, reversal_of__isnull=False)
OUTBOUND = Q(qty__lt=0, reversal_of__isnull=True) | Q(qty__gt=0, reversal_of__isnull=False)

SUMMARY_FIGURES = (
    "opening_qty",
    "opening_value",
    "in_qty",
    "in_value",
    "out_qty",
    "out_value",
    "closing_qty",
    "closing_value",
)
VALUE_FIGURES = ("opening_value", "in_value", "out_value", "closing_value")


def category_and_descendants(category: Category) -> list[int]:
    """Ids of ``category`` and every category below it (one query for the whole tree)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def _search(queryset, text: str):
    for word in (text or "").split()[:5]:
        queryset = queryset.filter(
            Q(product__sku__icontains=word)
            | Q(product__name__icontains=word)
            | Q(product__name_pinyin__icontains=word)
            | Q(product__barcode=word)
        )
    return queryset


def stock_summary(**params) -> dict:
    """:func:`iter_stock_summary` (same parameters) as ``{"rows": [...], "totals": {...}}``:
    the totals add up every figure of the rows."""
    rows = []
    totals = dict.fromkeys(SUMMARY_FIGURES, ZERO)
    for row in iter_stock_summary(**params):
        for name in SUMMARY_FIGURES:
            totals[name] += row[name]
        rows.append(row)
    return {"rows": rows, "totals": totals}


def iter_stock_summary(
    *,
    user,
    date_from: datetime.date,
    date_to: datetime.date,
    warehouse: Warehouse | None = None,
    category: Category | None = None,
    search: str = "",
    chunk_size: int = 2000,
) -> Iterator[dict]:
    """进销存汇总 per product over the warehouses ``user`` reads (or the one ``warehouse``):
    ``opening`` = the entries dated before ``date_from``; ``in`` and ``out`` = the entries dated
    ``date_from`` to ``date_to`` on either side (a reversal counted on the side of what it
    reverses, negatively; a transfer is out of one warehouse and into the other, so over both
    it adds as much in as out); ``closing`` = opening + in − out, which is the balance of the
    entries dated up to ``date_to`` (the stock balance when nothing is dated later). Dates are
    business dates.

    A product is listed when it has an opening balance or a movement in the period. One
    aggregate query (plus one for the category tree when ``category`` is given), read
    ``chunk_size`` rows at a time (a server-side cursor on PostgreSQL), so a file of any length
    can be written row by row. Yields rows ordered by SKU.
    """
    entries = in_read_scope(StockLedgerEntry.objects.filter(date__lte=date_to), user)
    if warehouse is not None:
        entries = entries.filter(warehouse=warehouse)
    if category is not None:
        entries = entries.filter(product__category_id__in=category_and_descendants(category))
    entries = _search(entries, search)

    before = Q(date__lt=date_from)
    period = Q(date__gte=date_from)

    def total(field, condition, output):
        return Coalesce(Sum(field, filter=condition), Value(ZERO), output_field=output)

    rows = (
        entries.order_by()
        .values("product_id", "product__sku", "product__name", "product__unit__name", "product__category__name")
        .annotate(
            opening_qty=total("qty", before, _QTY),
            opening_value=total("value", before, _MONEY),
            in_qty=total("qty", period & INBOUND, _QTY),
            in_value=total("value", period & INBOUND, _MONEY),
            out_qty=total("qty", period & OUTBOUND, _QTY),
            out_value=total("value", period & OUTBOUND, _MONEY),
            moves=Count("id", filter=period),
        )
        .filter(Q(moves__gt=0) | ~Q(opening_qty=0) | ~Q(opening_value=0))
        .order_by("product__sku")
    )
    for row in rows.iterator(chunk_size=chunk_size):
        item = {
            "product": row["product_id"],
            "sku": row["product__sku"],
            "name": row["product__name"],
            "unit": row["product__unit__name"],
            "category": row["product__category__name"] or "",
            "opening_qty": row["opening_qty"],
            "opening_value": row["opening_value"],
            "in_qty": row["in_qty"],
            "in_value": row["in_value"],
            # Outbound entries are negative: the report shows what went out as positive.
            "out_qty": -row["out_qty"] + ZERO,
            "out_value": -row["out_value"] + ZERO,
        }
        item["closing_qty"] = item["opening_qty"] + item["in_qty"] - item["out_qty"]
        item["closing_value"] = item["opening_value"] + item["in_value"] - item["out_value"]
        yield item


def summary_without_values(report: dict) -> dict:
    """``report`` with the value columns taken out (for readers who may not see costs)."""
    strip = set(VALUE_FIGURES)
    return {
        **report,
        "rows": [{k: v for k, v in row.items() if k not in strip} for row in report["rows"]],
        "totals": {k: v for k, v in report["totals"].items() if k not in strip},
    }


ALERT_KIND_LABELS = {
    "low": _("Below safety stock"),
    "over": _("Above max stock"),
    "slow": _("Slow-moving"),
}


def stock_alert_report(
    *, user, warehouse: Warehouse | None = None, kind: str = "", slow_days: int | None = None
) -> dict:
    """库存预警: the alerts of ``apps.inventory.alerts.stock_alerts`` (the rules live there) in
    the warehouses ``user`` reads (or the one ``warehouse``), of one ``kind`` ("low", "over",
    "slow") or every kind, each row with ``kind_label``. ``counts``: the alerts per kind in the
    same warehouses whatever ``kind`` (the page's tabs). One query for the alerts (plus one for
    a clerk's warehouses)."""
    if warehouse is not None:
        warehouses = [warehouse.pk]
    elif reads_all_warehouses(user):
        warehouses = None
    else:
        warehouses = list(warehouses_for(user).values_list("pk", flat=True))
    rows = stock_alerts(warehouses=warehouses, slow_days=slow_days)
    counts = dict.fromkeys(KINDS, 0)
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
        row["kind_label"] = str(ALERT_KIND_LABELS.get(row["kind"], row["kind"]))
    return {"rows": [row for row in rows if not kind or row["kind"] == kind], "counts": counts}
