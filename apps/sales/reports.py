"""Report reads of sales: sales by product, customer, salesperson or month (销售汇总) and gross
profit (毛利) by product or customer. Both read the lines of posted deliveries minus those of
posted sales returns dated in the period: revenue is their net amount (VAT excluded), cost what
each delivery line recorded when it left stock (a return's cost is what came back). Drafts and
cancelled documents do not count. A reader sees the warehouses they read and, as a
salesperson, their own customers only."""

from __future__ import annotations

import datetime
from decimal import Decimal

from apps.accounts.selectors import in_read_scope, sees_all_customers
from apps.core.fields import ZERO
from apps.core.grouping import MONTH, LineSource, count_documents, grouped_line_totals

from .models import DeliveryLine, SalesReturnLine

POSTED = "posted"
SALES_GROUP_BY = ("product", "customer", "salesperson", "month")
PROFIT_GROUP_BY = ("product", "customer")
MARGIN = Decimal("0.0001")

_GROUPS = {
    "customer": ("document__customer", "document__customer__code", "document__customer__name"),
    "product": ("product", "product__sku", "product__name"),
    "salesperson": (
        "document__customer__salesperson",
        "document__customer__salesperson__username",
        "document__customer__salesperson__full_name",
    ),
    "month": (MONTH,),
}
_SUMS = {"qty": "qty", "net": "net_amount", "tax": "tax_amount", "cost": "cost_amount"}


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


def _groups(group_by: str, **scope) -> list[dict]:
    """Per group: qty, net, tax, cost (deliveries minus returns) and the deliveries counted."""
    sources = [LineSource(_lines(DeliveryLine, **scope), 1, True), LineSource(_lines(SalesReturnLine, **scope), -1)]
    return grouped_line_totals(sources, _GROUPS[group_by], _SUMS, documents="deliveries")


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
    and ``totals`` (``deliveries``: the distinct deliveries). A salesperson sees their own
    customers' sales only. Three queries."""
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
    totals["deliveries"] = count_documents(_lines(DeliveryLine, **scope)) if rows else 0
    return {"rows": rows, "totals": totals}


def _margin(profit: Decimal, revenue: Decimal) -> Decimal | None:
    return (profit / revenue).quantize(MARGIN) if revenue else None


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
    revenue, a fraction with 4 places; None without revenue) and ``totals``. Who may read costs
    is the caller's business (``inventory.view_cost``). Two queries."""
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
