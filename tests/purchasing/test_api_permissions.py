"""Who may do what with the purchasing and payables API, and that every refusal changes
nothing: the list matrix by department (written out by hand), the clerk who receives but does
not approve, no self-approval, the approval threshold, warehouse scope on receipts, finance not
ordering, sales not reading payables."""

import pytest
from django.utils import timezone

from apps.inventory.models import StockBalance
from apps.purchasing.models import PurchaseOrder, PurchaseReceipt
from tests.factories import WarehouseFactory
from tests.finance.api_helpers import (
    ORDERS,
    PAYABLES,
    PAYMENTS,
    RECEIPTS,
    RETURNS,
    D,
    approved_order,
    draft_order,
    draft_receipt,
    make_world,
    ok,
    receive,
    refused,
    snapshot,
    stock,
)

pytestmark = pytest.mark.django_db

ACTORS = ["warehouse", "purchasing", "sales", "finance", "customer_service", "management", "it_admin", "anonymous"]
# fmt: off
LISTS = {
    #  resource                    warehouse purchasing sales finance cust_service management it_admin anonymous
    "purchase-orders":            (200,      200,       403,  200,    403,         200,       403,     401),
    "purchase-receipts":          (200,      200,       403,  200,    403,         200,       403,     401),
    "purchase-returns":           (200,      200,       403,  200,    403,         200,       403,     401),
    "payables":                   (403,      200,       403,  200,    403,         200,       403,     401),
    "supplier-payments":          (403,      403,       403,  200,    403,         200,       403,     401),
    "supplier-products":          (200,      200,       403,  200,    403,         200,       403,     401),
}
# fmt: on


@pytest.fixture
def world(api_as):
    return make_world(api_as)


@pytest.mark.parametrize("resource", list(LISTS))
@pytest.mark.parametrize("actor", ACTORS)
def test_who_reads_each_list(api_as, resource, actor):
    client = api_as(None if actor == "anonymous" else actor)
    expected = LISTS[resource][ACTORS.index(actor)]

    assert client.get(f"/api/v1/{resource}/").status_code == expected
    assert client.get(f"/api/v1/{resource}/", {"format": "xlsx"}).status_code == expected


@pytest.mark.parametrize(
    ("actor", "status"),
    [("purchasing", 201), ("management", 201), ("warehouse", 403), ("finance", 403), ("sales", 403)],
)
def test_who_creates_purchase_orders(world, api_as, actor, status):
    client = api_as(actor, warehouses=[world["warehouse"]])
    before = snapshot()

    response = client.post(
        ORDERS,
        {
            "supplier": world["supplier"].pk,
            "warehouse": world["warehouse"].pk,
            "lines": [{"product": world["product"].pk, "qty": "5"}],
        },
    )

    assert response.status_code == status
    if status == 403:
        assert snapshot() == before
    else:  # the price defaults to the product's purchase price
        assert response.json()["lines"][0]["unit_price"] == "9.000000"


def test_a_clerk_receives_but_cannot_approve(world):
    order = draft_order(world)
    ok(world["buyer"].post(f"{ORDERS}{order['id']}/submit/"))
    before = snapshot()

    refused(world["clerk"].post(f"{ORDERS}{order['id']}/approve/"), 403)
    refused(world["clerk"].post(f"{ORDERS}{order['id']}/reject/"), 403)
    refused(world["finance"].post(f"{ORDERS}{order['id']}/approve/"), 403)

    assert snapshot() == before
    order = ok(world["manager"].post(f"{ORDERS}{order['id']}/approve/"))
    receipt = receive(world, order, 30)
    assert receipt["status"] == "posted"
    assert stock(world) == (D(30), D("300.00"), D(70))


def test_a_buyer_cannot_approve_their_own_order(world):
    order = draft_order(world)
    ok(world["buyer"].post(f"{ORDERS}{order['id']}/submit/"))
    before = snapshot()

    body = refused(world["buyer"].post(f"{ORDERS}{order['id']}/approve/"), 409, "self_approval")

    assert order["number"] in body["detail"]
    assert snapshot() == before
    assert PurchaseOrder.objects.get(pk=order["id"]).status == "submitted"
    assert not StockBalance.objects.exists()  # nothing counts as ordered


def test_above_the_threshold_only_management_approves(world, settings):
    settings.JXC_PO_APPROVAL_THRESHOLD = "1000"
    order = draft_order(world)  # 1,130.00
    ok(world["buyer"].post(f"{ORDERS}{order['id']}/submit/"))
    before = snapshot()

    refused(world["buyer2"].post(f"{ORDERS}{order['id']}/approve/"), 403)
    assert snapshot() == before
    assert [o["id"] for o in ok(world["buyer2"].get(ORDERS, {"awaiting_approval": "true"}))["results"]] == []
    assert [o["id"] for o in ok(world["manager"].get(ORDERS, {"awaiting_approval": "true"}))["results"]] == [
        order["id"]
    ]

    assert ok(world["manager"].post(f"{ORDERS}{order['id']}/approve/"))["status"] == "approved"
    assert stock(world) == (D(0), D(0), D(100))


def test_awaiting_approval_lists_the_submitted_orders_of_others(world):
    mine = draft_order(world)
    theirs = draft_order(world, client="buyer2")
    draft = draft_order(world, client="buyer2")
    for order, client in ((mine, "buyer"), (theirs, "buyer2")):
        ok(world[client].post(f"{ORDERS}{order['id']}/submit/"))

    def waiting(client, value="true"):
        return sorted(o["id"] for o in ok(world[client].get(ORDERS, {"awaiting_approval": value}))["results"])

    assert waiting("buyer") == [theirs["id"]]
    assert waiting("buyer2") == [mine["id"]]
    assert waiting("manager") == sorted([mine["id"], theirs["id"]])
    assert waiting("clerk") == []  # reads orders, approves none
    assert waiting("buyer", "false") == sorted([mine["id"], draft["id"]])
    refused(world["buyer"].get(ORDERS, {"awaiting_approval": "maybe"}), 400)


def test_a_buyer_sends_an_order_back_with_a_reason(world):
    order = draft_order(world)
    ok(world["buyer"].post(f"{ORDERS}{order['id']}/submit/"))

    order = ok(world["buyer2"].post(f"{ORDERS}{order['id']}/reject/", {"reason": "价格太高"}))

    assert order["status"] == "draft"
    assert "价格太高" in order["note"]
    # Back to draft, the buyer may change it again.
    order = ok(
        world["buyer"].patch(f"{ORDERS}{order['id']}/", {"lines": [{"product": world["product"].pk, "qty": "50"}]})
    )
    assert (order["total"], order["lines"][0]["unit_price"]) == ("508.50", "9.000000")


def test_sales_cannot_read_payables_or_payments(world, api_as):
    order = approved_order(world)
    receive(world, order, 10)
    sales = api_as("sales")

    refused(sales.get(PAYABLES), 403)
    refused(sales.get(PAYABLES, {"format": "xlsx"}), 403)
    refused(sales.get(PAYMENTS), 403)
    refused(sales.post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "10"}), 403)
    assert ok(world["buyer"].get(PAYABLES))["count"] == 1  # buyers see what is owed


def test_finance_pays_and_nobody_else(world):
    order = approved_order(world)
    receive(world, order, 10)
    before = snapshot()

    for client in ("buyer", "clerk"):
        refused(world[client].post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "10"}), 403)
    assert snapshot() == before
    payment = ok(world["finance"].post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "10"}), 201)
    refused(world["buyer"].post(f"{PAYMENTS}{payment['id']}/post/"), 403)
    assert snapshot()["payables"] == before["payables"]
    assert ok(world["finance"].post(f"{PAYMENTS}{payment['id']}/post/"))["status"] == "posted"


def test_buyers_read_receipts_but_do_not_receive(world):
    order = approved_order(world)
    receipt = draft_receipt(world, order, 10)
    before = snapshot()

    refused(world["buyer"].post(RECEIPTS, {"purchase_order": order["id"]}), 403)
    refused(world["buyer"].post(f"{RECEIPTS}{receipt['id']}/post/"), 403)
    refused(world["finance"].post(f"{RECEIPTS}{receipt['id']}/post/"), 403)

    assert snapshot() == before
    assert ok(world["buyer"].get(f"{RECEIPTS}{receipt['id']}/"))["status"] == "draft"


def test_a_clerk_cannot_receive_into_a_warehouse_they_do_not_operate(world, api_as):
    other = WarehouseFactory(code="SZ01")
    outsider = api_as("warehouse", warehouses=[other])
    order = approved_order(world)
    before = snapshot()

    # Against an order of another warehouse, or without an order: 403, nothing written.
    refused(outsider.post(RECEIPTS, {"purchase_order": order["id"]}), 403)
    refused(
        outsider.post(
            RECEIPTS,
            {
                "supplier": world["supplier"].pk,
                "warehouse": world["warehouse"].pk,
                "lines": [{"product": world["product"].pk, "qty": "5", "unit_cost": "10"}],
            },
        ),
        403,
    )
    assert snapshot() == before

    # Their own draft cannot be moved into that warehouse either.
    receipt = ok(
        outsider.post(
            RECEIPTS,
            {
                "supplier": world["supplier"].pk,
                "warehouse": other.pk,
                "lines": [{"product": world["product"].pk, "qty": "5", "unit_cost": "10"}],
            },
        ),
        201,
    )
    refused(outsider.patch(f"{RECEIPTS}{receipt['id']}/", {"warehouse": world["warehouse"].pk}), 403)
    assert PurchaseReceipt.objects.get(pk=receipt["id"]).warehouse == other

    # The other warehouse's receipts are not even visible to them: posting one is a 404.
    theirs = draft_receipt(world, order, 10)
    before = snapshot()
    refused(outsider.post(f"{RECEIPTS}{theirs['id']}/post/"), 404)
    refused(outsider.post(f"{RECEIPTS}{theirs['id']}/cancel/"), 404)
    assert snapshot() == before
    assert [r["id"] for r in ok(outsider.get(RECEIPTS))["results"]] == [receipt["id"]]


def test_a_clerk_returns_only_from_their_warehouse(world, api_as):
    order = approved_order(world)
    receipt = receive(world, order, 20)
    outsider = api_as("warehouse", warehouses=[WarehouseFactory(code="SZ01")])
    before = snapshot()

    refused(
        outsider.post(
            RETURNS,
            {
                "purchase_receipt": receipt["id"],
                "lines": [{"purchase_receipt_line": receipt["lines"][0]["id"], "qty": "1"}],
            },
        ),
        403,
    )

    assert snapshot() == before


@pytest.mark.parametrize(("actor", "status"), [("purchasing", 201), ("management", 201), ("warehouse", 403)])
def test_who_writes_supplier_products(world, api_as, actor, status):
    response = api_as(actor).post(
        "/api/v1/supplier-products/",
        {"supplier": world["supplier"].pk, "product": world["product"].pk, "lead_time_days": 5},
    )

    assert response.status_code == status
    assert world["supplier"].products.count() == (1 if status == 201 else 0)


def test_dates_default_to_today(world):
    order = ok(
        world["buyer"].post(
            ORDERS,
            {
                "supplier": world["supplier"].pk,
                "warehouse": world["warehouse"].pk,
                "lines": [{"product": world["product"].pk, "qty": "1"}],
            },
        ),
        201,
    )
    assert order["date"] == timezone.localdate().isoformat()
