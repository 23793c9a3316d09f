"""Report pages: the purchase plan (editable rows, one button that creates the draft orders
and links them), the purchasing reports with their tabs, totals, Excel and chart, AP ageing,
their permissions and the menu entries."""

import datetime
import re

import pytest

from apps.purchasing.models import PurchaseOrder
from apps.suppliers.models import SupplierProduct
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from tests.reports.helpers import D, free_receipt, order, receive

pytestmark = pytest.mark.django_db

PLAN = "/reports/purchase-plan/"
PURCHASES = "/reports/purchases/"
OPEN_LINES = "/reports/open-purchase-lines/"
PERFORMANCE = "/reports/supplier-performance/"
AGING = "/reports/ap-aging/"


@pytest.fixture
def shop(make_user):
    wh = WarehouseFactory(code="WH-A")
    clerk = make_user("warehouse", warehouses=[wh])
    supplier = SupplierFactory(code="S1", name="甲供应商", payment_terms_days=0)
    water = ProductFactory(sku="P-WATER", name="矿泉水", safety_stock=D(50), reorder_qty=D(40))
    cola = ProductFactory(sku="P-COLA", name="可乐", safety_stock=D(10))
    SupplierProduct.objects.create(supplier=supplier, product=water, is_preferred=True, last_price=D("9.5"))
    free_receipt(clerk, supplier, wh, [(water, 10, "10.00")], date=datetime.date(2026, 10, 5))
    free_receipt(clerk, supplier, wh, [(cola, 4, "2.50")], date=datetime.date(2026, 11, 3))
    return {"wh": wh, "clerk": clerk, "supplier": supplier, "water": water, "cola": cola}


def cells(response):
    return [[cell["text"] for cell in row["cells"]] for row in response.context["rows"]]


def totals(response):
    return [cell["text"] for cell in response.context["totals_row"]]


# --- Purchase plan ---------------------------------------------------------------------------


def test_the_plan_lists_the_suggestions_with_editable_quantity_and_supplier(client_as, shop):
    response = client_as("purchasing").get(PLAN)

    assert response.status_code == 200
    items = response.context["items"]
    assert [(i["row"]["sku"], str(i["row"]["suggested_qty"])) for i in items] == [
        ("P-COLA", "6.0000"),  # safety 10, 4 on hand
        ("P-WATER", "40.0000"),
    ]
    html = response.content.decode()
    assert 'name="line-1-qty" value="40"' in html
    assert 'name="line-1-supplier" value="S1"' in html
    assert 'name="line-0-supplier"' in html and 'name="line-0-supplier" value' not in html
    assert "Create draft orders" in html
    assert '<datalist id="plan-suppliers">' in html


def test_the_plan_creates_draft_orders_and_links_them(client_as, shop):
    other = SupplierFactory(code="S2")
    client = client_as("purchasing")
    data = {
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "2",
        "line-0-product": shop["cola"].pk,
        "line-0-warehouse": shop["wh"].pk,
        "line-0-qty": "12",
        "line-0-supplier": "S2",
        "line-1-product": shop["water"].pk,
        "line-1-warehouse": shop["wh"].pk,
        "line-1-qty": "45",
        "line-1-supplier": "",
    }

    response = client.post(PLAN, data)

    assert response.status_code == 302
    created = PurchaseOrder.objects.filter(created_by=client.user).order_by("number")
    assert [(o.supplier.code, o.status, [(line.product.sku, line.qty) for line in o.lines.all()]) for o in created] == [
        ("S1", "draft", [("P-WATER", D(45))]),
        ("S2", "draft", [("P-COLA", D(12))]),
    ]
    assert created[1].supplier == other
    page = client.get(response["Location"])
    listed = [item["order"].number for item in page.context["created"]]
    assert listed == [o.number for o in created]
    html = page.content.decode()
    for number in listed:
        assert number in html


def test_the_plan_refuses_an_unknown_supplier_and_keeps_what_was_typed(client_as, shop):
    client = client_as("purchasing")
    before = PurchaseOrder.objects.count()

    response = client.post(
        PLAN,
        {
            "line-TOTAL_FORMS": "2",
            "line-INITIAL_FORMS": "2",
            "line-0-product": shop["cola"].pk,
            "line-0-warehouse": shop["wh"].pk,
            "line-0-qty": "12",
            "line-0-supplier": "NOPE",
            "line-1-product": shop["water"].pk,
            "line-1-warehouse": shop["wh"].pk,
            "line-1-qty": "abc",
            "line-1-supplier": "S1",
        },
    )

    assert response.status_code == 200
    assert PurchaseOrder.objects.count() == before
    html = response.content.decode()
    assert 'value="NOPE"' in html and 'value="abc"' in html
    assert [i["row"]["sku"] for i in response.context["items"]] == ["P-COLA", "P-WATER"]

    fixed = client.post(
        PLAN,
        {
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "1",
            "line-0-product": shop["cola"].pk,
            "line-0-warehouse": shop["wh"].pk,
            "line-0-qty": "12",
            "line-0-supplier": "NOPE",
        },
    )
    assert "there is no supplier with the code “NOPE”" in fixed.content.decode()
    # A product without a preferred supplier and none typed: the service's sentence.
    orphan = client.post(
        PLAN,
        {
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "1",
            "line-0-product": shop["cola"].pk,
            "line-0-warehouse": shop["wh"].pk,
            "line-0-qty": "12",
            "line-0-supplier": "",
        },
    )
    assert "P-COLA has no preferred supplier" in orphan.content.decode()
    assert PurchaseOrder.objects.count() == before


def test_readers_without_the_add_permission_see_the_plan_but_cannot_create(client_as, shop):
    client = client_as("warehouse", warehouses=[shop["wh"]])

    page = client.get(PLAN)
    assert page.status_code == 200
    assert "Create draft orders" not in page.content.decode()
    refused = client.post(
        PLAN,
        {
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "1",
            "line-0-product": shop["water"].pk,
            "line-0-warehouse": shop["wh"].pk,
            "line-0-qty": "5",
        },
    )
    assert refused.status_code == 403
    assert PurchaseOrder.objects.count() == 0


# --- Purchasing reports ----------------------------------------------------------------------


def test_purchases_by_supplier_with_totals_and_excel(client_as, shop):
    response = client_as("purchasing").get(PURCHASES, {"date_from": "2026-01-01", "date_to": "2026-12-31"})

    assert response.status_code == 200
    # 10 × 10.00 + 4 × 2.50 = 110.00, VAT 14.30
    assert cells(response) == [["S1 甲供应商", "14", "¥110.00", "¥14.30", "¥124.30", "2"]]
    assert totals(response) == ["Total", "14", "¥110.00", "¥14.30", "¥124.30", "2"]
    assert response.context["excel_url"].startswith("/api/v1/reports/purchases/?")
    assert "format=xlsx" in response.context["excel_url"]
    assert [tab["label"] for tab in response.context["tabs"]] == [
        "Purchases",
        "Open order lines",
        "Supplier performance",
    ]
    assert "chart" not in response.context


def test_purchases_by_month_draws_a_chart(client_as, shop):
    response = client_as("purchasing").get(
        PURCHASES, {"date_from": "2026-01-01", "date_to": "2026-12-31", "group_by": "month"}
    )

    assert [row[0] for row in cells(response)] == ["2026-10", "2026-11"]
    chart = response.context["chart"]
    assert chart["labels"] == ["2026-10", "2026-11"]
    assert chart["datasets"][0]["data"] == ["100.00", "10.00"]
    html = response.content.decode()
    assert 'id="purchases-chart"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_purchases_page_opens_on_this_year(client_as, shop):
    response = client_as("purchasing").get(PURCHASES)

    assert response.status_code == 200
    assert response.context["params"]["date_from"] == datetime.date.today().replace(month=1, day=1)


def test_open_lines_page_marks_late_lines(client_as, shop, make_user):
    buyer, manager = make_user("purchasing"), make_user("management")
    late = order(
        buyer,
        manager,
        shop["supplier"],
        shop["wh"],
        [(shop["water"], 100, "10.00")],
        expected_date=datetime.date(2026, 1, 10),
    )
    receive(shop["clerk"], late, [60], date=datetime.date(2026, 1, 12))

    response = client_as("purchasing").get(OPEN_LINES)

    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row["css"] == "overdue"
    assert [c["text"] for c in row["cells"]][6:11] == ["100", "60", "40", "¥10.00", "¥400.00"]
    assert totals(response)[10] == "¥400.00"


def test_supplier_performance_page(client_as, shop):
    response = client_as("purchasing").get(PERFORMANCE)

    assert response.status_code == 200
    assert cells(response) == [
        ["S1", "甲供应商", "0", "2", "—", "—", "14", "¥110.00", "0", "¥0.00", "0%", "0%"],
    ]


def test_ap_aging_page_with_totals(client_as, shop):
    response = client_as("finance").get(AGING, {"date": "2026-12-31"})

    assert response.status_code == 200
    # 113.00 due 2026-10-05 (87 days) and 11.30 due 2026-11-03 (58 days)
    assert cells(response) == [["S1", "甲供应商", "¥0.00", "¥0.00", "¥11.30", "¥113.00", "¥0.00", "¥124.30"]]
    assert totals(response)[0] == "Total"
    assert totals(response)[-1] == "¥124.30"
    link = response.context["rows"][0]["cells"][0]["url"]
    assert link.endswith(f"supplier={shop['supplier'].pk}")


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        (PLAN, ["purchasing", "management", "finance", "warehouse"], ["sales", "customer_service", "it_admin"]),
        (PURCHASES, ["purchasing", "management", "finance", "warehouse"], ["sales", "customer_service", "it_admin"]),
        (OPEN_LINES, ["purchasing", "warehouse"], ["sales", "it_admin"]),
        (PERFORMANCE, ["purchasing", "finance"], ["sales", "it_admin"]),
        (AGING, ["finance", "purchasing", "management"], ["warehouse", "sales", "it_admin"]),
    ],
)
def test_report_pages_permissions(client_as, url, allowed, refused):
    for department in allowed:
        assert client_as(department).get(url).status_code == 200, (url, department)
    for department in refused:
        assert client_as(department).get(url).status_code == 403, (url, department)
    anonymous = client_as(None).get(url)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]


def menu_labels(response):
    nav = re.search(r'<nav class="sidebar".*?</nav>', response.text, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize(
    ("department", "shown", "hidden"),
    [
        ("purchasing", ["Purchase plan", "Purchase reports", "AP ageing"], []),
        ("finance", ["Purchase plan", "Purchase reports", "AP ageing"], []),
        ("warehouse", ["Purchase plan", "Purchase reports"], ["AP ageing"]),
        ("sales", [], ["Purchase plan", "Purchase reports", "AP ageing"]),
    ],
)
def test_menu_entries(client_as, department, shown, hidden):
    labels = menu_labels(client_as(department).get("/"))

    for label in shown:
        assert label in labels
    for label in hidden:
        assert label not in labels
