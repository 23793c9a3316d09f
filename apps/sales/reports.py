"""Report reads of sales: sales by product, customer, salesperson or month (销售汇总) and gross
profit (毛利) by product or customer. Both read the lines of posted deliveries minus those of
posted sales returns dated in the period: revenue is their net amount (VAT excluded), cost what
each delivery line recorded when it left stock (a return's cost is what came back)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from apps.accounts.selectors import in_read_scope, sees_all_customers
from apps.core.fields import ZERO

from .models import DeliveryLine, SalesReturnLine

POSTED = "posted"
SALES_GROUP_BY = ("product", "customer", "salesperson", "month")
PROFIT_GROUP_BY = ("product", "customer")

_GROUPS = {
    "customer": ("document__customer", "document__customer__code", "document__customer__name"),
    "product": ("product", "product__sku", "product__name"),
    "salesperson": (
        "document__customer__salesperson",
        "document__customer__salesperson__username",
        "document__customer__salesperson__full_name",
    ),
    "month": ("month",),
}


def _lines(model, *, user, date_from, date_to, warehouse=None, customer=None):
    queryset = model.objects.filter(document__status=POSTED)
    if date_from is not None:
        queryset = queryset.filter(document__date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(document__date__lte=date_to)
    if user is not None:
        queryset = in_read_scope(queryset, user, "document__warehouse")
        if not sees_all_customers(user):
            queryset = queryset.filter(document__customer__salesperson=user)
    if warehouse is not None:
        queryset = queryset.filter(document__warehouse=warehouse)
    if customer is not None:
        queryset = queryset.filter(document__customer=customer)
    return queryset


def _key(group_by: str, row: dict) -> tuple[str, str, tuple]:
    """(key, label, sort key) of a grouped row."""
    if group_by == "month":
        key = row["month"].strftime("%Y-%m")
        return key, key, (key,)
    first, code, name = _GROUPS[group_by]
    if row[first] is None:  # customers without a salesperson
        return "", "—", ("",)
    return str(row[first]), f"{row[code]} {row[name] or ''}".strip(), (row[code],)


def _groups(group_by: str, **scope) -> list[dict]:
    """Per group: qty, net, tax, cost (deliveries minus returns) and the deliveries counted."""
    fields = _GROUPS[group_by]
    rows: dict[str, dict] = {}
    for model, sign in ((DeliveryLine, 1), (SalesReturnLine, -1)):
        queryset = _lines(model, **scope)
        if group_by == "month":
            queryset = queryset.annotate(month=TruncMonth("document__date"))
        aggregates = {"qty": Sum("qty"), "net": Sum("net_amount"), "tax": Sum("tax_amount"), "cost": Sum("cost_amount")}
        if model is DeliveryLine:
            aggregates["deliveries"] = Count("document", distinct=True)
        for group in queryset.values(*fields).annotate(**aggregates).order_by():
            key, label, order = _key(group_by, group)
            row = rows.setdefault(
                key,
                {"key": key, "label": label, "qty": ZERO, "net": ZERO, "tax": ZERO, "cost": ZERO, "deliveries": 0},
            )
            row["_order"] = order
            row["qty"] += sign * group["qty"]
            row["net"] += sign * group["net"]
            row["tax"] += sign * group["tax"]
            row["cost"] += sign * (group["cost"] or ZERO)
            row["deliveries"] += group.get("deliveries", 0)
    return sorted(rows.values(), key=lambda row: row.pop("_order"))


def sales_report(
    *,
    user=None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    group_by: str = "product",
    warehouse=None,
    customer=None,
) -> dict:
    """Rows ``{key, label, qty, net_amount, tax_amount, amount, deliveries}`` (the shape of the
    purchases report; ``key`` the product, customer or salesperson id as text, or ``YYYY-MM``),
    and ``totals``. A salesperson sees their own customers' sales only."""
    if group_by not in SALES_GROUP_BY:
        raise ValueError(f"group_by must be one of {SALES_GROUP_BY}")
    scope = {"user": user, "date_from": date_from, "date_to": date_to, "warehouse": warehouse, "customer": customer}
    rows = [
        {
            "key": row["key"],
            "label": row["label"],
            "qty": row["qty"],
            "net_amount": row["net"],
            "tax_amount": row["tax"],
            "amount": row["net"] + row["tax"],
            "deliveries": row["deliveries"],
        }
        for row in _groups(group_by, **scope)
    ]
    totals = {name: sum((row[name] for row in rows), ZERO) for name in ("qty", "net_amount", "tax_amount", "amount")}
    totals["deliveries"] = (
        _lines(DeliveryLine, **scope).aggregate(n=Count("document", distinct=True))["n"] if rows else 0
    )
    return {"rows": rows, "totals": totals}


def _margin(profit: Decimal, revenue: Decimal) -> Decimal | None:
    return (profit / revenue).quantize(Decimal("0.0001")) if revenue else None


def gross_profit(
    *,
    user=None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    group_by: str = "product",
    warehouse=None,
    customer=None,
) -> dict:
    """Rows ``{key, label, qty, revenue, cost, gross_profit, margin}`` (margin = gross profit /
    revenue, a fraction with 4 places; None without revenue) and ``totals``."""
    if group_by not in PROFIT_GROUP_BY:
        raise ValueError(f"group_by must be one of {PROFIT_GROUP_BY}")
    scope = {"user": user, "date_from": date_from, "date_to": date_to, "warehouse": warehouse, "customer": customer}
    rows = []
    for row in _groups(group_by, **scope):
        profit = row["net"] - row["cost"]
        rows.append(
            {
                "key": row["key"],
                "label": row["label"],
                "qty": row["qty"],
                "revenue": row["net"],
                "cost": row["cost"],
                "gross_profit": profit,
                "margin": _margin(profit, row["net"]),
            }
        )
    totals = {name: sum((row[name] for row in rows), ZERO) for name in ("qty", "revenue", "cost", "gross_profit")}
    totals["margin"] = _margin(totals["gross_profit"], totals["revenue"])
    return {"rows": rows, "totals": totals}
