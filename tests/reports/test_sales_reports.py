"""Sales (销售汇总) by product, customer, salesperson and month, and gross profit (毛利) by
product and customer: posted deliveries minus posted sales returns, with the issue's figures,
a salesperson's scope, who may read them and the Excel files (rows plus a totals row equal to
the API's totals)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from .helpers import read_xlsx, same_rows
from .sales_world import YEAR, sales_world

pytestmark = pytest.mark.django_db

SALES = "/api/v1/reports/sales/"
PROFIT = "/api/v1/reports/gross-profit/"


@pytest.fixture
def world(make_user):
    return sales_world(make_user)


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def figures(rows):
    return [
        (r["key"], r["label"], r["qty"], r["net_amount"], r["tax_amount"], r["amount"], r["deliveries"]) for r in rows
    ]


def profits(rows):
    return [(r["key"], r["label"], r["qty"], r["revenue"], r["cost"], r["gross_profit"], r["margin"]) for r in rows]


# --- Sales -----------------------------------------------------------------------------------


def test_sales_by_product_net_of_the_return(api_as, world):
    data = api_as("management").get(SALES, {**YEAR, "group_by": "product"}).json()

    assert figures(data["rows"]) == [
        (str(world["water"].pk), "SP0001 矿泉水", "12.0000", "960.00", "124.80", "1084.80", 2),
        (str(world["cola"].pk), "SP0002 可乐", "2.0000", "200.00", "26.00", "226.00", 1),
    ]
    assert data["totals"] == {
        "qty": "14.0000",
        "net_amount": "1160.00",
        "tax_amount": "150.80",
        "amount": "1310.80",
        "deliveries": 3,
    }
    assert data["count"] == 2
    assert (data["group_by"], data["date_from"], data["date_to"]) == ("product", "2026-01-01", "2026-12-31")


def test_sales_by_customer(api_as, world):
    data = api_as("finance").get(SALES, {**YEAR, "group_by": "customer"}).json()

    assert figures(data["rows"]) == [
        (str(world["kh1"].pk), "KH001 上海华联超市", "12.0000", "960.00", "124.80", "1084.80", 2),
        (str(world["kh2"].pk), "KH002 苏州美家便利", "2.0000", "200.00", "26.00", "226.00", 1),
    ]
    assert data["totals"]["amount"] == "1310.80"


def test_sales_by_salesperson(api_as, world):
    data = api_as("management").get(SALES, {**YEAR, "group_by": "salesperson"}).json()

    # Ordered by username: li before wang.
    assert figures(data["rows"]) == [
        (str(world["li"].pk), "li 李娜", "2.0000", "200.00", "26.00", "226.00", 1),
        (str(world["wang"].pk), "wang 王磊", "12.0000", "960.00", "124.80", "1084.80", 2),
    ]


def test_sales_by_month(api_as, world):
    data = api_as("management").get(SALES, {**YEAR, "group_by": "month"}).json()

    assert figures(data["rows"]) == [
        ("2026-11", "2026-11", "12.0000", "960.00", "124.80", "1084.80", 2),
        ("2026-12", "2026-12", "2.0000", "200.00", "26.00", "226.00", 1),
    ]
    assert data["totals"]["deliveries"] == 3


def test_the_period_is_the_document_date(api_as, world):
    data = api_as("management").get(SALES, {"date_from": "2026-11-04", "date_to": "2026-11-30"}).json()

    # Only the return falls in it: negative sales of SP0001.
    assert figures(data["rows"]) == [
        (str(world["water"].pk), "SP0001 矿泉水", "-3.0000", "-240.00", "-31.20", "-271.20", 0),
    ]
    assert data["totals"]["deliveries"] == 0


def test_dates_default_to_everything_until_today(api_as, world):
    client = api_as("management")
    data = client.get(SALES).json()

    today = timezone.localdate().isoformat()
    assert data["group_by"] == "product"
    assert (data["date_from"], data["date_to"]) == (None, today)
    # Everything dated up to today: the November loop at least.
    assert data["totals"] == client.get(SALES, {"date_from": "2000-01-01", "date_to": today}).json()["totals"]
    assert data["rows"][0]["amount"] == "1084.80"


def test_a_salesperson_sees_their_own_customers_only(api_as, world):
    wang, li = api_for(world["wang"]), api_for(world["li"])

    mine = wang.get(SALES, {**YEAR, "group_by": "customer"}).json()
    assert figures(mine["rows"]) == [
        (str(world["kh1"].pk), "KH001 上海华联超市", "12.0000", "960.00", "124.80", "1084.80", 2),
    ]
    assert mine["totals"]["amount"] == "1084.80"
    assert li.get(SALES, {**YEAR, "group_by": "month"}).json()["totals"]["amount"] == "226.00"

    # Another salesperson's customer is not a choice: 400 on that parameter.
    refused = wang.get(SALES, {**YEAR, "customer": world["kh2"].pk})
    assert refused.status_code == 400
    assert "customer" in refused.json()


def test_filters_and_bad_input(api_as, world):
    from tests.factories import WarehouseFactory

    other = WarehouseFactory(code="BJ01")
    client = api_as("management")

    assert client.get(SALES, {**YEAR, "customer": world["kh2"].pk}).json()["totals"]["amount"] == "226.00"
    empty = client.get(SALES, {**YEAR, "warehouse": other.pk}).json()
    assert (empty["count"], empty["totals"]["amount"], empty["totals"]["deliveries"]) == (0, "0", 0)
    assert client.get(SALES, {**YEAR, "warehouse": world["warehouse"].pk}).json()["totals"]["amount"] == "1310.80"

    assert client.get(SALES, {"group_by": "supplier"}).status_code == 400
    assert client.get(SALES, {"date_from": "2026-13-01"}).status_code == 400
    backwards = client.get(SALES, {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert backwards.status_code == 400
    assert "date_to" in backwards.json()


@pytest.mark.parametrize("group_by", ["product", "customer", "salesperson", "month"])
def test_sales_excel_equals_the_json_rows_plus_a_totals_row(api_as, world, group_by):
    client = api_as("management")
    data = client.get(SALES, {**YEAR, "group_by": group_by}).json()

    header, sheet = read_xlsx(client.get(SALES, {**YEAR, "group_by": group_by, "format": "xlsx"}))

    assert header == ["Key", "Name", "Quantity", "Net amount", "VAT", "Amount", "Deliveries"]
    keys = ["key", "label", "qty", "net_amount", "tax_amount", "amount", "deliveries"]
    assert same_rows(data["rows"], sheet[:-1], keys)
    assert same_rows([{**data["totals"], "key": None, "label": "Total"}], sheet[-1:], keys)
    assert sheet[-1][2:] == [14, 1160, pytest.approx(150.8), pytest.approx(1310.8), 3]


# --- Gross profit ----------------------------------------------------------------------------


def test_gross_profit_by_product(api_as, world):
    data = api_as("finance").get(PROFIT, {**YEAR, "group_by": "product"}).json()

    assert profits(data["rows"]) == [
        (str(world["water"].pk), "SP0001 矿泉水", "12.0000", "960.00", "600.00", "360.00", "0.3750"),
        (str(world["cola"].pk), "SP0002 可乐", "2.0000", "200.00", "60.00", "140.00", "0.7000"),
    ]
    assert data["totals"] == {
        "qty": "14.0000",
        "revenue": "1160.00",
        "cost": "660.00",
        "gross_profit": "500.00",
        "margin": "0.4310",
    }


def test_gross_profit_by_customer_and_the_return_alone(api_as, world):
    client = api_as("management")

    data = client.get(PROFIT, {**YEAR, "group_by": "customer"}).json()
    assert profits(data["rows"]) == [
        (str(world["kh1"].pk), "KH001 上海华联超市", "12.0000", "960.00", "600.00", "360.00", "0.3750"),
        (str(world["kh2"].pk), "KH002 苏州美家便利", "2.0000", "200.00", "60.00", "140.00", "0.7000"),
    ]
    # The return alone: 3 back at the delivery's price (240.00) and cost (150.00).
    alone = client.get(PROFIT, {"date_from": "2026-11-04", "date_to": "2026-11-04"}).json()
    assert profits(alone["rows"]) == [
        (str(world["water"].pk), "SP0001 矿泉水", "-3.0000", "-240.00", "-150.00", "-90.00", "0.3750"),
    ]
    # Nothing sold: no margin rather than a division by zero.
    nothing = client.get(PROFIT, {"date_from": "2025-01-01", "date_to": "2025-12-31"}).json()
    assert (nothing["count"], nothing["totals"]["revenue"], nothing["totals"]["margin"]) == (0, "0", None)
    assert client.get(PROFIT, {"group_by": "month"}).status_code == 400


def test_gross_profit_excel_equals_the_json(api_as, world):
    client = api_as("finance")
    data = client.get(PROFIT, YEAR).json()

    header, sheet = read_xlsx(client.get(PROFIT, {**YEAR, "format": "xlsx"}))

    assert header == ["Key", "Name", "Quantity", "Revenue", "Cost", "Gross profit", "Margin"]
    keys = ["key", "label", "qty", "revenue", "cost", "gross_profit", "margin"]
    assert same_rows(data["rows"], sheet[:-1], keys)
    assert same_rows([{**data["totals"], "key": None, "label": "Total"}], sheet[-1:], keys)


# --- Who reads them --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "status"),
    [("sales", 200), ("management", 200), ("finance", 200), ("customer_service", 403), ("warehouse", 403),
     ("purchasing", 403), ("it_admin", 403)],
)  # fmt: skip
def test_who_reads_the_sales_report(api_as, department, status):
    client = api_as(department)
    assert client.get(SALES).status_code == status
    assert client.get(SALES, {"format": "xlsx"}).status_code == status


@pytest.mark.parametrize(
    ("department", "status"),
    [("finance", 200), ("management", 200), ("sales", 403), ("customer_service", 403), ("warehouse", 403),
     ("purchasing", 403), ("it_admin", 403)],
)  # fmt: skip
def test_gross_profit_needs_view_cost(api_as, world, department, status):
    client = api_as(department)
    response = client.get(PROFIT, YEAR)
    assert response.status_code == status
    if status == 403:
        assert "revenue" not in response.content.decode()
    assert client.get(PROFIT, {**YEAR, "format": "xlsx"}).status_code == status


def test_anonymous_is_refused(api_as):
    assert api_as(None).get(SALES).status_code in (401, 403)
    assert api_as(None).get(PROFIT).status_code in (401, 403)
