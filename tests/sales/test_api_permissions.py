"""Who may do what with the sales API, and that every refusal changes nothing: the list matrix
by department (written out by hand), a salesperson confined to their own customers (another's
order is a 404 and absent from lists; another's customer cannot be written), costs hidden from
sales and customer service everywhere (documents, stock balances, products, Excel), payables
closed to them, customer service returning but not delivering, the clerk who ships but does not
confirm, and the credit override kept for management."""

import io

import openpyxl
import pytest

from apps.sales.models import SalesOrder

from .api_helpers import (
    BALANCES,
    DELIVERIES,
    ORDERS,
    PAYABLES,
    PRODUCTS,
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
    snapshot,
    stock,
)

pytestmark = pytest.mark.django_db

ACTORS = ["warehouse", "purchasing", "sales", "finance", "customer_service", "management", "it_admin", "anonymous"]
# fmt: off
LISTS = {
    #  resource          warehouse purchasing sales finance cust_service management it_admin anonymous
    "quotations":       (403,      403,       200,  200,    200,         200,       403,     401),
    "sales-orders":     (200,      403,       200,  200,    200,         200,       403,     401),
    "deliveries":       (200,      403,       200,  200,    200,         200,       403,     401),
    "sales-returns":    (200,      403,       200,  200,    200,         200,       403,     401),
    "payables":         (403,      200,       403,  200,    403,         200,       403,     401),
}
# fmt: on
COST_FIELDS = {"unit_cost", "cost_amount", "total_cost", "value", "avg_cost", "purchase_price"}


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


# --- A salesperson and their own customers ---------------------------------------------------


def test_another_salespersons_order_is_a_404_and_absent_from_lists(world):
    mine = confirmed_order(world, qty="2")
    theirs = confirmed_order(world, qty="3", client="other_seller", customer=world["other_customer"])
    delivery = deliver(world, theirs, 3)
    seller = world["seller"]
    before = snapshot()

    assert [row["number"] for row in ok(seller.get(ORDERS))["results"]] == [mine["number"]]
    assert ok(seller.get(ORDERS, {"customer": world["other_customer"].pk}))["count"] == 0
    assert ok(seller.get(ORDERS, {"search": theirs["number"]}))["count"] == 0
    assert ok(seller.get(DELIVERIES))["count"] == 0
    sheet = openpyxl.load_workbook(io.BytesIO(seller.get(ORDERS, {"format": "xlsx"}).content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [mine["number"]]
    refused(seller.get(f"{ORDERS}{theirs['id']}/"), 404)
    refused(seller.get(f"{DELIVERIES}{delivery['id']}/"), 404)
    refused(seller.patch(f"{ORDERS}{theirs['id']}/", {"note": "x"}), 404)
    refused(seller.post(f"{ORDERS}{theirs['id']}/close/"), 404)
    refused(seller.post(f"{ORDERS}{theirs['id']}/cancel/"), 404)
    # Their own order is there, with its credit block (they see the customer).
    assert ok(seller.get(f"{ORDERS}{mine['id']}/"))["credit"]["open_orders"] == "180.80"

    assert snapshot() == before
    assert SalesOrder.objects.get(pk=theirs["id"]).status == "delivered"


def test_a_salesperson_cannot_write_for_another_salespersons_customer(world):
    theirs = draft_order(world, client="other_seller", customer=world["other_customer"])
    quotation = ok(world["other_seller"].post(QUOTATIONS, order_payload(world, customer=world["other_customer"])), 201)
    mine = draft_order(world, qty="1")
    seller = world["seller"]
    before = snapshot()

    for url in (ORDERS, QUOTATIONS):
        body = refused(seller.post(url, order_payload(world, customer=world["other_customer"])), 400)
        assert list(body) == ["customer"]
        assert "does not exist" in body["customer"][0]
    body = refused(seller.patch(f"{ORDERS}{mine['id']}/", {"customer": world["other_customer"].pk}), 400)
    assert list(body) == ["customer"]
    refused(seller.post(f"{ORDERS}{theirs['id']}/confirm/"), 404)
    refused(seller.post(f"{QUOTATIONS}{quotation['id']}/convert/"), 404)

    assert snapshot() == before
    assert SalesOrder.objects.get(pk=mine["id"]).customer == world["customer"]
    assert stock(world) == (D(20), D("1000.00"), D(0))


def test_a_clerk_writes_only_warehouses_they_read(world):
    from tests.factories import WarehouseFactory

    elsewhere = WarehouseFactory(code="BJ01")
    order = ok(world["manager"].post(ORDERS, {**order_payload(world, qty="1"), "warehouse": elsewhere.pk}), 201)
    order = ok(world["manager"].post(f"{ORDERS}{order['id']}/confirm/"))
    before = snapshot()

    # A free delivery from a warehouse the clerk does not read: 400, as if it did not exist.
    body = refused(
        world["clerk"].post(
            DELIVERIES,
            {
                "customer": world["customer"].pk,
                "warehouse": elsewhere.pk,
                "lines": [{"product": world["product"].pk, "qty": "1"}],
            },
        ),
        400,
    )
    assert list(body) == ["warehouse"]
    # Against an order of that warehouse: 403, the clerk does not operate it.
    refused(world["clerk"].post(DELIVERIES, {"sales_order": order["id"]}), 403)

    assert snapshot() == before


def test_a_delivery_the_clerk_cannot_see_is_a_400_on_their_return(world, api_as):
    from tests.factories import WarehouseFactory

    from .api_helpers import stock_in

    elsewhere = WarehouseFactory(code="BJ01")
    stock_in(world, "10", "50.00", warehouse=elsewhere)
    manager = world["manager"]
    order = ok(manager.post(ORDERS, {**order_payload(world, qty="4"), "warehouse": elsewhere.pk}), 201)
    order = ok(manager.post(f"{ORDERS}{order['id']}/confirm/"))
    delivery = ok(manager.post(DELIVERIES, {"sales_order": order["id"]}), 201)
    delivery = ok(manager.post(f"{DELIVERIES}{delivery['id']}/post/"))
    clerk = world["clerk"]  # works in SH01 only
    before = snapshot()

    refused(clerk.get(f"{DELIVERIES}{delivery['id']}/"), 404)
    body = refused(clerk.post(RETURNS, return_payload(delivery, 1)), 400)
    assert set(body) == {"delivery", "lines"}
    assert "does not exist" in body["delivery"][0]
    assert "does not exist" in body["lines"]["0"]["delivery_line"][0]
    # Customer service reads every warehouse: the same return is theirs to take.
    assert snapshot() == before
    returned = ok(world["service"].post(RETURNS, return_payload(delivery, 1)), 201)
    assert returned["warehouse"] == elsewhere.pk


# --- Costs: not for sales nor customer service -------------------------------------------------


def _fields(document) -> set:
    found = set(document)
    for line in document.get("lines", []):
        found |= set(line)
    return found


@pytest.mark.parametrize(("actor", "sees"), [("seller", False), ("service", False), ("manager", True), ("clerk", True)])
def test_costs_are_shown_only_to_those_who_may_see_them(world, actor, sees):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    returned = ok(world["service"].post(RETURNS, return_payload(delivery, 2)), 201)
    ok(world["service"].post(f"{RETURNS}{returned['id']}/post/"))
    client = world[actor]

    documents = [
        ok(client.get(f"{DELIVERIES}{delivery['id']}/")),
        ok(client.get(DELIVERIES))["results"][0],
        ok(client.get(f"{RETURNS}{returned['id']}/")),
        ok(client.get(RETURNS))["results"][0],
    ]
    balance = ok(client.get(BALANCES, {"product": world["product"].pk}))["results"][0]
    product = ok(client.get(f"{PRODUCTS}{world['product'].pk}/"))

    for document in documents:
        assert bool({"unit_cost", "cost_amount", "total_cost"} & _fields(document)) is sees
    assert ({"value", "avg_cost"} <= set(balance)) is sees
    assert ("purchase_price" in product) is sees
    assert balance["reserved_qty"] == "5.0000"  # the quantities are for everyone
    assert (balance["qty"], balance["available_qty"]) == ("12.0000", "7.0000")
    if sees:
        assert (documents[0]["total_cost"], documents[2]["total_cost"]) == ("500.00", "100.00")
        assert (balance["value"], balance["avg_cost"], product["purchase_price"]) == (
            "600.00",
            "50.000000",
            "45.00",
        )
    # Nor in the Excel downloads: no cost or value column.
    for url in (DELIVERIES, RETURNS, BALANCES, PRODUCTS):
        sheet = openpyxl.load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
        headers = {str(cell).lower() for cell in next(sheet.iter_rows(max_row=1, values_only=True))}
        assert bool(headers & {"cost", "value", "average cost", "purchase price"}) is sees, (url, headers)


def test_sales_and_customer_service_cannot_read_payables(world):
    for actor in ("seller", "service"):
        refused(world[actor].get(PAYABLES), 403)
        refused(world[actor].get(PAYABLES, {"format": "xlsx"}), 403)
        refused(world[actor].get(f"{PAYABLES}1/"), 403)
    assert ok(world["finance"].get(PAYABLES))["count"] == 0


# --- Customer service returns but does not deliver; the clerk ships but does not confirm -------


def test_customer_service_returns_but_does_not_deliver(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    draft = draft_delivery(world, order, 5)
    service = world["service"]
    before = snapshot()

    refused(service.post(DELIVERIES, {"sales_order": order["id"]}), 403)
    refused(service.post(f"{DELIVERIES}{draft['id']}/post/"), 403)
    refused(service.post(f"{DELIVERIES}{delivery['id']}/cancel/"), 403)
    refused(service.patch(f"{DELIVERIES}{draft['id']}/", {"note": "x"}), 403)
    assert snapshot() == before

    returned = ok(service.post(RETURNS, return_payload(delivery, 3)), 201)
    returned = ok(service.post(f"{RETURNS}{returned['id']}/post/"))

    assert returned["status"] == "posted"
    assert stock(world) == (D(13), D("650.00"), D(5))


def test_a_clerk_ships_but_does_not_confirm_or_close(world):
    order = draft_order(world)
    clerk = world["clerk"]
    before = snapshot()

    refused(clerk.post(f"{ORDERS}{order['id']}/confirm/"), 403)
    refused(clerk.post(ORDERS, order_payload(world)), 403)
    refused(clerk.post(f"{ORDERS}{order['id']}/cancel/"), 403)

    assert snapshot() == before
    assert stock(world) == (D(20), D("1000.00"), D(0))
    order = ok(world["seller"].post(f"{ORDERS}{order['id']}/confirm/"))
    refused(clerk.post(f"{ORDERS}{order['id']}/close/"), 403)
    assert deliver(world, order, 15)["status"] == "posted"


def test_sales_does_not_post_deliveries_nor_returns(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    seller = world["seller"]
    before = snapshot()

    refused(seller.post(DELIVERIES, {"sales_order": order["id"]}), 403)
    refused(seller.post(RETURNS, return_payload(delivery, 1)), 403)
    refused(seller.post(f"{DELIVERIES}{delivery['id']}/cancel/"), 403)

    assert snapshot() == before


# --- The credit override is management's --------------------------------------------------------


def test_a_salesperson_cannot_override_the_credit_limit(world):
    customer = world["customer"]
    customer.credit_limit = D("1000.00")
    customer.save()
    order = draft_order(world)
    before = snapshot()

    refused(world["seller"].post(f"{ORDERS}{order['id']}/confirm/", {"override_reason": "老客户"}), 403)

    assert snapshot() == before
    assert SalesOrder.objects.get(pk=order["id"]).status == "draft"
    assert stock(world) == (D(20), D("1000.00"), D(0))


def test_management_overrides_the_credit_limit_with_a_recorded_reason(world):
    customer = world["customer"]
    customer.credit_limit = D("1000.00")
    customer.save()
    order = draft_order(world)
    manager = world["manager"]

    order = ok(manager.post(f"{ORDERS}{order['id']}/confirm/", {"override_reason": "  老客户，月底回款  "}))

    assert order["status"] == "confirmed"
    assert (order["credit_override_reason"], order["credit_override_by"], order["confirmed_by"]) == (
        "老客户，月底回款",
        manager.user.pk,
        manager.user.pk,
    )
    assert order["credit"] == {
        "credit_limit": "1000.00",
        "receivables": "0.00",
        "open_orders": "1356.00",
        "order_total": "0.00",
        "exposure": "1356.00",
        "available": "-356.00",
    }
    assert stock(world) == (D(20), D("1000.00"), D(15))
    # The salesperson sees who overrode it and why.
    mine = ok(world["seller"].get(f"{ORDERS}{order['id']}/"))
    assert (mine["credit_override_reason"], mine["credit_override_by"]) == ("老客户，月底回款", manager.user.pk)
