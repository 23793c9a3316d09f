"""GET /api/v1/stock-balances/ and /api/v1/stock-ledger/ (API.md, "Stock and money reads"):
exact figures, filters, scope by warehouse, read-only, Excel, and no N+1."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.inventory import ledger
from apps.inventory.models import StockBalance, StockLedgerEntry, ValuationMethod
from tests.factories import CategoryFactory, ProductFactory, UserFactory, WarehouseFactory

from .ledger_helpers import D, post

pytestmark = pytest.mark.django_db

BALANCES, LEDGER = "/api/v1/stock-balances/", "/api/v1/stock-ledger/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def stock():
    """Water in SH01 and SZ01, cola in SH01 only (FIFO), juice (a sub-category of drinks) in
    SZ01; 5 units of water in SH01 reserved, 12 ordered."""
    clerk = UserFactory(departments=["warehouse"])
    sh, sz = WarehouseFactory(code="SH01"), WarehouseFactory(code="SZ01")
    drinks = CategoryFactory(name="饮料")
    juices = CategoryFactory(name="果汁", parent=drinks)
    snacks = CategoryFactory(name="零食")
    water = ProductFactory(
        sku="W-001", name="矿泉水", name_pinyin="kuangquanshui kqs", barcode="6901", category=drinks, safety_stock=50
    )
    cola = ProductFactory(sku="C-001", name="可乐", category=drinks, valuation_method=ValuationMethod.FIFO)
    juice = ProductFactory(sku="J-001", name="橙汁", category=juices, safety_stock=5)
    chips = ProductFactory(sku="S-001", name="薯片", category=snacks)
    post(clerk, (water, sh, 30, "3.333333"), date=datetime.date(2026, 11, 1))
    post(clerk, (water, sh, 10, "4"), source_type="stock_adjustment", date=datetime.date(2026, 11, 5))
    post(clerk, (water, sh, -4), date=datetime.date(2026, 11, 10))
    post(clerk, (water, sz, 2, "3.5"), (cola, sh, "7.5", "2.2"), (juice, sz, 3, "8"), (chips, sz, 1, "1"))
    StockBalance.objects.filter(product=water, warehouse=sh).update(reserved_qty=5, ordered_qty=12)
    return {"clerk": clerk, "sh": sh, "sz": sz, "water": water, "cola": cola, "juice": juice, "chips": chips}


def rows(client, url, **query):
    response = client.get(url, {"page_size": 500, **query})
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def skus(results, warehouse=False):
    return [(r["sku"], r["warehouse_code"]) if warehouse else r["sku"] for r in results]


def test_a_balance_row_has_the_contract_fields_with_exact_figures(api_as, stock):
    client = api_as("management")

    [row] = rows(client, BALANCES, product=stock["water"].pk, warehouse=stock["sh"].pk)

    balance = StockBalance.objects.get(product=stock["water"], warehouse=stock["sh"])
    assert row == {
        "id": balance.pk,
        "product": stock["water"].pk,
        "sku": "W-001",
        "product_name": "矿泉水",
        "unit": "个",
        "warehouse": stock["sh"].pk,
        "warehouse_code": "SH01",
        "location": "",
        # 30 @ 3.333333 = 100.00, + 10 @ 4 = 40.00 -> 40 worth 140.00; issue 4 @ 3.50 -> 36 worth 126.00
        "qty": "36.0000",
        "value": "126.00",
        "avg_cost": "3.500000",
        "reserved_qty": "5.0000",
        "ordered_qty": "12.0000",
        "available_qty": "31.0000",
        "safety_stock": "50.0000",
        "updated_at": row["updated_at"],
    }


def test_balances_are_listed_by_sku_then_warehouse(api_as, stock):
    results = rows(api_as("management"), BALANCES)

    assert skus(results, warehouse=True) == [
        ("C-001", "SH01"),
        ("J-001", "SZ01"),
        ("S-001", "SZ01"),
        ("W-001", "SH01"),
        ("W-001", "SZ01"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "W-001"}, ["W-001", "W-001"]),
        ({"search": "kqs"}, ["W-001", "W-001"]),  # pinyin initials
        ({"search": "6901"}, ["W-001", "W-001"]),  # barcode
        ({"search": "橙汁"}, ["J-001"]),
        ({"category": "drinks"}, ["C-001", "J-001", "W-001", "W-001"]),  # with its sub-category
        ({"category": "juices"}, ["J-001"]),
        ({"low_stock": "true"}, ["J-001", "W-001", "W-001"]),  # juice 3 < 5; water 36 and 2 < 50
        ({"in_stock": "true", "warehouse": "sz"}, ["J-001", "S-001", "W-001"]),
        ({"ordering": "-value"}, ["W-001", "J-001", "C-001", "W-001", "S-001"]),
        ({"ordering": "available"}, ["S-001", "W-001", "J-001", "C-001", "W-001"]),
        ({"ordering": "-average_cost"}, ["J-001", "W-001", "W-001", "C-001", "S-001"]),
    ],
)
def test_balance_filters(api_as, stock, query, expected):
    categories = {"drinks": stock["water"].category_id, "juices": stock["juice"].category_id}
    if "category" in query:
        query = {"category": categories[query["category"]]}
    if query.get("warehouse") == "sz":
        query["warehouse"] = stock["sz"].pk

    assert skus(rows(api_as("management"), BALANCES, **query)) == expected


def test_a_clerk_reads_only_the_stock_of_their_warehouses(api_as, stock):
    client = api_as("warehouse", warehouses=[stock["sz"]])

    results = rows(client, BALANCES)
    other = StockBalance.objects.get(product=stock["water"], warehouse=stock["sh"])

    assert {r["warehouse_code"] for r in results} == {"SZ01"}
    assert client.get(f"{BALANCES}{other.pk}/").status_code == 404
    refused = client.get(BALANCES, {"warehouse": stock["sh"].pk})
    assert refused.status_code == 400
    assert "warehouse" in refused.json()
    assert {r["warehouse_code"] for r in rows(client, LEDGER)} == {"SZ01"}
    assert client.get(LEDGER, {"warehouse": stock["sh"].pk}).status_code == 400


def test_a_clerk_without_warehouses_reads_no_stock(api_as, stock):
    client = api_as("warehouse")

    assert rows(client, BALANCES) == []
    assert rows(client, LEDGER) == []


@pytest.mark.parametrize("department", ["management", "purchasing", "sales", "finance", "customer_service"])
def test_departments_not_tied_to_a_warehouse_read_all_of_them(api_as, stock, department):
    assert len(rows(api_as(department), BALANCES)) == 5


@pytest.mark.parametrize(
    ("department", "status"),
    [("warehouse", 200), ("purchasing", 200), ("finance", 200), ("management", 200), ("sales", 403)],
)
def test_who_reads_the_ledger(api_as, stock, department, status):
    client = api_as(department, warehouses=[stock["sh"]])
    assert client.get(LEDGER).status_code == status


def test_it_admin_and_anonymous_read_no_stock(api_as, stock):
    assert api_as("it_admin").get(BALANCES).status_code == 403
    assert api_as(None).get(BALANCES).status_code == 401
    assert api_as(None).get(LEDGER).status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_stock_cannot_be_written_through_the_reads(api_as, stock, method):
    client = api_as("management")
    balance = StockBalance.objects.get(product=stock["water"], warehouse=stock["sh"])
    entry = StockLedgerEntry.objects.first()
    before = (StockBalance.objects.count(), StockLedgerEntry.objects.count())

    for url in (BALANCES, f"{BALANCES}{balance.pk}/", LEDGER, f"{LEDGER}{entry.pk}/"):
        response = getattr(client, method)(url, {"qty": "999"}, format="json")
        assert response.status_code in (403, 405)

    balance.refresh_from_db()
    assert balance.qty == D(36)
    assert (StockBalance.objects.count(), StockLedgerEntry.objects.count()) == before


def test_a_ledger_entry_has_the_contract_fields(api_as, stock):
    client = api_as("warehouse", warehouses=[stock["sh"]])

    results = rows(client, LEDGER, product=stock["water"].pk, warehouse=stock["sh"].pk)

    assert [(r["qty"], r["value"], r["qty_after"], r["value_after"]) for r in results] == [
        ("30.0000", "100.00", "30.0000", "100.00"),
        ("10.0000", "40.00", "40.0000", "140.00"),
        ("-4.0000", "-14.00", "36.0000", "126.00"),
    ]
    entry = StockLedgerEntry.objects.filter(product=stock["water"]).order_by("id")[1]
    assert results[1] == {
        "id": entry.pk,
        "posted_at": results[1]["posted_at"],
        "date": "2026-11-05",
        "product": stock["water"].pk,
        "sku": "W-001",
        "product_name": "矿泉水",
        "warehouse": stock["sh"].pk,
        "warehouse_code": "SH01",
        "qty": "10.0000",
        "unit_cost": "4.000000",
        "value": "40.00",
        "qty_after": "40.0000",
        "value_after": "140.00",
        "source_type": "stock_adjustment",
        "source_id": entry.source_id,
        "source_number": entry.source_number,
        "source_line_id": None,
        "reversal_of": None,
        "user": stock["clerk"].pk,
        "username": stock["clerk"].username,
    }
    assert datetime.datetime.fromisoformat(results[1]["posted_at"]) == entry.posted_at


def test_ledger_filters(api_as, stock):
    client = api_as("management")
    cola = StockLedgerEntry.objects.filter(product=stock["cola"]).get()
    number = cola.source_number
    source = ledger.Source(type=cola.source_type, id=cola.source_id, number=number)

    assert skus(rows(client, LEDGER, source_number=number)) == ["W-001", "C-001", "J-001", "S-001"]
    assert skus(rows(client, LEDGER, source_type="stock_adjustment")) == ["W-001"]
    assert len(rows(client, LEDGER, date_from="2026-11-05", date_to="2026-11-10")) == 2
    assert skus(rows(client, LEDGER, search="可乐")) == ["C-001"]
    assert [r["qty"] for r in rows(client, LEDGER, product=stock["water"].pk, ordering="-id")] == [
        "2.0000",
        "-4.0000",
        "10.0000",
        "30.0000",
    ]
    reversal = ledger.reverse(source=source, user=stock["clerk"])
    reversed_rows = rows(client, LEDGER, source_number=number, ordering="-id")[:4]
    assert {r["reversal_of"] for r in reversed_rows} == {e.reversal_of_id for e in reversal}
    assert client.get(LEDGER, {"date_from": "yesterday"}).status_code == 400
    assert client.get(LEDGER, {"product": 999999}).status_code == 400


def read_sheet(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    return table[0], table[1:]


def test_balances_as_excel_hold_every_filtered_row_with_numbers(api_as, stock):
    client = api_as("management")

    header, table = read_sheet(client.get(BALANCES, {"format": "xlsx", "warehouse": stock["sh"].pk}))

    assert header[:5] == ["ID", "Product", "SKU", "Product name", "Unit"]
    column = {name: header.index(name) for name in ("SKU", "On hand", "Value", "Average cost", "Available")}
    assert [(r[column["SKU"]], r[column["On hand"]], r[column["Value"]]) for r in table] == [
        ("C-001", 7.5, 16.5),
        ("W-001", 36, 126),
    ]
    assert table[1][column["Available"]] == 31
    assert table[1][column["Average cost"]] == 3.5


def test_the_ledger_as_excel(api_as, stock):
    client = api_as("finance")

    header, table = read_sheet(client.get(LEDGER, {"format": "xlsx", "product": stock["water"].pk}))

    assert "Source number" in header and "Quantity after" in header
    assert [r[header.index("Quantity after")] for r in table] == [30, 40, 36, 2]


def test_an_error_is_json_even_when_excel_was_asked(api_as, stock):
    response = api_as("management").get(BALANCES, {"format": "xlsx", "low_stock": "maybe"})
    assert response.status_code == 400
    assert "low_stock" in response.json()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("department", ["management", "warehouse"])
@pytest.mark.parametrize("url", [BALANCES, LEDGER, f"{BALANCES}?format=xlsx", f"{LEDGER}?format=xlsx"])
def test_the_reads_take_the_same_few_queries_for_30_rows_as_for_3(api_as, department, url):
    clerk = UserFactory()
    sh = WarehouseFactory()
    client = api_as(department, warehouses=[sh])
    for _ in range(3):
        post(clerk, (ProductFactory(category=CategoryFactory()), sh, 2, "1.5"))
    client.get(url)  # permissions cached after the first request, as in real use
    few, _response = count_queries(client, url)

    for _ in range(27):
        post(clerk, (ProductFactory(category=CategoryFactory()), sh, 2, "1.5"))
    many, response = count_queries(client, url)

    assert many == few
    assert many <= 4
    if "xlsx" not in url:
        assert response.json()["count"] == 30
