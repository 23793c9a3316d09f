"""Sales report pages: sales by product/customer/salesperson/month with the grouping switch,
totals, the Excel link and the trend chart by month; gross profit with the margin as a
percentage; AR ageing linked to the receivables and the overdue list; a salesperson's scope
and who may open them."""

import datetime

import pytest
from django.test import Client

from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.reports.sales_world import YEAR, sales_world
from tests.sales.support import deliver_direct, stock_in

pytestmark = pytest.mark.django_db

SALES = "/reports/sales/"
PROFIT = "/reports/gross-profit/"
AGING = "/reports/ar-aging/"


@pytest.fixture
def world(make_user):
    return sales_world(make_user)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def cells(response):
    return [[cell["text"] for cell in row["cells"]] for row in response.context["rows"]]


def totals(response):
    return [cell["text"] for cell in response.context["totals_row"]]


def test_sales_by_product_with_totals_excel_and_the_trend(client_as, world):
    response = client_as("management").get(SALES, YEAR)

    assert response.status_code == 200
    assert cells(response) == [
        ["SP0001 矿泉水", "12", "¥960.00", "¥124.80", "¥1,084.80", "2"],
        ["SP0002 可乐", "2", "¥200.00", "¥26.00", "¥226.00", "1"],
    ]
    assert totals(response) == ["Total", "14", "¥1,160.00", "¥150.80", "¥1,310.80", "3"]
    first = response.context["rows"][0]["cells"][0]["url"]
    assert first == f"/inventory/products/{world['water'].pk}/"
    excel = response.context["excel_url"]
    assert excel.startswith("/api/v1/reports/sales/?") and "format=xlsx" in excel
    assert [(link["value"], link["active"]) for link in response.context["group_links"]] == [
        ("product", True),
        ("customer", False),
        ("salesperson", False),
        ("month", False),
    ]
    assert [tab["label"] for tab in response.context["tabs"]] == ["Sales", "Gross profit"]
    # The trend by month is drawn whatever the grouping.
    chart = response.context["chart"]
    assert chart["labels"] == ["2026-11", "2026-12"]
    assert [dataset["data"] for dataset in chart["datasets"]] == [["960.00", "200.00"], ["124.80", "26.00"]]
    html = response.content.decode()
    assert 'id="sales-chart"' in html and 'data-chart="sales-chart"' in html
    assert "¥1,084.80" in html and "¥1,310.80" in html


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("customer", [["KH001 上海华联超市", "12", "¥960.00", "¥124.80", "¥1,084.80", "2"],
                      ["KH002 苏州美家便利", "2", "¥200.00", "¥26.00", "¥226.00", "1"]]),
        ("salesperson", [["li 李娜", "2", "¥200.00", "¥26.00", "¥226.00", "1"],
                         ["wang 王磊", "12", "¥960.00", "¥124.80", "¥1,084.80", "2"]]),
        ("month", [["2026-11", "12", "¥960.00", "¥124.80", "¥1,084.80", "2"],
                   ["2026-12", "2", "¥200.00", "¥26.00", "¥226.00", "1"]]),
    ],
)  # fmt: skip
def test_sales_grouped_other_ways(client_as, world, group_by, expected):
    response = client_as("finance").get(SALES, {**YEAR, "group_by": group_by})

    assert cells(response) == expected
    assert totals(response)[-2:] == ["¥1,310.80", "3"]
    assert response.context["chart"]["labels"] == ["2026-11", "2026-12"]


def test_a_salesperson_sees_their_own_customers(world):
    response = client_for(world["wang"]).get(SALES, {**YEAR, "group_by": "customer"})

    assert cells(response) == [["KH001 上海华联超市", "12", "¥960.00", "¥124.80", "¥1,084.80", "2"]]
    # Their customer filter offers their own customers only.
    assert [str(c) for c in response.context["form"].fields["customer"].queryset] == [str(world["kh1"])]
    # No gross-profit tab without view_cost.
    assert [tab["label"] for tab in response.context["tabs"]] == ["Sales"]
    refused = client_for(world["wang"]).get(SALES, {**YEAR, "customer": world["kh2"].pk})
    assert refused.status_code == 200
    assert refused.context["rows"] is None
    assert "customer" in refused.context["form"].errors


def test_the_sales_page_opens_on_this_year(client_as, world):
    response = client_as("management").get(SALES)

    assert response.context["params"]["date_from"] == datetime.date.today().replace(month=1, day=1)
    assert response.context["params"]["group_by"] == "product"


def test_gross_profit_with_the_margin_as_a_percentage(client_as, world):
    response = client_as("finance").get(PROFIT, YEAR)

    assert response.status_code == 200
    assert [h["label"] for h in response.context["headers"]] == [
        "Product", "Quantity", "Revenue", "Cost", "Gross profit", "Margin",
    ]  # fmt: skip
    assert cells(response) == [
        ["SP0001 矿泉水", "12", "¥960.00", "¥600.00", "¥360.00", "37.5%"],
        ["SP0002 可乐", "2", "¥200.00", "¥60.00", "¥140.00", "70%"],
    ]
    assert totals(response) == ["Total", "14", "¥1,160.00", "¥660.00", "¥500.00", "43.1%"]
    assert "chart" not in response.context
    assert response.context["excel_url"].startswith("/api/v1/reports/gross-profit/?")
    by_customer = client_as("management").get(PROFIT, {**YEAR, "group_by": "customer"})
    assert [row[0] for row in cells(by_customer)] == ["KH001 上海华联超市", "KH002 苏州美家便利"]
    assert [link["value"] for link in by_customer.context["group_links"]] == ["product", "customer"]


@pytest.fixture
def owed(make_user):
    wh = WarehouseFactory()
    manager, clerk = make_user("management"), make_user("warehouse", warehouses=[wh])
    wang = make_user("sales", username="wang")
    product = ProductFactory()
    stock_in(product, wh, "10", "1.00", user=manager, day=datetime.date(2026, 1, 1))
    kh1 = CustomerFactory(code="KH001", name="上海华联超市", salesperson=wang, payment_terms_days=0, credit_limit=None)
    kh2 = CustomerFactory(code="KH002", name="苏州美家便利", payment_terms_days=30, credit_limit=None)
    for customer, day, price in [
        (kh1, datetime.date(2026, 9, 15), "1000.00"),  # 107 days at 12-31
        (kh1, datetime.date(2026, 12, 10), "113.00"),  # 21 days
        (kh2, datetime.date(2026, 12, 20), "56.50"),  # due 2027-01-19
    ]:
        deliver_direct(user=clerk, customer=customer, warehouse=wh, lines=[(product, "1", price, "0")], day=day)
    return {"kh1": kh1, "kh2": kh2, "wang": wang}


def test_ar_aging_page_with_totals_and_links(client_as, owed):
    response = client_as("finance").get(AGING, {"date": "2026-12-31"})

    assert response.status_code == 200
    assert cells(response) == [
        ["KH001", "上海华联超市", "¥0.00", "¥113.00", "¥0.00", "¥0.00", "¥1,000.00", "¥1,113.00"],
        ["KH002", "苏州美家便利", "¥56.50", "¥0.00", "¥0.00", "¥0.00", "¥0.00", "¥56.50"],
    ]
    assert totals(response) == ["Total", "", "¥56.50", "¥113.00", "¥0.00", "¥0.00", "¥1,000.00", "¥1,169.50"]
    link = response.context["rows"][0]["cells"][0]["url"]
    assert link == f"/finance/receivables/?customer={owed['kh1'].pk}"
    assert response.context["page_links"] == [{"label": "Overdue receivables", "url": "/finance/receivables/overdue/"}]
    assert response.context["excel_url"].startswith("/api/v1/reports/ar-aging/?")
    html = response.content.decode()
    assert "¥1,169.50" in html and 'href="/finance/receivables/overdue/"' in html


def test_ar_aging_page_for_a_salesperson(owed):
    response = client_for(owed["wang"]).get(AGING, {"date": "2026-12-31"})

    assert [row[0] for row in cells(response)] == ["KH001"]
    assert totals(response)[-1] == "¥1,113.00"


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        (SALES, ["sales", "management", "finance"], ["customer_service", "warehouse", "purchasing", "it_admin"]),
        (PROFIT, ["management", "finance"], ["sales", "customer_service", "warehouse", "purchasing", "it_admin"]),
        (AGING, ["finance", "management", "sales", "customer_service"], ["warehouse", "purchasing", "it_admin"]),
    ],
)
def test_sales_report_pages_permissions(client_as, url, allowed, refused):
    for department in allowed:
        assert client_as(department).get(url).status_code == 200, (url, department)
    for department in refused:
        assert client_as(department).get(url).status_code == 403, (url, department)
    anonymous = client_as(None).get(url)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
