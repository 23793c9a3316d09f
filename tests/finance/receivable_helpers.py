"""Receivables made through the real sales services, shared by the receivable and customer
receipt tests (API and pages).

The issue's numbers: stock 20 @ 50.00; an order of 15 @ 80.00 with 13% VAT, confirmed and
delivered as 10 (904.00) then 5 (452.00); 3 returned against the first delivery (a credit
note of 271.20 that settles it first): 632.80 and 452.00 owed, 1,084.80 in all. The first
delivery is ``DAY`` (40 days ago) and the customer has 30 days' terms, so both receivables are
overdue: by 10 and 9 days."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from apps.finance.models import CustomerReceipt, CustomerReceiptAllocation, Receivable
from apps.inventory import ledger
from apps.inventory.models import StockLedgerEntry
from apps.sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory

D = Decimal
TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=40)
RECEIVABLES, RECEIPTS = "/api/v1/receivables/", "/api/v1/customer-receipts/"


def stock_in(world, qty, cost) -> None:
    ledger.post(
        source=ledger.Source(type="test_opening", id=StockLedgerEntry.objects.count() + 1, number="OPEN"),
        movements=[
            ledger.Movement(product=world["product"].pk, warehouse=world["warehouse"].pk, qty=D(qty), unit_cost=D(cost))
        ],
        user=world["manager"],
        date=DAY,
    )


def sales_world(make_user) -> dict:
    """A warehouse with 20 @ 50.00 in stock, a salesperson and their customer (30 days' terms),
    another salesperson with a customer of their own, and one user per department involved."""
    warehouse = WarehouseFactory(code="SH01")
    seller, other_seller = make_user("sales"), make_user("sales")
    world = {
        "warehouse": warehouse,
        "product": ProductFactory(sku="SP0001", sale_price=D("80.00"), tax_rate=D("0.13")),
        "seller": seller,
        "other_seller": other_seller,
        "customer": CustomerFactory(
            code="KH001", name="上海华联超市", payment_terms_days=30, salesperson=seller, credit_limit=None
        ),
        "other_customer": CustomerFactory(
            code="KH002", name="苏州美家便利", payment_terms_days=30, salesperson=other_seller, credit_limit=None
        ),
        "manager": make_user("management"),
        "clerk": make_user("warehouse", warehouses=[warehouse]),
        "service": make_user("customer_service"),
        "finance": make_user("finance"),
    }
    stock_in(world, "20", "50.00")
    return world


def deliver(world, order, qty, day):
    delivery = sales.delivery_create(
        user=world["clerk"], sales_order=order, date=day, lines=[{"sales_order_line": order.lines.get(), "qty": D(qty)}]
    )
    return sales.delivery_post(delivery=delivery, user=world["clerk"])


def sell(world, *, customer=None, qty="15", deliveries=("10", "5"), day=DAY) -> list:
    """An order of ``qty`` @ 80.00 (13% VAT) for ``customer``, confirmed and delivered in
    ``deliveries`` on consecutive days from ``day``: the posted deliveries."""
    customer = customer or world["customer"]
    order = sales.sales_order_create(
        user=customer.salesperson or world["manager"],
        customer=customer,
        warehouse=world["warehouse"],
        date=day,
        lines=[{"product": world["product"], "qty": D(qty), "unit_price": D("80.00"), "tax_rate": D("0.13")}],
    )
    order = sales.sales_order_confirm(order=order, user=world["manager"])
    return [deliver(world, order, part, day + datetime.timedelta(days=n)) for n, part in enumerate(deliveries)]


def take_back(world, delivery, qty, day):
    sales_return = sales.sales_return_create(
        user=world["service"],
        delivery=delivery,
        date=day,
        reason="defective",
        lines=[{"delivery_line": delivery.lines.get(), "qty": D(qty)}],
    )
    return sales.sales_return_post(sales_return=sales_return, user=world["service"])


def owed_by_customer(world) -> dict:
    """The issue's receivables: 904.00 and 452.00 delivered, 3 returned against the first (a
    credit note of −271.20): ``{"first", "second", "note"}`` as Receivable rows."""
    first, second = sell(world)
    returned = take_back(world, first, "3", DAY + datetime.timedelta(days=2))
    return {
        "first": Receivable.objects.get(source_type="delivery", source_id=first.pk),
        "second": Receivable.objects.get(source_type="delivery", source_id=second.pk),
        "note": Receivable.objects.get(source_type="sales_return", source_id=returned.pk),
        "deliveries": (first, second),
        "return": returned,
    }


def outstanding(*items) -> list[Decimal]:
    return [Receivable.objects.get(pk=item.pk).outstanding for item in items]


def snapshot() -> dict:
    """Everything a receipt could change (for "a refusal changes nothing")."""
    return {
        "receipts": list(CustomerReceipt.objects.order_by("id").values_list("id", "status", "amount", "account")),
        "allocations": list(
            CustomerReceiptAllocation.objects.order_by("id").values_list("receipt", "receivable", "amount")
        ),
        "receivables": list(Receivable.objects.order_by("id").values_list("amount", "paid", "credited", "status")),
    }
