"""The issue's purchase loop over the REST API, each step by the department that does it: a
buyer orders 100 @ 10.00 with 13% VAT, another buyer approves, the clerk receives 60 then 40,
finance pays 500, the clerk returns 10 against the first receipt. Exact stock, order, payable
and payment figures at each step, read back through the API."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from apps.finance.models import CashAccount
from tests.finance.api_helpers import (
    DAY,
    ORDERS,
    PAYABLES,
    PAYMENTS,
    RECEIPTS,
    RETURNS,
    approved_order,
    draft_order,
    make_world,
    ok,
    receive,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api_as):
    return make_world(api_as)


def balance(world, client="manager") -> tuple:
    rows = ok(
        world[client].get(
            "/api/v1/stock-balances/", {"product": world["product"].pk, "warehouse": world["warehouse"].pk}
        )
    )["results"]
    return (rows[0]["qty"], rows[0]["value"], rows[0]["ordered_qty"]) if rows else None


def outstanding(world) -> list[tuple]:
    rows = ok(world["finance"].get(PAYABLES, {"supplier": world["supplier"].pk, "ordering": "due_date"}))["results"]
    return [(row["source_number"], row["amount"], row["outstanding"], row["status"]) for row in rows]


def test_the_purchase_loop_over_the_api(world):
    buyer, manager, clerk, finance = world["buyer"], world["manager"], world["clerk"], world["finance"]

    # A buyer orders 100 @ 10.00 + 13% VAT.
    order = draft_order(world)
    assert (order["status"], order["total_net"], order["total_tax"], order["total"]) == (
        "draft",
        "1000.00",
        "130.00",
        "1130.00",
    )
    line = order["lines"][0]
    assert (line["qty"], line["unit_price"], line["tax_rate"], line["received_qty"]) == (
        "100.0000",
        "10.000000",
        "0.1300",
        "0.0000",
    )
    assert (line["net_amount"], line["tax_amount"]) == ("1000.00", "130.00")
    assert order["created_by"] == buyer.user.pk
    assert order["number"].startswith("PO-")

    order = ok(buyer.post(f"{ORDERS}{order['id']}/submit/"))
    assert order["status"] == "submitted"
    assert balance(world) is None  # nothing counts as ordered before approval

    # The manager approves it (someone other than its creator).
    order = ok(manager.post(f"{ORDERS}{order['id']}/approve/"))
    assert (order["status"], order["approved_by"]) == ("approved", manager.user.pk)
    assert order["approved_at"] is not None
    assert balance(world) == ("0.0000", "0.00", "100.0000")

    # The clerk receives 60: a receipt created from the order alone lists its open quantities...
    receipt = ok(clerk.post(RECEIPTS, {"purchase_order": order["id"], "date": DAY.isoformat()}), 201)
    assert (receipt["supplier"], receipt["warehouse"], receipt["status"]) == (
        world["supplier"].pk,
        world["warehouse"].pk,
        "draft",
    )
    assert [(x["product"], x["qty"], x["unit_cost"], x["purchase_order_line"]) for x in receipt["lines"]] == [
        (world["product"].pk, "100.0000", "10.000000", line["id"])
    ]
    assert receipt["total"] == "1130.00"
    # ... and the clerk types what came: 60 (the product is filled in from the order line).
    receipt = ok(
        clerk.patch(f"{RECEIPTS}{receipt['id']}/", {"lines": [{"purchase_order_line": line["id"], "qty": "60"}]})
    )
    assert [(x["product"], x["qty"]) for x in receipt["lines"]] == [(world["product"].pk, "60.0000")]
    assert (receipt["total_net"], receipt["total_tax"], receipt["total"]) == ("600.00", "78.00", "678.00")
    first = ok(clerk.post(f"{RECEIPTS}{receipt['id']}/post/"))
    assert first["status"] == "posted"

    order = ok(buyer.get(f"{ORDERS}{order['id']}/"))
    assert (order["status"], order["lines"][0]["received_qty"]) == ("partially_received", "60.0000")
    assert balance(world) == ("60.0000", "600.00", "40.0000")

    # The rest the next day.
    second = receive(world, order, 40, day=DAY + datetime.timedelta(days=1))
    assert second["total"] == "452.00"
    order = ok(buyer.get(f"{ORDERS}{order['id']}/"))
    assert (order["status"], order["lines"][0]["received_qty"]) == ("received", "100.0000")
    assert balance(world) == ("100.0000", "1000.00", "0.0000")
    assert balance(world, "clerk") == ("100.0000", "1000.00", "0.0000")

    # Payables: 1,130.00 in all, due after the supplier's 30 days.
    rows = ok(finance.get(PAYABLES, {"supplier": world["supplier"].pk, "ordering": "due_date"}))["results"]
    assert [(r["source_type"], r["source_number"], r["date"], r["due_date"], r["amount"]) for r in rows] == [
        ("purchase_receipt", first["number"], "2026-11-02", "2026-12-02", "678.00"),
        ("purchase_receipt", second["number"], "2026-11-03", "2026-12-03", "452.00"),
    ]
    assert outstanding(world) == [
        (first["number"], "678.00", "678.00", "open"),
        (second["number"], "452.00", "452.00", "open"),
    ]

    # Finance pays 500 from the default account, allocated oldest first.
    payment = ok(finance.post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "500"}), 201)
    assert (payment["status"], payment["amount"], payment["allocations"]) == ("draft", "500.00", [])
    assert payment["account"] == CashAccount.objects.get(is_default=True).pk
    payment = ok(finance.post(f"{PAYMENTS}{payment['id']}/post/"))
    assert payment["status"] == "posted"
    assert [(a["payable"], a["source_number"], a["amount"]) for a in payment["allocations"]] == [
        (rows[0]["id"], first["number"], "500.00")
    ]
    assert outstanding(world) == [
        (first["number"], "678.00", "178.00", "open"),
        (second["number"], "452.00", "452.00", "open"),
    ]
    assert sum(Decimal(row[2]) for row in outstanding(world)) == Decimal("630.00")

    # The clerk returns 10 of the first receipt: at its cost, netted against its payable.
    returned = ok(
        clerk.post(
            RETURNS,
            {
                "purchase_receipt": first["id"],
                "date": (DAY + datetime.timedelta(days=2)).isoformat(),
                "reason": "破损",
                "lines": [{"purchase_receipt_line": first["lines"][0]["id"], "qty": "10"}],
            },
        ),
        201,
    )
    assert [(x["product"], x["unit_cost"], x["tax_rate"]) for x in returned["lines"]] == [
        (world["product"].pk, "10.000000", "0.1300")
    ]
    returned = ok(clerk.post(f"{RETURNS}{returned['id']}/post/"))
    assert (returned["status"], returned["total"], returned["lines"][0]["stock_value"]) == (
        "posted",
        "113.00",
        "100.00",
    )
    assert balance(world) == ("90.0000", "900.00", "0.0000")
    assert ok(clerk.get(f"{RECEIPTS}{first['id']}/"))["lines"][0]["returned_qty"] == "10.0000"
    assert outstanding(world) == [
        (returned["number"], "-113.00", "0.00", "paid"),  # the debit note, due at once, fully used
        (first["number"], "678.00", "65.00", "open"),
        (second["number"], "452.00", "452.00", "open"),
    ]
    still_open = ok(finance.get(PAYABLES, {"supplier": world["supplier"].pk, "status": "open"}))["results"]
    assert [row["outstanding"] for row in still_open] == ["65.00", "452.00"]
    assert sum(Decimal(row["outstanding"]) for row in still_open) == Decimal("517.00")


@pytest.mark.parametrize(
    ("url", "name"), [(ORDERS, "purchase-orders"), (RECEIPTS, "purchase-receipts"), (RETURNS, "purchase-returns")]
)
def test_each_document_list_downloads_as_excel_with_the_json_rows(world, url, name):
    order = approved_order(world)
    receipt = receive(world, order, 60)
    line = receipt["lines"][0]["id"]
    ok(
        world["clerk"].post(
            RETURNS, {"purchase_receipt": receipt["id"], "lines": [{"purchase_receipt_line": line, "qty": "6"}]}
        ),
        201,
    )
    draft_order(world, qty="3")
    expected = ok(world["manager"].get(url, {"ordering": "number"}))["results"]

    response = world["manager"].get(url, {"ordering": "number", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="{name}-')
    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert "Lines" not in header  # the lines stay in JSON
    number, total, status = header.index("Number"), header.index("Total"), header.index("Status")
    assert [(row[number], Decimal(str(row[total])), row[status]) for row in rows] == [
        (doc["number"], Decimal(doc["total"]), doc["status"]) for doc in expected
    ]
    assert len(rows) == {"purchase-orders": 2, "purchase-receipts": 1, "purchase-returns": 1}[name]
