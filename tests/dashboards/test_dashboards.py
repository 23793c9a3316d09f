"""The home page's department dashboards: the figures of each panel from the selectors and in
the HTML, who sees which panel, and a query count that does not grow with the data.

The business (TODAY = 2026-12-20), booked through the services:
- W1 receives P1 300 @ 20.00 on 2026-08-01 (payable 6,780.00, due 08-31: overdue) and 5 @ 20.00
  on 11-22 (payable 113.00, due 12-22: due this week); P2 10 @ 60.00 on 12-01 (678.00, due 12-31).
- Customer A (30 days) takes P1 2 on 08-10 (113.00, due 09-09: over 90 days), 6 on 09-10 (339.00,
  71 days: 61–90), 4 on 10-10 (226.00, 41 days: 31–60), 20 on 11-10 (1,130.00, 10 days: 1–30),
  10 on 12-10 (565.00, current) and returns 2 of those on 12-12 (credit 113.00); P2 3 @ 100.00 on
  12-15 (339.00, current). Customer B (the salesperson's own) takes P1 1 on 12-16 (56.50).
- Sales of the last 30 days (11-21 … 12-20), net: 12-10 500.00, 12-12 −100.00, 12-15 300.00,
  12-16 50.00 = 750.00. This month by product: P1 450.00 (qty 9), P2 300.00.
- Stock at W1: P1 300 + 5 − 43 + 2 = 264 @ 20 = 5,280.00; P2 7 @ 60 = 420.00; total 5,700.00.
  P1 has safety stock 300 (low), P2 max stock 5 (over).
- Receivables ageing: current 565 − 113 + 339 + 56.50 = 847.50, 1–30 1,130.00, 31–60 226.00,
  61–90 339.00, over 90 113.00; total 2,655.50.
- Bank B01 opened with 50,000.00, pays 房租 1,500.00 on 12-05: 48,500.00; cash C02 800.00; the
  seeded 1001 现金 0.00: total 49,300.00.
- Purchase orders: two submitted (45.20 and 67.80), one approved with P1 30 @ 20.00 and P2 5 @
  60.50 open: 2 lines, 902.50 in transit.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.dashboards import selectors
from apps.dashboards.views import dashboard_panels
from apps.finance import cash
from apps.purchasing import services as purchasing
from apps.purchasing.reports import purchase_suggestions
from tests.books.support import freeze_today, receive
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

from .support import TODAY, VAT, D, business, on, sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return business(make_user)


# --- The figures, from the selectors -------------------------------------------------------


def test_sales_trend_and_top_products_for_management(world):
    trend = selectors.sales_trend(user=world["manager"], today=TODAY)
    by_day = {row["date"]: row["net"] for row in trend["rows"] if row["net"]}

    assert len(trend["rows"]) == 30 and trend["rows"][0]["date"] == on(11, 21)
    assert by_day == {
        on(12, 10): D("500.00"),
        on(12, 12): D("-100.00"),
        on(12, 15): D("300.00"),
        on(12, 16): D("50.00"),
    }
    assert trend["total"] == D("750.00")

    top = selectors.top_products(user=world["manager"], today=TODAY)
    assert [(row["key"], row["qty"], row["net_amount"]) for row in top["rows"]] == [
        (str(world["p1"].pk), D("9"), D("450.00")),
        (str(world["p2"].pk), D("3"), D("300.00")),
    ]
    assert top["total"] == D("750.00")


def test_a_salesperson_sees_only_their_own_customers_sales(world):
    trend = selectors.sales_trend(user=world["seller"], today=TODAY)
    top = selectors.top_products(user=world["seller"], today=TODAY)

    assert trend["total"] == D("50.00")
    assert [(row["key"], row["net_amount"]) for row in top["rows"]] == [(str(world["p1"].pk), D("50.00"))]


def test_warehouse_figures(world, make_user):
    stock = selectors.stock_by_warehouse(user=world["clerk"])
    assert [(row["code"], row["qty"], row["value"]) for row in stock["rows"]] == [
        (world["warehouse"].code, D("271"), D("5700.00"))
    ]
    assert selectors.alert_counts(user=world["clerk"], today=TODAY) == {"low": 1, "over": 1, "slow": 0, "total": 2}

    # a clerk of another (empty) warehouse sees none of it
    other = make_user("warehouse", warehouses=[WarehouseFactory()])
    assert selectors.stock_by_warehouse(user=other)["rows"] == []
    assert selectors.alert_counts(user=other, today=TODAY)["total"] == 0

    draft = purchasing.purchase_receipt_create(
        user=world["manager"],
        supplier=world["supplier"],
        warehouse=world["warehouse"],
        date=TODAY,
        lines=[{"product": world["p1"], "qty": D("1"), "unit_cost": D("20.00"), "tax_rate": VAT}],
    )
    assert draft.status == "draft"
    assert selectors.documents_to_post(user=world["clerk"], today=TODAY) == {"receipts": 1, "deliveries": 0}
    assert selectors.documents_to_post(user=other, today=TODAY) == {"receipts": 0, "deliveries": 0}


def test_purchasing_figures(world):
    waiting = selectors.orders_awaiting_approval(user=world["buyer"])
    assert waiting["count"] == 2
    assert [row["number"] for row in waiting["oldest"]] == [world["po_a"].number, world["po_b"].number]
    assert [row["total"] for row in waiting["oldest"]] == [D("45.20"), D("67.80")]

    transit = selectors.in_transit_by_supplier(user=world["buyer"])
    assert transit["totals"] == {"lines": 2, "value": D("902.50")}
    assert [(row["code"], row["lines"], row["value"]) for row in transit["rows"]] == [
        (world["supplier"].code, 2, D("902.50"))
    ]

    expected = len(purchase_suggestions(user=world["buyer"], today=TODAY))
    assert expected == 1  # P1 at W1: 264 + 30 on order is below 300 + 9/30 × 7
    assert selectors.suggestion_count(user=world["buyer"], today=TODAY) == expected


def test_finance_figures(world):
    assert selectors.receivables_ageing(user=world["finance"], today=TODAY) == {
        "current": D("847.50"),
        "d1_30": D("1130.00"),
        "d31_60": D("226.00"),
        "d61_90": D("339.00"),
        "over_90": D("113.00"),
        "total": D("2655.50"),
    }
    position = selectors.cash_position()
    assert [(row["code"], row["balance"]) for row in position["rows"]] == [
        ("1001", D("0.00")),
        ("B01", D("48500.00")),
        ("C02", D("800.00")),
    ]
    assert position["total"] == D("49300.00")

    due = selectors.payables_due(today=TODAY)
    assert (due["count"], due["amount"], due["overdue_count"], due["overdue_amount"]) == (
        1,
        D("113.00"),
        1,
        D("6780.00"),
    )
    assert (due["date_from"], due["date_to"]) == (TODAY, on(12, 26))


def test_system_figures(make_user):
    make_user("it_admin")
    make_user("warehouse", "purchasing")
    make_user()
    users = selectors.users_by_department()
    by_name = {row["name"]: row["users"] for row in users["rows"]}

    assert (by_name["it_admin"], by_name["warehouse"], by_name["purchasing"], by_name["finance"]) == (1, 1, 1, 0)
    assert (users["without"], users["total"]) == (1, 3)


# --- Who sees which panel ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("departments", "panels"),
    [
        (("management",), ["sales", "warehouse", "purchasing", "finance"]),
        (("sales",), ["sales"]),
        (("warehouse",), ["warehouse"]),
        (("purchasing",), ["purchasing"]),
        (("finance",), ["finance"]),
        (("it_admin",), ["system"]),
        (("customer_service",), []),
        (("warehouse", "purchasing"), ["warehouse", "purchasing"]),
    ],
)
def test_panels_follow_the_departments(make_user, departments, panels):
    assert selectors.panels_for(make_user(*departments)) == panels


# --- The page ------------------------------------------------------------------------------


def home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def frozen(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def test_management_sees_every_figure_on_the_home_page(client, world, frozen):
    html = home(client, world["manager"])

    for code in ("sales", "warehouse", "purchasing", "finance"):
        assert f'data-panel="{code}"' in html
    assert 'data-panel="system"' not in html
    assert 'data-figure="sales-trend-total">¥750.00<' in html
    assert "¥450.00" in html and "¥300.00" in html  # top products
    assert 'data-figure="stock-value-total">¥5,700.00<' in html
    assert 'data-figure="alerts-total">2<' in html
    assert 'data-figure="awaiting-approval">2<' in html
    assert world["po_a"].number in html and world["po_b"].number in html
    assert 'data-figure="transit-lines">2<' in html and 'data-figure="transit-value">¥902.50<' in html
    assert 'data-figure="suggestions">1<' in html
    assert 'data-bucket="current">¥847.50<' in html and 'data-bucket="over_90">¥113.00<' in html
    assert 'data-figure="ageing-total">¥2,655.50<' in html
    assert 'data-figure="cash-total">¥49,300.00<' in html
    assert 'data-figure="payables-week">¥113.00<' in html and 'data-figure="payables-overdue">¥6,780.00<' in html
    # accessible charts carrying their figures; the greeting and the lists stay below
    assert html.count('role="img"') == 5
    assert 'aria-label="Receivables ageing. Not yet due: ¥847.50; 1–30 days: ¥1,130.00;' in html
    assert "12-16: ¥50.00" in html
    assert html.index('class="dashboards"') < html.index("Your lists")


def test_a_salesperson_sees_their_sales_and_no_costs(client, world, frozen):
    html = home(client, world["seller"])

    assert 'data-panel="sales"' in html
    assert 'data-figure="sales-trend-total">¥50.00<' in html
    for hidden in ('data-panel="warehouse"', 'data-panel="finance"', 'data-panel="purchasing"', "¥5,700.00", "¥750.00"):
        assert hidden not in html


def test_a_clerk_sees_the_warehouse_panel_and_not_the_finance_panel(client, world, frozen, make_user):
    html = home(client, world["clerk"])

    assert 'data-panel="warehouse"' in html
    assert 'data-panel="finance"' not in html and "¥49,300.00" not in html
    assert 'data-figure="stock-value-total">¥5,700.00<' in html  # the warehouse may see costs
    assert [panel["code"] for panel in dashboard_panels(world["clerk"], TODAY)] == ["warehouse"]
    assert dashboard_panels(make_user("customer_service"), TODAY) == []


def test_without_view_cost_the_stock_panel_shows_quantities(world, monkeypatch):
    clerk = world["clerk"]
    real = type(clerk).has_perm
    monkeypatch.setattr(
        type(clerk), "has_perm", lambda self, perm, obj=None: perm != "inventory.view_cost" and real(self, perm, obj)
    )
    panel = dashboard_panels(clerk, TODAY)[0]

    assert panel["sees_cost"] is False
    assert panel["stock"]["title"] == "Stock on hand by warehouse"
    assert "¥" not in panel["stock"]["chart"] and "271" in panel["stock"]["chart"]


def test_an_it_admin_sees_the_system_panel(client, make_user):
    admin = make_user("it_admin")
    html = home(client, admin)

    assert 'data-panel="system"' in html
    assert 'data-figure="users-total">1<' in html
    assert admin.username in html  # the last login: this one


def test_the_management_page_costs_a_fixed_number_of_queries(client, world, frozen, make_user):
    client.force_login(world["manager"])
    with CaptureQueriesContext(connection) as first:
        assert client.get("/").status_code == 200

    # more of everything: documents, accounts, warehouses, stock, orders
    p3 = ProductFactory(sku="P3", purchase_price=D("5.00"), safety_stock=D("50"))
    receive(world, "40", "5.00", on=on(12, 2), product=p3)
    for day in (3, 4, 17):
        sell(world, world["customer"], p3, "2", "9.00", date=on(12, day))
    WarehouseFactory()
    cash.cash_account_create(user=world["finance"], code="C03", name="第三", kind="bank", opening_balance=D("1"))
    other = SupplierFactory()
    for _ in range(3):
        document = purchasing.purchase_order_create(
            user=world["buyer"],
            supplier=other,
            warehouse=world["warehouse"],
            lines=[{"product": p3, "qty": D("9"), "unit_price": D("5.00"), "tax_rate": VAT}],
        )
        purchasing.purchase_order_submit(order=document, user=world["buyer"])
    with CaptureQueriesContext(connection) as second:
        assert client.get("/").status_code == 200

    assert len(second) == len(first)
    assert len(first) <= 60, len(first)
    print(f"management home page: {len(first)} queries")


def test_the_figures_read_the_same_in_chinese(client, world, frozen):
    client.force_login(world["manager"])
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert '<html lang="zh-hans"' in html
    assert '<h2 id="dash-finance-title">财务</h2>' in html
    assert 'data-figure="cash-total">¥49,300.00<' in html
    assert 'data-figure="ageing-total">¥2,655.50<' in html
