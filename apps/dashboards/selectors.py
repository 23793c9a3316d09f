"""The figures of the home page's department dashboards: one function per panel, each a fixed
handful of set queries whatever the amount of data (the database groups and sums).

Every panel reads through the scope its full report uses: a salesperson sees their own
customers' sales (``apps.sales.reports``), a warehouse clerk the warehouses they work in
(``apps.accounts.selectors``), the receivables ageing is ``apps.finance.reports.ar_aging``. Who
sees which panel is :func:`panels_for`; the values of stock only with ``inventory.view_cost``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from apps.accounts.departments import FINANCE, IT_ADMIN, MANAGEMENT, PURCHASING, SALES, WAREHOUSE
from apps.accounts.selectors import (
    in_read_scope,
    reads_all_warehouses,
    user_departments,
    warehouses_for,
)
from apps.core.fields import ZERO
from apps.customers.selectors import customers_for
from apps.finance.models import CashAccount, OpenItemStatus, Payable
from apps.finance.reports import ar_aging
from apps.inventory.alerts import KINDS, stock_alerts
from apps.inventory.models import StockBalance, StockDocumentStatus
from apps.purchasing.models import PurchaseOrderLine, PurchaseOrderStatus
from apps.purchasing.reports import OPEN_ORDER_STATUSES, purchase_suggestions
from apps.purchasing.selectors import purchase_orders_for, purchase_receipts_for
from apps.sales import reports as sales_reports
from apps.sales.selectors import deliveries_for, sales_returns_for

POSTED = "posted"
TREND_DAYS = 30
TOP_PRODUCTS = 10
OLDEST_ORDERS = 5
LAST_LOGINS = 5
VIEW_COST = "inventory.view_cost"
_MONEY = DecimalField(max_digits=18, decimal_places=2)

# Panel codes, in the order the page shows them.
PANELS = ("sales", "warehouse", "purchasing", "finance", "system")
_PANEL_DEPARTMENTS = {
    "sales": {SALES, MANAGEMENT},
    "warehouse": {WAREHOUSE, MANAGEMENT},
    "purchasing": {PURCHASING, MANAGEMENT},
    "finance": {FINANCE, MANAGEMENT},
    "system": {IT_ADMIN},
}
# What a panel's figures need besides the department (the server refuses the rest anyway).
_PANEL_PERMISSIONS = {
    "sales": "sales.view_sales_report",
    "warehouse": "inventory.view_stockbalance",
    "purchasing": "purchasing.view_purchaseorder",
    "finance": "finance.view_receivable",
    "system": "accounts.view_user",
}


def panels_for(user) -> list[str]:
    """The panels ``user`` sees: those of each of their departments (management: all the business
    panels; IT admin: the system panel), if they also hold the panel's permission."""
    if not user.is_authenticated:
        return []
    departments = set(user_departments(user))
    return [
        code
        for code in PANELS
        if (user.is_superuser or departments & _PANEL_DEPARTMENTS[code]) and user.has_perm(_PANEL_PERMISSIONS[code])
    ]


# --- Sales ---------------------------------------------------------------------------------


def _net_by_day(queryset, date_from, date_to) -> dict[datetime.date, Decimal]:
    rows = (
        queryset.filter(status=POSTED, date__gte=date_from, date__lte=date_to)
        .order_by()
        .values("date")
        .annotate(net=Sum("total_net"))
    )
    return {row["date"]: row["net"] for row in rows}


def sales_trend(*, user, today: datetime.date | None = None, days: int = TREND_DAYS) -> dict:
    """Net sales (VAT excluded: posted deliveries minus posted sales returns) for each of the
    last ``days`` days up to ``today``, in the scope of the sales report (a salesperson: their
    own customers). ``rows`` ``[{date, net}]`` oldest first, every day present; ``total``. Two
    queries."""
    today = today or timezone.localdate()
    date_from = today - datetime.timedelta(days=days - 1)
    delivered = _net_by_day(deliveries_for(user), date_from, today)
    returned = _net_by_day(sales_returns_for(user), date_from, today)
    rows = []
    for offset in range(days):
        date = date_from + datetime.timedelta(days=offset)
        rows.append({"date": date, "net": delivered.get(date, ZERO) - returned.get(date, ZERO)})
    return {"rows": rows, "total": sum((row["net"] for row in rows), ZERO), "date_from": date_from, "date_to": today}


def top_products(*, user, today: datetime.date | None = None, limit: int = TOP_PRODUCTS) -> dict:
    """The ``limit`` products with the highest net revenue this month (the 1st up to ``today``),
    from the sales report grouped by product (same scope and figures): rows ``{key, label,
    qty, net_amount}`` highest first. Three queries."""
    today = today or timezone.localdate()
    date_from = today.replace(day=1)
    report = sales_reports.sales_report(user=user, date_from=date_from, date_to=today, group_by="product")
    rows = sorted(report["rows"], key=lambda row: (-row["net_amount"], row["label"]))[:limit]
    return {"rows": rows, "total": report["totals"]["net_amount"], "date_from": date_from, "date_to": today}


# --- Warehouse -----------------------------------------------------------------------------


def stock_by_warehouse(*, user) -> dict:
    """On-hand quantity and value of each warehouse ``user`` reads that holds stock, ordered by
    code: rows ``{warehouse, code, name, qty, value}`` and ``totals``. Values are the caller's
    to hide without ``inventory.view_cost``. One query."""
    rows = list(
        in_read_scope(StockBalance.objects.all(), user)
        .order_by()
        .values("warehouse", code=F("warehouse__code"), name=F("warehouse__name"))
        .annotate(qty=Sum("qty"), value=Sum("value"))
        .filter(Q(qty__gt=0) | ~Q(value=0))
        .order_by("code")
    )
    totals = {name: sum((row[name] for row in rows), ZERO) for name in ("qty", "value")}
    return {"rows": rows, "totals": totals}


def alert_counts(*, user, today: datetime.date | None = None) -> dict:
    """Open stock alerts (``apps.inventory.alerts.stock_alerts``) in the warehouses ``user``
    reads, counted by kind: ``{"low": n, "over": n, "slow": n, "total": n}``. One or two
    queries."""
    warehouses = None if reads_all_warehouses(user) else list(warehouses_for(user).values_list("pk", flat=True))
    counts = Counter(row["kind"] for row in stock_alerts(warehouses=warehouses, today=today))
    result = {kind: counts.get(kind, 0) for kind in KINDS}
    result["total"] = sum(counts.values())
    return result


def documents_to_post(*, user, today: datetime.date | None = None) -> dict:
    """Draft purchase receipts and deliveries dated today or earlier in the warehouses ``user``
    reads (the work waiting to be posted): ``{"receipts": n, "deliveries": n}``. Two queries."""
    today = today or timezone.localdate()
    draft = Q(status=StockDocumentStatus.DRAFT, date__lte=today)
    return {
        "receipts": purchase_receipts_for(user).filter(draft).count(),
        "deliveries": deliveries_for(user).filter(draft).count(),
    }


# --- Purchasing ----------------------------------------------------------------------------


def orders_awaiting_approval(*, user, limit: int = OLDEST_ORDERS) -> dict:
    """Submitted purchase orders in the warehouses ``user`` reads: ``count`` and the ``limit``
    oldest (by submission) as ``oldest``. Two queries."""
    waiting = purchase_orders_for(user).filter(status=PurchaseOrderStatus.SUBMITTED)
    oldest = list(
        waiting.order_by(F("submitted_at").asc(nulls_last=True), "pk").values(
            "pk", "number", "date", "submitted_at", "total", supplier_name=F("supplier__name")
        )[:limit]
    )
    return {"count": waiting.count(), "oldest": oldest}


def in_transit_by_supplier(*, user) -> dict:
    """The open lines of approved and partially received purchase orders (ordered > received)
    in the warehouses ``user`` reads, grouped by supplier: rows ``{supplier, code, name, lines,
    value}`` (value = open qty × unit price, net of VAT, rounded per line as the open-lines
    report does) by value, highest first; ``totals`` ``{lines, value}``. One query."""
    open_value = Round(ExpressionWrapper((F("qty") - F("received_qty")) * F("unit_price"), output_field=_MONEY), 2)
    rows = list(
        in_read_scope(
            PurchaseOrderLine.objects.filter(document__status__in=OPEN_ORDER_STATUSES, qty__gt=F("received_qty")),
            user,
            "document__warehouse",
        )
        .order_by()
        .values(
            supplier=F("document__supplier"),
            code=F("document__supplier__code"),
            name=F("document__supplier__name"),
        )
        .annotate(lines=Count("pk"), value=Coalesce(Sum(open_value, output_field=_MONEY), ZERO, output_field=_MONEY))
        .order_by("-value", "code")
    )
    totals = {"lines": sum(row["lines"] for row in rows), "value": sum((row["value"] for row in rows), ZERO)}
    return {"rows": rows, "totals": totals}


def suggestion_count(*, user, today: datetime.date | None = None) -> int:
    """How many product × warehouse rows of the purchase plan suggest ordering. Five queries."""
    return len(purchase_suggestions(user=user, today=today))


# --- Finance -------------------------------------------------------------------------------


def receivables_ageing(*, user, today: datetime.date | None = None) -> dict:
    """The totals of the AR ageing report at ``today`` (customers ``user`` sees): ``{current,
    d1_30, d31_60, d61_90, over_90, total}``. One query."""
    return ar_aging(date=today, customers=customers_for(user))["totals"]


def cash_position() -> dict:
    """Each active cash/bank account's balance and their total: rows ``{pk, code, name, kind,
    balance}`` by code, ``total``. One query."""
    rows = list(
        CashAccount.objects.filter(is_active=True).order_by("code").values("pk", "code", "name", "kind", "balance")
    )
    return {"rows": rows, "total": sum((row["balance"] for row in rows), ZERO)}


def payables_due(*, today: datetime.date | None = None, days: int = 7) -> dict:
    """Open payables with something outstanding due in the ``days`` days from ``today`` (both
    included: today … today + days − 1) and those already overdue: ``{count, amount,
    overdue_count, overdue_amount, date_from, date_to}``. One query."""
    today = today or timezone.localdate()
    date_to = today + datetime.timedelta(days=days - 1)
    outstanding = ExpressionWrapper(F("amount") - F("paid") - F("credited"), output_field=_MONEY)
    week = Q(due_date__gte=today, due_date__lte=date_to)
    late = Q(due_date__lt=today)

    def total(condition):
        return Coalesce(Sum("outstanding", filter=condition), ZERO, output_field=_MONEY)

    figures = (
        Payable.objects.filter(status=OpenItemStatus.OPEN)
        .annotate(outstanding=outstanding)
        .filter(outstanding__gt=0)
        .aggregate(
            week_count=Count("pk", filter=week),
            week_amount=total(week),
            late_count=Count("pk", filter=late),
            late_amount=total(late),
        )
    )
    return {
        "count": figures["week_count"],
        "amount": figures["week_amount"],
        "overdue_count": figures["late_count"],
        "overdue_amount": figures["late_amount"],
        "date_from": today,
        "date_to": date_to,
    }


# --- System (IT admin) ---------------------------------------------------------------------


def users_by_department() -> dict:
    """Active users per department (every department listed, by name) and active users in none:
    ``{"rows": [{department, users}], "without": n, "total": n}``. Two queries."""
    User = get_user_model()
    rows = list(
        Group.objects.order_by("name")
        .annotate(users=Count("user", filter=Q(user__is_active=True)))
        .values("name", "users")
    )
    counts = User.objects.filter(is_active=True).aggregate(
        total=Count("pk", distinct=True), without=Count("pk", filter=Q(groups__isnull=True), distinct=True)
    )
    return {"rows": rows, "without": counts["without"], "total": counts["total"]}


def last_logins(*, limit: int = LAST_LOGINS) -> list[dict]:
    """The ``limit`` most recent logins: ``[{pk, username, full_name, last_login}]``. One query."""
    User = get_user_model()
    return list(
        User.objects.filter(last_login__isnull=False)
        .order_by("-last_login")
        .values("pk", "username", "full_name", "last_login")[:limit]
    )
