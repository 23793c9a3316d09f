"""进销存汇总 (GET /api/v1/reports/stock-summary/ and its page), against hand-computed numbers.

The world (documents through the services, business dates in 2026):
- SP0001 (moving average) in SH01: 100 @ 10.00 received on 11-01 (before the period).
- In the period 11-10 … 11-30: received 50 @ 13.00 (11-10); delivered 30 at 11.00 = 330.00
  (11-12); 5 of them come back at 11.00 = 55.00 (11-14); 20 transferred SH01 → BJ01 at 11.00 =
  220.00 (11-15); received 10 @ 20.00 (11-16, cancelled later: the reversal is dated the day of
  the cancellation, today); 5 returned to the supplier at the receipt's 13.00 = 65.00 (11-18).
- After it: 10 delivered from SH01 on 12-02 at 1,290.00 / 110 → 117.27.
- SP0002 (category 饮料 › 汽水) in BJ01: 10 @ 3.00 on 11-01, nothing else.
- SP0003: 7 @ 4.00 in SH01 on 12-02 (after the period).
- SP0004: 5 @ 2.00 in and out on 11-01/11-02 (nothing left, nothing in the period: not listed).

So for SP0001 over both warehouses in the period: opening 100 / 1,000.00; in 50 + 5 + 20 + 10
= 85 / 650.00 + 55.00 + 220.00 + 200.00 = 1,125.00; out 30 + 20 + 5 = 55 / 330.00 + 220.00 +
65.00 = 615.00; closing 130 / 1,510.00.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.inventory import services as inventory
from apps.inventory.models import StockBalance
from apps.purchasing import services as purchasing
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SupplierFactory, WarehouseFactory
from tests.reports.helpers import D, free_receipt, read_xlsx, return_goods
from tests.sales.support import deliver_direct, give_back, stock_in

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/stock-summary/"
NOV = {"date_from": "2026-11-10", "date_to": "2026-11-30"}
VALUES = ("opening_value", "in_value", "out_value", "closing_value")


def day(month, number):
    return datetime.date(2026, month, number)


@pytest.fixture
def world(make_user):
    sh, bj = WarehouseFactory(code="SH01"), WarehouseFactory(code="BJ01")
    manager = make_user("management")
    drinks = CategoryFactory(name="饮料")
    soda = CategoryFactory(name="汽水", parent=drinks)
    water = ProductFactory(sku="SP0001", name="矿泉水")
    cola = ProductFactory(sku="SP0002", name="可乐", category=soda)
    later = ProductFactory(sku="SP0003", name="果汁")
    gone = ProductFactory(sku="SP0004", name="冰茶")
    supplier = SupplierFactory()
    customer = CustomerFactory(credit_limit=None)

    free_receipt(manager, supplier, sh, [(water, "100", "10.00")], date=day(11, 1))
    stock_in(cola, bj, "10", "3.00", user=manager, day=day(11, 1))
    stock_in(gone, sh, "5", "2.00", user=manager, day=day(11, 1))
    deliver_direct(user=manager, customer=customer, warehouse=sh, lines=[(gone, "5", "9.00")], day=day(11, 2))

    receipt = free_receipt(manager, supplier, sh, [(water, "50", "13.00")], date=day(11, 10))
    delivery = deliver_direct(
        user=manager, customer=customer, warehouse=sh, lines=[(water, "30", "20.00")], day=day(11, 12)
    )
    give_back(delivery, user=manager, quantities={delivery.lines.get(): "5"}, day=day(11, 14), reason="defective")
    transfer = inventory.stock_transfer_create(
        user=manager, from_warehouse=sh, to_warehouse=bj, date=day(11, 15), lines=[{"product": water, "qty": D(20)}]
    )
    inventory.stock_transfer_post(transfer=transfer, user=manager)
    cancelled = free_receipt(manager, supplier, sh, [(water, "10", "20.00")], date=day(11, 16))
    return_goods(manager, receipt, ["5"], date=day(11, 18))

    deliver_direct(user=manager, customer=customer, warehouse=sh, lines=[(water, "10", "20.00")], day=day(12, 2))
    free_receipt(manager, supplier, sh, [(later, "7", "4.00")], date=day(12, 2))
    purchasing.purchase_receipt_cancel(receipt=cancelled, user=manager)
    return {"sh": sh, "bj": bj, "water": water, "cola": cola, "later": later, "gone": gone, "drinks": drinks}


def figures(row, *, values=True):
    names = ["opening_qty", "in_qty", "out_qty", "closing_qty"]
    if values:
        names += list(VALUES)
    return {name: D(row[name]) for name in names}


def by_sku(data):
    return {row["sku"]: row for row in data["rows"]}


def test_the_period_over_all_warehouses_equals_the_hand_computed_numbers(api_as, world):
    response = api_as("finance").get(URL, NOV)

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["date_from"] == "2026-11-10" and data["date_to"] == "2026-11-30"
    rows = by_sku(data)
    assert list(rows) == ["SP0001", "SP0002"]  # SP0003 moves later, SP0004 has nothing left nor moves
    assert figures(rows["SP0001"]) == {
        "opening_qty": D(100),
        "opening_value": D("1000.00"),
        "in_qty": D(85),
        "in_value": D("1125.00"),
        "out_qty": D(55),
        "out_value": D("615.00"),
        "closing_qty": D(130),
        "closing_value": D("1510.00"),
    }
    assert rows["SP0001"]["product"] == world["water"].pk
    assert rows["SP0001"]["name"] == "矿泉水" and rows["SP0001"]["unit"] == "个"
    assert figures(rows["SP0002"]) == {
        "opening_qty": D(10),
        "opening_value": D("30.00"),
        "in_qty": D(0),
        "in_value": D(0),
        "out_qty": D(0),
        "out_value": D(0),
        "closing_qty": D(10),
        "closing_value": D("30.00"),
    }
    assert rows["SP0002"]["category"] == "汽水"
    assert {name: D(value) for name, value in data["totals"].items()} == {
        "opening_qty": D(110),
        "opening_value": D("1030.00"),
        "in_qty": D(85),
        "in_value": D("1125.00"),
        "out_qty": D(55),
        "out_value": D("615.00"),
        "closing_qty": D(140),
        "closing_value": D("1540.00"),
    }
    assert data["count"] == 2


def test_per_warehouse_the_transfer_is_out_of_one_and_into_the_other(api_as, world):
    client = api_as("management")

    shanghai = by_sku(client.get(URL, {**NOV, "warehouse": world["sh"].pk}).json())["SP0001"]
    beijing = by_sku(client.get(URL, {**NOV, "warehouse": world["bj"].pk}).json())["SP0001"]

    # SH01: in 50 + 5 + 10 = 65 (650 + 55 + 200); out 30 + 20 + 5 = 55 (330 + 220 + 65).
    assert figures(shanghai) == {
        "opening_qty": D(100),
        "opening_value": D("1000.00"),
        "in_qty": D(65),
        "in_value": D("905.00"),
        "out_qty": D(55),
        "out_value": D("615.00"),
        "closing_qty": D(110),
        "closing_value": D("1290.00"),
    }
    assert figures(beijing) == {
        "opening_qty": D(0),
        "opening_value": D(0),
        "in_qty": D(20),
        "in_value": D("220.00"),
        "out_qty": D(0),
        "out_value": D(0),
        "closing_qty": D(20),
        "closing_value": D("220.00"),
    }
    # Over both warehouses the transfer adds as much in as out: the closing is unchanged.
    for name in ("in_qty", "in_value", "out_qty", "out_value", "closing_qty", "closing_value"):
        assert D(shanghai[name]) + D(beijing[name]) == figures(by_sku(client.get(URL, NOV).json())["SP0001"])[name]


def test_a_cancellation_lowers_the_side_of_what_it_cancels(api_as, world):
    """December up to today: the receipt of 11-16 cancelled today is −10 / −200.00 "in", not
    an "out"; the delivery of 12-02 goes out at 1,290.00 / 110 × 10 = 117.27."""
    today = timezone.localdate()

    data = api_as("purchasing").get(URL, {"date_from": "2026-12-01", "date_to": today.isoformat()}).json()

    water = by_sku(data)["SP0001"]
    assert figures(water) == {
        "opening_qty": D(130),
        "opening_value": D("1510.00"),
        "in_qty": D(-10),
        "in_value": D("-200.00"),
        "out_qty": D(10),
        "out_value": D("117.27"),
        "closing_qty": D(110),
        "closing_value": D("1192.73"),
    }
    later = by_sku(data)["SP0003"]
    assert (D(later["in_qty"]), D(later["in_value"]), D(later["closing_qty"])) == (D(7), D("28.00"), D(7))
    assert "SP0004" not in by_sku(data)


def test_the_closing_balance_up_to_today_equals_the_stock_balances(api_as, world):
    data = api_as("management").get(URL, {"date_from": "2026-01-01"}).json()  # date_to: today

    rows = by_sku(data)
    for product in (world["water"], world["cola"], world["later"], world["gone"]):
        balances = StockBalance.objects.filter(product=product)
        qty, value = sum((b.qty for b in balances), D(0)), sum((b.value for b in balances), D(0))
        row = rows[product.sku]
        assert (D(row["closing_qty"]), D(row["closing_value"])) == (qty, value), product.sku
        assert D(row["opening_qty"]) == 0
    assert (D(rows["SP0001"]["closing_qty"]), D(rows["SP0001"]["closing_value"])) == (D(110), D("1192.73"))
    # SP0004 moved in the year (in 5, out 5): listed with nothing left.
    assert figures(rows["SP0004"]) == {
        "opening_qty": D(0),
        "opening_value": D(0),
        "in_qty": D(5),
        "in_value": D("10.00"),
        "out_qty": D(5),
        "out_value": D("10.00"),
        "closing_qty": D(0),
        "closing_value": D(0),
    }


def test_category_takes_the_categories_below_it_and_search_finds_by_sku(api_as, world):
    client = api_as("management")

    assert list(by_sku(client.get(URL, {**NOV, "category": world["drinks"].pk}).json())) == ["SP0002"]
    assert list(by_sku(client.get(URL, {**NOV, "search": "sp0001"}).json())) == ["SP0001"]
    assert list(by_sku(client.get(URL, {**NOV, "search": "可乐"}).json())) == ["SP0002"]


def test_sales_and_customer_service_see_quantities_only(api_as, world):
    for department in ("sales", "customer_service"):
        data = api_as(department).get(URL, NOV).json()

        water = by_sku(data)["SP0001"]
        assert not set(VALUES) & set(water), department
        assert not set(VALUES) & set(data["totals"]), department
        assert figures(water, values=False) == {
            "opening_qty": D(100),
            "in_qty": D(85),
            "out_qty": D(55),
            "closing_qty": D(130),
        }


def test_a_clerk_reads_only_their_warehouses(api_as, world):
    client = api_as("warehouse", warehouses=[world["bj"]])

    data = client.get(URL, NOV).json()
    refused = client.get(URL, {**NOV, "warehouse": world["sh"].pk})

    assert figures(by_sku(data)["SP0001"]) == {
        "opening_qty": D(0),
        "opening_value": D(0),
        "in_qty": D(20),
        "in_value": D("220.00"),
        "out_qty": D(0),
        "out_value": D(0),
        "closing_qty": D(20),
        "closing_value": D("220.00"),
    }
    assert D(data["totals"]["closing_qty"]) == D(30)  # 20 SP0001 + 10 SP0002, all in BJ01
    assert refused.status_code == 400
    assert list(refused.json()) == ["warehouse"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-11-30", "date_to": "2026-11-01"}, "date_to"),
        ({"date_from": "2999-01-01"}, "date_from"),
        ({"warehouse": "abc"}, "warehouse"),
        ({"warehouse": "999999"}, "warehouse"),
        ({"category": "999999"}, "category"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_bad_parameters_are_a_400_on_the_field(api_as, world, query, field):
    response = api_as("management").get(URL, query)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0]


@pytest.mark.parametrize("department, status", [(None, 401), ("it_admin", 403)])
def test_who_may_not_read_it(api_as, world, department, status):
    response = api_as(department).get(URL, NOV)

    assert response.status_code in ((401, 403) if department is None else (status,))
    assert "rows" not in response.content.decode()


def test_the_excel_file_holds_the_rows_and_the_api_totals(api_as, world):
    client = api_as("finance")
    data = client.get(URL, NOV).json()

    header, rows = read_xlsx(client.get(URL, {**NOV, "format": "xlsx"}))

    assert header[:5] == ["Product ID", "SKU", "Product", "Unit", "Category"]
    assert header[5:] == [
        "Opening quantity",
        "Opening value",
        "Quantity in",
        "Value in",
        "Quantity out",
        "Value out",
        "Closing quantity",
        "Closing value",
    ]
    assert [row[1] for row in rows] == ["SP0001", "SP0002", "Total"]
    names = [
        "opening_qty",
        "opening_value",
        "in_qty",
        "in_value",
        "out_qty",
        "out_value",
        "closing_qty",
        "closing_value",
    ]
    for index, name in enumerate(names, start=5):
        assert D(str(rows[0][index])) == D(data["rows"][0][name])
        assert D(str(rows[-1][index])) == D(data["totals"][name]), name
    assert D(str(rows[-1][header.index("Closing value")])) == D("1540.00")


def test_the_excel_file_of_a_salesperson_has_no_values(api_as, world):
    header, rows = read_xlsx(api_as("sales").get(URL, {**NOV, "format": "xlsx"}))

    assert "Opening value" not in header and "Closing value" not in header
    assert rows[-1][header.index("Closing quantity")] == 140


def test_the_page_shows_the_rows_and_totals(client_as, world):
    client = client_as("warehouse", warehouses=[world["sh"], world["bj"]])

    response = client.get(reverse("reports:stock-summary"), NOV)

    assert response.status_code == 200
    page = response.content.decode()
    assert "SP0001" in page and "SP0002" in page and "SP0003" not in page
    assert "¥1,510.00" in page and "¥1,540.00" in page  # SP0001's closing value, the total
    assert "format=xlsx" in page
    rows = response.context["report"]["rows"]
    assert [D(row["closing_qty"]) for row in rows] == [D(130), D(10)]


def test_the_page_opens_on_this_month_and_hides_values_from_sales(client_as, world):
    client = client_as("sales")

    response = client.get(reverse("reports:stock-summary"))

    assert response.status_code == 200
    params = response.context["params"]
    assert params["date_from"] == timezone.localdate().replace(day=1) and params["date_to"] == timezone.localdate()
    assert "¥" not in "".join(str(cell["text"]) for row in response.context["rows"] for cell in row["cells"])
    assert response.context["group_span"] == 1


def test_the_page_refuses_it_admin(client_as, world):
    assert client_as("it_admin").get(reverse("reports:stock-summary")).status_code == 403
