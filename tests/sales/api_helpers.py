"""Shared set-up of the sales API tests: a warehouse holding 20 @ 50.00, a product sold at 80.00
with 13% VAT, a salesperson and their customer (30 days' terms, no credit limit), another
salesperson with a customer of their own, and one client per department involved (each an
APIClient; the user is ``client.user``)."""

import datetime
from decimal import Decimal

from apps.finance.models import CustomerReceipt, Receivable
from apps.inventory import ledger
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.sales.models import (
    Delivery,
    DeliveryLine,
    Quotation,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
)
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.finance.api_helpers import ok, refused  # noqa: F401  (re-exported for the sales tests)

D = Decimal
DAY = datetime.date(2026, 11, 2)
QUOTATIONS, ORDERS = "/api/v1/quotations/", "/api/v1/sales-orders/"
DELIVERIES, RETURNS = "/api/v1/deliveries/", "/api/v1/sales-returns/"
BALANCES, PRODUCTS, PAYABLES = "/api/v1/stock-balances/", "/api/v1/products/", "/api/v1/payables/"
COSTS = {"unit_cost", "cost_amount"}


def stock_in(world, qty, cost, product=None, warehouse=None) -> None:
    ledger.post(
        source=ledger.Source(type="test_opening", id=StockLedgerEntry.objects.count() + 1, number="OPEN"),
        movements=[
            ledger.Movement(
                product=(product or world["product"]).pk,
                warehouse=(warehouse or world["warehouse"]).pk,
                qty=D(qty),
                unit_cost=D(cost),
            )
        ],
        user=world["manager"].user,
        date=DAY,
    )


def make_world(api_as) -> dict:
    warehouse = WarehouseFactory(code="SH01")
    seller, other_seller = api_as("sales"), api_as("sales")
    world = {
        "warehouse": warehouse,
        "product": ProductFactory(sku="SP0001", sale_price=D("80.00"), purchase_price=D("45.00"), tax_rate=D("0.13")),
        "seller": seller,
        "other_seller": other_seller,
        "customer": CustomerFactory(
            code="KH001", name="上海华联超市", payment_terms_days=30, salesperson=seller.user, credit_limit=None
        ),
        "other_customer": CustomerFactory(
            code="KH002", name="苏州美家便利", payment_terms_days=30, salesperson=other_seller.user, credit_limit=None
        ),
        "manager": api_as("management"),
        "clerk": api_as("warehouse", warehouses=[warehouse]),
        "service": api_as("customer_service"),
        "finance": api_as("finance"),
    }
    stock_in(world, "20", "50.00")
    return world


def order_payload(world, qty="15", price="80.00", customer=None, **extra) -> dict:
    return {
        "customer": (customer or world["customer"]).pk,
        "warehouse": world["warehouse"].pk,
        "date": DAY.isoformat(),
        "lines": [{"product": world["product"].pk, "qty": qty, "unit_price": price, "tax_rate": "0.13"}],
        **extra,
    }


def draft_order(world, qty="15", price="80.00", client="seller", customer=None) -> dict:
    return ok(world[client].post(ORDERS, order_payload(world, qty, price, customer)), 201)


def confirmed_order(world, qty="15", price="80.00", client="seller", customer=None) -> dict:
    order = draft_order(world, qty, price, client, customer)
    return ok(world[client].post(f"{ORDERS}{order['id']}/confirm/"))


def draft_delivery(world, order, qty, client="clerk") -> dict:
    return ok(
        world[client].post(
            DELIVERIES,
            {
                "sales_order": order["id"],
                "date": DAY.isoformat(),
                "lines": [{"sales_order_line": order["lines"][0]["id"], "qty": str(qty)}],
            },
        ),
        201,
    )


def deliver(world, order, qty) -> dict:
    delivery = draft_delivery(world, order, qty)
    return ok(world["clerk"].post(f"{DELIVERIES}{delivery['id']}/post/"))


def return_payload(delivery, qty, **extra) -> dict:
    return {
        "delivery": delivery["id"],
        "date": DAY.isoformat(),
        "reason": "defective",
        "lines": [{"delivery_line": delivery["lines"][0]["id"], "qty": str(qty)}],
        **extra,
    }


def stock(world, warehouse=None) -> tuple:
    """(on hand, value, reserved) of the product in the warehouse, from the database."""
    row = StockBalance.objects.filter(product=world["product"], warehouse=warehouse or world["warehouse"]).first()
    return (row.qty, row.value, row.reserved_qty) if row else (D(0), D(0), D(0))


def snapshot() -> dict:
    """Counts and sums that any sales write would change (for "a refusal changes nothing")."""
    return {
        "quotations": list(Quotation.objects.order_by("id").values_list("id", "status", "total")),
        "orders": list(
            SalesOrder.objects.order_by("id").values_list("id", "status", "total", "credit_override_reason")
        ),
        "order_lines": list(SalesOrderLine.objects.order_by("id").values_list("id", "qty", "delivered_qty")),
        "deliveries": list(Delivery.objects.order_by("id").values_list("id", "status", "total", "total_cost")),
        "delivery_lines": list(DeliveryLine.objects.order_by("id").values_list("id", "qty", "returned_qty")),
        "returns": list(SalesReturn.objects.order_by("id").values_list("id", "status", "total")),
        "return_lines": list(SalesReturnLine.objects.order_by("id").values_list("id", "qty")),
        "entries": StockLedgerEntry.objects.count(),
        "balances": list(StockBalance.objects.order_by("id").values_list("qty", "value", "reserved_qty")),
        "receivables": list(Receivable.objects.order_by("id").values_list("amount", "paid", "credited", "status")),
        "receipts": CustomerReceipt.objects.count(),
    }
