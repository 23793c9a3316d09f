"""Purchases by supplier, product and month (posted receipts minus posted returns), open order
lines after a partial receipt, with exact figures, scope and the Excel files."""

import datetime

import pytest
from django.utils import timezone

from apps.purchasing import services
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

from .helpers import D, days_ago, free_receipt, order, read_xlsx, receive, return_goods, same_rows

pytestmark = pytest.mark.django_db

PURCHASES = "/api/v1/reports/purchases/"
OPEN_LINES = "/api/v1/reports/open-purchase-lines/"
OCT, NOV = datetime.date(2026, 10, 5), datetime.date(2026, 11, 3)
ALL_TIME = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


@pytest.fixture
def purchases(make_user):
    wh = WarehouseFactory(code="WH-A")
    clerk = make_user("warehouse", warehouses=[wh])
    s1, s2 = SupplierFactory(code="S1", name="甲"), SupplierFactory(code="S2", name="乙")
    a, b = ProductFactory(sku="A", name="苹果"), ProductFactory(sku="B", name="香蕉")
    # S1 in October: A 10 @ 10.00 and B 5 @ 20.00 (net 100 + 100, VAT 13 + 13)
    r1 = free_receipt(clerk, s1, wh, [(a, 10, "10.00"), (b, 5, "20.00")], date=OCT)
    # S2 in November: A 4 @ 12.50 (net 50, VAT 6.50)
    free_receipt(clerk, s2, wh, [(a, 4, "12.50")], date=NOV)
    # 2 of A back to S1 in November (net 20, VAT 2.60)
    return_goods(clerk, r1, [2, 0], date=datetime.date(2026, 11, 10))
    # Never counted: a receipt posted then cancelled, a draft receipt, a draft return.
    cancelled = free_receipt(clerk, s1, wh, [(a, 100, "1.00")], date=NOV)
    services.purchase_receipt_cancel(receipt=cancelled, user=clerk)
    services.purchase_receipt_create(
        user=clerk, supplier=s2, warehouse=wh, date=NOV, lines=[{"product": b, "qty": D(7), "unit_cost": D(1)}]
    )
    services.purchase_return_create(
        user=clerk,
        purchase_receipt=r1,
        date=NOV,
        lines=[{"purchase_receipt_line": r1.lines.get(product=b), "qty": D(1)}],
    )
    return {"wh": wh, "clerk": clerk, "s1": s1, "s2": s2, "a": a, "b": b}


def figures(rows):
    return [
        (r["key"], r["label"], r["qty"], r["net_amount"], r["tax_amount"], r["amount"], r["receipts"]) for r in rows
    ]


def test_by_supplier_net_of_the_return(api_as, purchases):
    s1, s2 = purchases["s1"], purchases["s2"]

    data = api_as("purchasing").get(PURCHASES, {**ALL_TIME, "group_by": "supplier"}).json()

    assert figures(data["rows"]) == [
        (str(s1.pk), "S1 甲", "13.0000", "180.00", "23.40", "203.40", 1),
        (str(s2.pk), "S2 乙", "4.0000", "50.00", "6.50", "56.50", 1),
    ]
    assert data["totals"] == {
        "qty": "17.0000",
        "net_amount": "230.00",
        "tax_amount": "29.90",
        "amount": "259.90",
        "receipts": 2,
    }
    assert data["count"] == 2


def test_by_product_net_of_the_return(api_as, purchases):
    a, b = purchases["a"], purchases["b"]

    data = api_as("purchasing").get(PURCHASES, {**ALL_TIME, "group_by": "product"}).json()

    assert figures(data["rows"]) == [
        (str(a.pk), "A 苹果", "12.0000", "130.00", "16.90", "146.90", 2),
        (str(b.pk), "B 香蕉", "5.0000", "100.00", "13.00", "113.00", 1),
    ]
    # Two receipts in all (the October one holds both products).
    assert data["totals"]["receipts"] == 2
    assert data["totals"]["amount"] == "259.90"


def test_by_month_net_of_the_return(api_as, purchases):
    data = api_as("purchasing").get(PURCHASES, {**ALL_TIME, "group_by": "month"}).json()

    assert figures(data["rows"]) == [
        ("2026-10", "2026-10", "15.0000", "200.00", "26.00", "226.00", 1),
        ("2026-11", "2026-11", "2.0000", "30.00", "3.90", "33.90", 1),
    ]
    assert data["totals"]["amount"] == "259.90"


def test_the_period_is_the_document_date(api_as, purchases):
    data = api_as("purchasing").get(PURCHASES, {"date_from": "2026-11-05", "date_to": "2026-11-30"}).json()

    # Only the return falls in it: negative purchases from S1.
    assert figures(data["rows"]) == [(str(purchases["s1"].pk), "S1 甲", "-2.0000", "-20.00", "-2.60", "-22.60", 0)]
    assert data["totals"]["receipts"] == 0


def test_scope_filters_and_bad_input(api_as, purchases, make_user):
    other = WarehouseFactory(code="WH-B")
    free_receipt(make_user("management"), purchases["s2"], other, [(purchases["b"], 1, "1.00")], date=NOV)
    buyer = api_as("purchasing")

    assert buyer.get(PURCHASES, ALL_TIME).json()["totals"]["amount"] == "261.03"
    assert buyer.get(PURCHASES, {**ALL_TIME, "warehouse": other.pk}).json()["totals"]["amount"] == "1.13"
    assert buyer.get(PURCHASES, {**ALL_TIME, "supplier": purchases["s1"].pk}).json()["totals"]["amount"] == "203.40"
    # The clerk of WH-A reads only WH-A's documents.
    clerk = api_as("warehouse", warehouses=[purchases["wh"]])
    assert clerk.get(PURCHASES, ALL_TIME).json()["totals"]["amount"] == "259.90"
    assert clerk.get(PURCHASES, {**ALL_TIME, "warehouse": other.pk}).status_code == 400

    assert buyer.get(PURCHASES, {"group_by": "customer"}).status_code == 400
    assert buyer.get(PURCHASES, {"date_from": "2026-13-01"}).status_code == 400
    backwards = buyer.get(PURCHASES, {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert backwards.status_code == 400
    assert "date_to" in backwards.json()


def test_dates_default_to_everything_until_today(api_as, purchases):
    data = api_as("purchasing").get(PURCHASES).json()

    assert data["group_by"] == "supplier"
    assert (data["date_from"], data["date_to"]) == (None, timezone.localdate().isoformat())
    assert data["totals"]["amount"] == "259.90"


@pytest.mark.parametrize("group_by", ["supplier", "product", "month"])
def test_purchases_excel_equals_the_json_rows_plus_a_totals_row(api_as, purchases, group_by):
    client = api_as("purchasing")
    data = client.get(PURCHASES, {**ALL_TIME, "group_by": group_by}).json()

    header, sheet = read_xlsx(client.get(PURCHASES, {**ALL_TIME, "group_by": group_by, "format": "xlsx"}))

    assert header == ["Key", "Name", "Quantity", "Net amount", "VAT", "Amount", "Receipts"]
    keys = ["key", "label", "qty", "net_amount", "tax_amount", "amount", "receipts"]
    assert same_rows(data["rows"], sheet[:-1], keys)
    assert same_rows([{**data["totals"], "key": None, "label": "Total"}], sheet[-1:], keys)


# --- Open order lines ------------------------------------------------------------------------


@pytest.fixture
def in_transit(make_user):
    wh = WarehouseFactory(code="WH-A")
    buyer, manager = make_user("purchasing"), make_user("management")
    clerk = make_user("warehouse", warehouses=[wh])
    supplier = SupplierFactory(code="S1")
    a, b = ProductFactory(sku="A"), ProductFactory(sku="B")
    late = order(buyer, manager, supplier, wh, [(a, 100, "10.00"), (b, 20, "2.50")], expected_date=days_ago(3))
    receive(clerk, late, [60, 20], date=days_ago(5))  # B complete, 40 of A still to come
    coming = order(buyer, manager, supplier, wh, [(b, 8, "2.25")], expected_date=days_ago(-10))
    undated = order(buyer, manager, supplier, wh, [(a, 1, "10.00")])
    # Never open: a draft order, a fully received one, a closed one.
    services.purchase_order_create(
        user=buyer, supplier=supplier, warehouse=wh, lines=[{"product": a, "qty": D(5), "unit_price": D(1)}]
    )
    done = order(buyer, manager, supplier, wh, [(a, 3, "10.00")])
    receive(clerk, done, [3], date=days_ago(1))
    closed = order(buyer, manager, supplier, wh, [(a, 3, "10.00")])
    services.purchase_order_close(order=closed, user=buyer)
    return {"wh": wh, "late": late, "coming": coming, "undated": undated, "supplier": supplier, "a": a}


def test_open_lines_after_a_partial_receipt(api_as, in_transit):
    t = in_transit

    data = api_as("purchasing").get(OPEN_LINES).json()

    assert [
        (r["number"], r["sku"], r["ordered_qty"], r["received_qty"], r["open_qty"], r["unit_price"], r["open_amount"],
         r["overdue"])
        for r in data["rows"]
    ] == [
        (t["late"].number, "A", "100.0000", "60.0000", "40.0000", "10.000000", "400.00", True),
        (t["coming"].number, "B", "8.0000", "0.0000", "8.0000", "2.250000", "18.00", False),
        (t["undated"].number, "A", "1.0000", "0.0000", "1.0000", "10.000000", "10.00", False),
    ]  # fmt: skip
    first = data["rows"][0]
    assert (first["purchase_order"], first["supplier"], first["warehouse"], first["product"]) == (
        t["late"].pk,
        t["supplier"].pk,
        t["wh"].pk,
        t["a"].pk,
    )
    assert (first["expected_date"], first["days_overdue"]) == (days_ago(3).isoformat(), 3)
    assert data["totals"]["open_amount"] == "428.00"


def test_open_lines_filters_and_scope(api_as, in_transit):
    client = api_as("purchasing")

    assert [r["number"] for r in client.get(OPEN_LINES, {"overdue": "true"}).json()["rows"]] == [
        in_transit["late"].number
    ]
    assert len(client.get(OPEN_LINES, {"overdue": "false"}).json()["rows"]) == 2
    assert len(client.get(OPEN_LINES, {"product": in_transit["a"].pk}).json()["rows"]) == 2
    assert client.get(OPEN_LINES, {"overdue": "maybe"}).status_code == 400
    stranger = api_as("warehouse", warehouses=[WarehouseFactory()])
    assert stranger.get(OPEN_LINES).json()["rows"] == []
    assert api_as("warehouse", warehouses=[in_transit["wh"]]).get(OPEN_LINES).json()["count"] == 3


def test_open_lines_excel_equals_the_json_rows(api_as, in_transit):
    client = api_as("purchasing")
    data = client.get(OPEN_LINES).json()

    header, sheet = read_xlsx(client.get(OPEN_LINES, {"format": "xlsx"}))

    keys = [
        "purchase_order", "number", "line_no", "date", "supplier", "supplier_code", "supplier_name", "warehouse",
        "warehouse_code", "product", "sku", "name", "unit", "ordered_qty", "received_qty", "open_qty", "unit_price",
        "open_amount", "expected_date", "overdue", "days_overdue",
    ]  # fmt: skip
    assert len(header) == len(keys)
    for row in sheet:
        for index in (3, 18):  # dates come back as datetimes
            if isinstance(row[index], datetime.datetime):
                row[index] = row[index].date().isoformat()
    assert same_rows(data["rows"], sheet[:-1], keys)
    assert sheet[-1][1] == "Total"
    assert D(str(sheet[-1][17])) == D("428.00")


def test_report_queries_do_not_grow_with_the_rows(api_as, purchases, make_user, django_assert_max_num_queries):
    clerk, wh = purchases["clerk"], purchases["wh"]
    manager, buyer = make_user("management"), make_user("purchasing")
    for n in range(6):
        supplier = SupplierFactory()
        product = ProductFactory()
        free_receipt(clerk, supplier, wh, [(product, n + 1, "3.00"), (purchases["a"], 1, "1.00")], date=NOV)
        order(buyer, manager, supplier, wh, [(product, 5, "3.00")], expected_date=NOV)
    client = api_as("management")
    client.get(PURCHASES)  # warm the permission cache of the user

    for url, query, rows in [
        (PURCHASES, {"group_by": "supplier"}, 8),
        (PURCHASES, {"group_by": "product"}, 8),
        (PURCHASES, {"group_by": "month"}, 2),
        (OPEN_LINES, {}, 6),
        ("/api/v1/reports/supplier-performance/", {}, 8),
        ("/api/v1/reports/ap-aging/", {}, 8),
    ]:
        with django_assert_max_num_queries(8):
            response = client.get(url, query)
        assert response.status_code == 200
        assert response.json()["count"] == rows, url
