"""The issue's sales loop over the REST API, each step by the department that does it: stock 20 @
50.00; a salesperson orders 15 @ 80.00 with 13% VAT and confirms it (reserved 15, available 5);
the clerk delivers 10, then 5 (the order is delivered; receivables 904.00 + 452.00 = 1,356.00 at
a cost of 750.00); customer service takes 3 back against the first delivery (stock 8 / 400.00,
a credit note of 271.20). Also: quotations converting into orders, exchanges, the list filters
and the Excel lists."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from apps.finance.models import Receivable
from apps.sales.models import DeliveryLine, Quotation, SalesOrder

from .api_helpers import (
    BALANCES,
    DAY,
    DELIVERIES,
    ORDERS,
    QUOTATIONS,
    RETURNS,
    D,
    confirmed_order,
    deliver,
    draft_delivery,
    draft_order,
    make_world,
    ok,
    order_payload,
    refused,
    return_payload,
    stock,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api_as):
    return make_world(api_as)


def balance(world, client="manager") -> dict:
    rows = ok(world[client].get(BALANCES, {"product": world["product"].pk, "warehouse": world["warehouse"].pk}))
    return rows["results"][0]


def line_figures(line) -> tuple:
    return (line["qty"], line["delivered_qty"], line["open_qty"])


def test_the_sales_loop_over_the_api(world):
    seller, manager, clerk, service = world["seller"], world["manager"], world["clerk"], world["service"]

    # The salesperson orders 15 @ 80.00 + 13% VAT for their customer.
    order = draft_order(world)
    assert order["number"].startswith("SO-")
    assert (order["status"], order["total_net"], order["total_tax"], order["total"]) == (
        "draft",
        "1200.00",
        "156.00",
        "1356.00",
    )
    assert (order["customer"], order["customer_name"], order["warehouse_code"]) == (
        world["customer"].pk,
        "上海华联超市",
        "SH01",
    )
    line = order["lines"][0]
    assert (line["unit_price"], line["tax_rate"], line["net_amount"], line["tax_amount"]) == (
        "80.000000",
        "0.1300",
        "1200.00",
        "156.00",
    )
    assert line_figures(line) == ("15.0000", "0.0000", "15.0000")
    # The draft's credit block: what confirming it would check (no limit for this customer).
    assert order["credit"] == {
        "credit_limit": None,
        "receivables": "0.00",
        "open_orders": "0.00",
        "order_total": "1356.00",
        "exposure": "1356.00",
        "available": None,
    }

    # Confirming reserves the 15: available 5.
    order = ok(seller.post(f"{ORDERS}{order['id']}/confirm/"))
    assert (order["status"], order["confirmed_by"], order["credit_override_reason"]) == (
        "confirmed",
        seller.user.pk,
        "",
    )
    assert order["confirmed_at"] is not None
    assert order["credit"]["open_orders"] == "1356.00"  # now among the confirmed undelivered orders
    assert order["credit"]["order_total"] == "0.00"
    row = balance(world, "seller")
    assert (row["qty"], row["reserved_qty"], row["available_qty"]) == ("20.0000", "15.0000", "5.0000")
    assert "value" not in row and "avg_cost" not in row  # a salesperson sees no costs
    row = balance(world)
    assert (row["value"], row["avg_cost"]) == ("1000.00", "50.000000")

    # The clerk delivers 10 at the order's price; posting takes them out at 50.00.
    delivery = draft_delivery(world, order, 10)
    assert (delivery["status"], delivery["customer"], delivery["warehouse"], delivery["sales_order"]) == (
        "draft",
        world["customer"].pk,
        world["warehouse"].pk,
        order["id"],
    )
    assert (delivery["lines"][0]["unit_price"], delivery["total"]) == ("80.000000", "904.00")
    assert (delivery["lines"][0]["unit_cost"], delivery["total_cost"]) == (None, "0.00")
    first = ok(clerk.post(f"{DELIVERIES}{delivery['id']}/post/"))
    assert first["status"] == "posted"
    assert (first["lines"][0]["unit_cost"], first["lines"][0]["cost_amount"], first["total_cost"]) == (
        "50.000000",
        "500.00",
        "500.00",
    )
    order = ok(seller.get(f"{ORDERS}{order['id']}/"))
    assert order["status"] == "partially_delivered"
    assert line_figures(order["lines"][0]) == ("15.0000", "10.0000", "5.0000")
    assert stock(world) == (D(10), D("500.00"), D(5))

    # The second delivery names only the order: its open 5 are filled in.
    second = ok(clerk.post(DELIVERIES, {"sales_order": order["id"], "date": DAY.isoformat()}), 201)
    assert [(line["qty"], line["sales_order_line"]) for line in second["lines"]] == [
        ("5.0000", order["lines"][0]["id"])
    ]
    second = ok(clerk.post(f"{DELIVERIES}{second['id']}/post/"))
    assert (second["total"], second["total_cost"]) == ("452.00", "250.00")
    order = ok(seller.get(f"{ORDERS}{order['id']}/"))
    assert order["status"] == "delivered"
    assert line_figures(order["lines"][0]) == ("15.0000", "15.0000", "0.0000")
    assert stock(world) == (D(5), D("250.00"), D(0))

    # Two receivables, 1,356.00 in all, due after the customer's 30 days.
    receivables = list(Receivable.objects.filter(customer=world["customer"]).order_by("id"))
    assert [(r.source_number, r.amount, r.due_date) for r in receivables] == [
        (first["number"], D("904.00"), DAY + datetime.timedelta(days=30)),
        (second["number"], D("452.00"), DAY + datetime.timedelta(days=30)),
    ]
    assert sum(r.amount for r in receivables) == D("1356.00")

    # Customer service takes 3 back against the first delivery, at its price and cost.
    returned = ok(service.post(RETURNS, return_payload(first, 3, reason_note="包装破损")), 201)
    assert returned["number"].startswith("SR-")
    assert (returned["customer"], returned["warehouse"], returned["reason"], returned["reason_note"]) == (
        world["customer"].pk,
        world["warehouse"].pk,
        "defective",
        "包装破损",
    )
    assert (returned["lines"][0]["unit_price"], returned["total"]) == ("80.000000", "271.20")
    returned = ok(service.post(f"{RETURNS}{returned['id']}/post/"))
    assert (returned["status"], returned["replacements"]) == ("posted", [])
    assert shows_no_cost(returned)
    assert stock(world) == (D(8), D("400.00"), D(0))
    row = balance(world)
    assert (row["qty"], row["value"], row["avg_cost"]) == ("8.0000", "400.00", "50.000000")
    # The return's cost is the delivery's, as the manager sees; the delivery line knows 3 came back.
    returned = ok(manager.get(f"{RETURNS}{returned['id']}/"))
    assert (returned["lines"][0]["unit_cost"], returned["lines"][0]["cost_amount"], returned["total_cost"]) == (
        "50.000000",
        "150.00",
        "150.00",
    )
    assert ok(clerk.get(f"{DELIVERIES}{first['id']}/"))["lines"][0]["returned_qty"] == "3.0000"
    # The credit note settles the first delivery's receivable first: 632.80 + 452.00 owed.
    notes = Receivable.objects.filter(customer=world["customer"], source_number=returned["number"])
    assert [n.amount for n in notes] == [D("-271.20")]
    owed = Receivable.objects.filter(customer=world["customer"], amount__gt=0).order_by("id")
    assert [r.amount - r.paid - r.credited for r in owed] == [D("632.80"), D("452.00")]


def shows_no_cost(document) -> bool:
    """True when neither the document nor its lines show a cost (customer service's view)."""
    lines_show = any({"unit_cost", "cost_amount"} & set(line) for line in document["lines"])
    return "total_cost" not in document and not lines_show


def test_a_quotation_converts_into_a_draft_order_in_one_step(world):
    seller = world["seller"]
    valid_until = timezone.localdate() + datetime.timedelta(days=14)
    quotation = ok(
        seller.post(QUOTATIONS, {**order_payload(world, qty="15", price="78.50"), "valid_until": str(valid_until)}),
        201,
    )
    assert quotation["number"].startswith("QT-")
    assert (quotation["status"], quotation["valid_until"], quotation["is_expired"], quotation["total"]) == (
        "draft",
        valid_until.isoformat(),
        False,
        "1330.58",  # 15 × 78.50 = 1,177.50 + 153.08 VAT (153.075 rounded half up)
    )
    assert ok(seller.post(f"{QUOTATIONS}{quotation['id']}/send/"))["status"] == "sent"

    response = seller.post(f"{QUOTATIONS}{quotation['id']}/convert/", {"date": DAY.isoformat()})

    order = ok(response, 201)
    assert order["number"].startswith("SO-")
    assert (order["status"], order["quotation"], order["date"], order["customer"], order["total"]) == (
        "draft",
        quotation["id"],
        DAY.isoformat(),
        world["customer"].pk,
        "1330.58",
    )
    assert [(line["product"], line["qty"], line["unit_price"]) for line in order["lines"]] == [
        (world["product"].pk, "15.0000", "78.500000")
    ]
    assert ok(seller.get(f"{QUOTATIONS}{quotation['id']}/"))["status"] == "converted"
    # Converted once: a second conversion is refused and makes no second order.
    refused(seller.post(f"{QUOTATIONS}{quotation['id']}/convert/"), 409, "invalid_state")
    assert SalesOrder.objects.filter(quotation_id=quotation["id"]).count() == 1


def test_an_expired_quotation_does_not_convert(world):
    seller = world["seller"]
    quotation = ok(seller.post(QUOTATIONS, {**order_payload(world), "valid_until": "2020-01-31"}), 201)
    assert quotation["is_expired"] is True

    body = refused(seller.post(f"{QUOTATIONS}{quotation['id']}/convert/"), 409, "invalid_state")

    assert quotation["number"] in body["detail"]
    assert SalesOrder.objects.count() == 0
    assert Quotation.objects.get(pk=quotation["id"]).status == "draft"


def test_a_quotation_is_edited_as_a_draft_and_cancelled(world):
    seller = world["seller"]
    quotation = ok(seller.post(QUOTATIONS, order_payload(world)), 201)

    quotation = ok(
        seller.patch(f"{QUOTATIONS}{quotation['id']}/", {"lines": [{"product": world["product"].pk, "qty": "2"}]})
    )

    # An empty price and rate are the product's: 2 × 80.00 + 13%.
    assert (quotation["lines"][0]["unit_price"], quotation["total"]) == ("80.000000", "180.80")
    assert ok(seller.post(f"{QUOTATIONS}{quotation['id']}/cancel/"))["status"] == "cancelled"
    refused(seller.post(f"{QUOTATIONS}{quotation['id']}/send/"), 409, "invalid_state")


def test_an_exchange_drafts_its_replacement_delivery(world):
    order = confirmed_order(world, qty="5")
    delivery = deliver(world, order, 5)
    assert stock(world) == (D(15), D("750.00"), D(0))

    payload = return_payload(delivery, 2, is_exchange=True, reason="wrong_item")
    returned = ok(world["service"].post(RETURNS, payload), 201)
    assert returned["is_exchange"] is True
    returned = ok(world["service"].post(f"{RETURNS}{returned['id']}/post/"))

    [replacement] = returned["replacements"]
    assert replacement["status"] == "draft"
    assert replacement["number"].startswith("DN-")
    shipped = ok(world["clerk"].get(f"{DELIVERIES}{replacement['id']}/"))
    assert (shipped["replaces"], shipped["customer"], shipped["total"]) == (
        returned["id"],
        world["customer"].pk,
        "180.80",
    )
    assert [(line["qty"], line["unit_price"]) for line in shipped["lines"]] == [("2.0000", "80.000000")]
    assert stock(world) == (D(17), D("850.00"), D(0))
    ok(world["clerk"].post(f"{DELIVERIES}{replacement['id']}/post/"))
    assert stock(world) == (D(15), D("750.00"), D(0))


def test_closing_a_partly_delivered_order_releases_what_is_left(world):
    order = confirmed_order(world)
    deliver(world, order, 10)
    assert stock(world) == (D(10), D("500.00"), D(5))

    order = ok(world["seller"].post(f"{ORDERS}{order['id']}/close/", {"reason": "客户不要了"}))

    assert (order["status"], order["closed_reason"]) == ("closed", "客户不要了")
    assert stock(world) == (D(10), D("500.00"), D(0))


def test_cancelling_a_confirmed_order_releases_its_reservation(world):
    order = confirmed_order(world)
    assert stock(world) == (D(20), D("1000.00"), D(15))

    assert ok(world["seller"].post(f"{ORDERS}{order['id']}/cancel/"))["status"] == "cancelled"

    assert stock(world) == (D(20), D("1000.00"), D(0))


def test_the_order_list_filters(world, api_as):
    from tests.factories import WarehouseFactory

    draft = draft_order(world, qty="1")
    confirmed = confirmed_order(world, qty="2")
    delivered = confirmed_order(world, qty="3")
    deliver(world, delivered, 3)
    other_warehouse = WarehouseFactory(code="BJ01")
    elsewhere = ok(
        world["seller"].post(
            ORDERS,
            {
                **order_payload(world, qty="4"),
                "warehouse": other_warehouse.pk,
                "date": "2026-12-05",
                "customer_reference": "PO-HUALIAN-77",
            },
        ),
        201,
    )
    seller = world["seller"]

    def numbers(**query):
        return sorted(row["number"] for row in ok(seller.get(ORDERS, query))["results"])

    assert numbers(open="true") == sorted([confirmed["number"]])
    assert numbers(open="false") == sorted([draft["number"], delivered["number"], elsewhere["number"]])
    assert numbers(status="draft,delivered") == sorted([draft["number"], delivered["number"], elsewhere["number"]])
    assert numbers(warehouse=other_warehouse.pk) == [elsewhere["number"]]
    assert numbers(date_from="2026-12-01") == [elsewhere["number"]]
    assert numbers(date_to="2026-11-30") == sorted([draft["number"], confirmed["number"], delivered["number"]])
    assert numbers(search="hualian-77") == [elsewhere["number"]]
    assert numbers(search="华联") == sorted(
        [draft["number"], confirmed["number"], delivered["number"], elsewhere["number"]]
    )
    assert numbers(customer=world["other_customer"].pk) == []
    rows = ok(seller.get(ORDERS, {"ordering": "total"}))["results"]
    assert [row["total"] for row in rows] == ["90.40", "180.80", "271.20", "361.60"]
    assert "credit" not in rows[0]  # the credit block is the detail's
    deliveries = ok(world["clerk"].get(DELIVERIES, {"sales_order": delivered["id"], "status": "posted"}))
    assert [row["total"] for row in deliveries["results"]] == ["271.20"]


def test_every_list_downloads_as_excel_without_costs_for_sales(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    ok(world["service"].post(RETURNS, return_payload(delivery, 1)), 201)
    ok(world["seller"].post(QUOTATIONS, order_payload(world)), 201)

    for url, filename, rows in (
        (QUOTATIONS, "quotations", 1),
        (ORDERS, "sales-orders", 1),
        (DELIVERIES, "deliveries", 1),
        (RETURNS, "sales-returns", 1),
    ):
        for client, shows_cost in (("seller", False), ("manager", True)):
            response = world[client].get(url, {"format": "xlsx"})
            assert response.status_code == 200
            assert f'filename="{filename}-' in response["Content-Disposition"]
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            table = list(sheet.values)
            assert len(table) == 1 + rows
            headers = [str(h).lower() for h in table[0]]
            assert "total" in headers
            assert ("cost" in headers) == (shows_cost and url in (DELIVERIES, RETURNS))
            if url == DELIVERIES and shows_cost:
                assert table[1][headers.index("cost")] == 500  # total_cost, a number
            if url == ORDERS:
                assert table[1][headers.index("total")] == Decimal("1356.00")


def test_posting_records_each_delivery_lines_cost(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)

    line = DeliveryLine.objects.get(pk=delivery["lines"][0]["id"])

    assert (line.unit_cost, line.cost_amount) == (D("50.000000"), D("500.00"))
