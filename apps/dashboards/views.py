"""The department dashboards of the home page (``apps/core/views.py`` HomePage): the panels of
the user's departments (:func:`apps.dashboards.selectors.panels_for`), each a few figures and a
small SVG chart (``charts.py``) with the figures also as text, linking to its full report.

``dashboard_panels(user)`` shapes what the selectors return into what
``dashboards/dashboard.html`` shows; it reads nothing the selectors do not.
"""

from __future__ import annotations

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.accounts.departments import DEPARTMENTS
from apps.core.formatting import format_money, format_quantity
from apps.finance.models import CashAccount

from . import selectors
from .charts import Bar, bar_chart, column_chart

VIEW_COST = "inventory.view_cost"
APPROVE = "purchasing.approve_purchaseorder"
SUPPLIERS_IN_CHART = 8


def _url(name: str, *args, query: dict | None = None) -> str | None:
    """The URL of page ``name`` (None when that page does not exist), with ``query``."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def _iso(date: datetime.date) -> str:
    return date.isoformat()


def sales_panel(user, today: datetime.date) -> dict:
    trend = selectors.sales_trend(user=user, today=today)
    top = selectors.top_products(user=user, today=today)
    days = [
        Bar(row["date"].strftime("%m-%d"), row["net"], format_money(row["net"]), "neg" if row["net"] < 0 else "")
        for row in trend["rows"]
    ]
    products = [Bar(row["label"], row["net_amount"], format_money(row["net_amount"])) for row in top["rows"]]
    trend_title = _("Net sales per day, last %(days)s days") % {"days": len(days)}
    top_title = _("Top %(count)s products by revenue this month") % {"count": selectors.TOP_PRODUCTS}
    best = max(trend["rows"], key=lambda row: row["net"]) if trend["rows"] else None
    return {
        "code": "sales",
        "title": _("Sales"),
        "url": _url("reports:sales", query={"date_from": _iso(trend["date_from"]), "date_to": _iso(today)}),
        "trend": {
            "title": trend_title,
            "chart": column_chart(trend_title, days, every=5),
            "total": format_money(trend["total"]),
            "best": {"date": best["date"], "net": format_money(best["net"])} if best and best["net"] > 0 else None,
            "rows": [{"date": row["date"], "net": format_money(row["net"])} for row in trend["rows"]],
            "date_from": trend["date_from"],
        },
        "top": {
            "title": top_title,
            "chart": bar_chart(top_title, products) if products else "",
            "rows": [
                {"label": row["label"], "qty": format_quantity(row["qty"]), "net": format_money(row["net_amount"])}
                for row in top["rows"]
            ],
            "total": format_money(top["total"]),
            "date_from": top["date_from"],
            "url": _url(
                "reports:sales",
                query={"date_from": _iso(top["date_from"]), "date_to": _iso(today), "group_by": "product"},
            ),
        },
    }


def warehouse_panel(user, today: datetime.date) -> dict:
    sees_cost = user.has_perm(VIEW_COST)
    stock = selectors.stock_by_warehouse(user=user)
    figure = "value" if sees_cost else "qty"
    show = format_money if sees_cost else format_quantity
    stock_title = _("Stock value by warehouse") if sees_cost else _("Stock on hand by warehouse")
    bars = [Bar(row["code"], row[figure], show(row[figure])) for row in stock["rows"]]
    alerts = selectors.alert_counts(user=user, today=today)
    drafts = selectors.documents_to_post(user=user, today=today)
    return {
        "code": "warehouse",
        "title": _("Warehouse"),
        "url": _url("reports:stock-summary"),
        "sees_cost": sees_cost,
        "stock": {
            "title": stock_title,
            "chart": column_chart(stock_title, bars) if bars else "",
            "rows": [
                {
                    "code": row["code"],
                    "name": row["name"],
                    "qty": format_quantity(row["qty"]),
                    "value": format_money(row["value"]),
                }
                for row in stock["rows"]
            ],
            "qty": format_quantity(stock["totals"]["qty"]),
            "value": format_money(stock["totals"]["value"]),
            "url": _url("inventory:stock-balance-list"),
        },
        "alerts": {
            "total": alerts["total"],
            "url": _url("reports:stock-alerts"),
            "kinds": [
                {
                    "kind": kind,
                    "label": label,
                    "count": alerts[kind],
                    "url": _url("reports:stock-alerts", query={"kind": kind}),
                }
                for kind, label in (
                    ("low", _("Below safety stock")),
                    ("over", _("Above max stock")),
                    ("slow", _("Slow-moving")),
                )
            ],
        },
        "drafts": [
            {
                "label": _("Purchase receipts to post"),
                "count": drafts["receipts"],
                "url": _url("purchasing:receipt-list", query={"status": "draft"}),
            },
            {
                "label": _("Deliveries to post"),
                "count": drafts["deliveries"],
                "url": _url("sales:delivery-list", query={"status": "draft"}),
            },
        ],
    }


def purchasing_panel(user, today: datetime.date) -> dict:
    waiting = selectors.orders_awaiting_approval(user=user)
    transit = selectors.in_transit_by_supplier(user=user)
    chart_rows = transit["rows"][:SUPPLIERS_IN_CHART]
    transit_title = _("Goods in transit by supplier")
    bars = [Bar(row["name"] or row["code"], row["value"], format_money(row["value"])) for row in chart_rows]
    inbox = _url("purchasing:order-approvals") if user.has_perm(APPROVE) else None
    return {
        "code": "purchasing",
        "title": _("Purchasing"),
        "url": _url("reports:open-purchase-lines"),
        "approval": {
            "count": waiting["count"],
            "url": inbox or _url("purchasing:order-list", query={"status": "submitted"}),
            "oldest": [
                {
                    "number": row["number"],
                    "supplier": row["supplier_name"],
                    "date": row["date"],
                    "total": format_money(row["total"]),
                    "url": _url("purchasing:order-detail", row["pk"]),
                }
                for row in waiting["oldest"]
            ],
        },
        "transit": {
            "title": transit_title,
            "chart": bar_chart(transit_title, bars) if bars else "",
            "lines": transit["totals"]["lines"],
            "value": format_money(transit["totals"]["value"]),
            "rows": [
                {"name": row["name"], "lines": row["lines"], "value": format_money(row["value"])} for row in chart_rows
            ],
            "url": _url("reports:open-purchase-lines"),
        },
        "suggestions": {
            "count": selectors.suggestion_count(user=user, today=today),
            "url": _url("reports:purchase-plan"),
        },
    }


def finance_panel(user, today: datetime.date) -> dict:
    ageing = selectors.receivables_ageing(user=user, today=today)
    labels = {
        "current": _("Not yet due"),
        "d1_30": _("1–30 days"),
        "d31_60": _("31–60 days"),
        "d61_90": _("61–90 days"),
        "over_90": _("Over 90 days"),
    }
    bars = [Bar(label, ageing[key], format_money(ageing[key]), key) for key, label in labels.items()]
    ageing_title = _("Receivables ageing")
    cash = selectors.cash_position()
    kinds = dict(CashAccount.Kind.choices)
    due = selectors.payables_due(today=today)
    return {
        "code": "finance",
        "title": _("Finance"),
        "url": _url("reports:ar-aging"),
        "ageing": {
            "title": ageing_title,
            "chart": column_chart(ageing_title, bars),
            "rows": [{"key": bar.css_class, "label": bar.label, "amount": bar.text} for bar in bars],
            "total": format_money(ageing["total"]),
            "url": _url("reports:ar-aging", query={"date": _iso(today)}),
        },
        "cash": {
            "rows": [
                {
                    "code": row["code"],
                    "name": row["name"],
                    "kind": kinds.get(row["kind"], row["kind"]),
                    "balance": format_money(row["balance"]),
                    "url": _url("finance:cash-account-detail", row["pk"]),
                }
                for row in cash["rows"]
            ],
            "total": format_money(cash["total"]),
            "url": _url("finance:cash-account-list"),
        },
        "payables": {
            "count": due["count"],
            "amount": format_money(due["amount"]),
            "overdue_count": due["overdue_count"],
            "overdue_amount": format_money(due["overdue_amount"]),
            "date_to": due["date_to"],
            "url": _url(
                "finance:payable-list",
                query={"status": "open", "due_from": _iso(due["date_from"]), "due_before": _iso(due["date_to"])},
            ),
            "overdue_url": _url("finance:payable-list", query={"overdue": "true"}),
        },
    }


def system_panel(user, today: datetime.date) -> dict:
    users = selectors.users_by_department()
    return {
        "code": "system",
        "title": _("System"),
        "url": _url("accounts:user-list"),
        "departments": [
            {"name": str(DEPARTMENTS.get(row["name"], row["name"])), "users": row["users"]} for row in users["rows"]
        ],
        "without": users["without"],
        "total": users["total"],
        "logins": selectors.last_logins(),
    }


BUILDERS = {
    "sales": sales_panel,
    "warehouse": warehouse_panel,
    "purchasing": purchasing_panel,
    "finance": finance_panel,
    "system": system_panel,
}


def dashboard_panels(user, today: datetime.date | None = None) -> list[dict]:
    """The panels ``user`` sees, in page order, ready for ``dashboards/dashboard.html``."""
    today = today or timezone.localdate()
    return [BUILDERS[code](user, today) for code in selectors.panels_for(user)]
