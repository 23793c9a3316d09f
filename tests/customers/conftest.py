"""A customer with a history, made through the sales and finance services (as
tests/sales/test_sales_flow.py does): stock 20 @ 50.00; an order of 15 @ 80.00 + 13% VAT;
delivered 10 on 2026-10-30 (904.00) and 5 on 2026-11-03 (452.00); 3 of the first delivery
returned on 2026-11-05 (credit 271.20); a receipt of 1,000.00 on 2026-11-10 (and one of 50.00
posted then cancelled, and a draft one of 70.00, which never count)."""

import datetime
from decimal import Decimal

import pytest

from apps.finance import services as finance
from apps.inventory import ledger
from apps.sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory

D = Decimal
OPENING_DAY = datetime.date(2026, 10, 1)
ORDER_DAY = datetime.date(2026, 10, 29)
FIRST_DELIVERY_DAY = datetime.date(2026, 10, 30)
SECOND_DELIVERY_DAY = datetime.date(2026, 11, 3)
RETURN_DAY = datetime.date(2026, 11, 5)
RECEIPT_DAY = datetime.date(2026, 11, 10)


@pytest.fixture
def people(make_user):
    warehouse = WarehouseFactory(code="WH-A")
    return {
        "warehouse": warehouse,
        "seller": make_user("sales"),
        "other_seller": make_user("sales"),
        "manager": make_user("management"),
        "clerk": make_user("warehouse", warehouses=[warehouse]),
        "service": make_user("customer_service"),
        "finance": make_user("finance"),
    }


@pytest.fixture
def customer(people):
    return CustomerFactory(
        code="C-STMT", name="华联超市", payment_terms_days=30, salesperson=people["seller"], credit_limit=D("5000.00")
    )


@pytest.fixture
def history(people, customer):
    """The customer's documents, by name."""
    product = ProductFactory(sku="WATER-1", sale_price=D("80.00"), tax_rate=D("0.13"))
    ledger.post(
        source=ledger.Source(type="test_opening", id=1, number="OPEN"),
        movements=[ledger.Movement(product=product.pk, warehouse=people["warehouse"].pk, qty=D(20), unit_cost=D(50))],
        user=people["manager"],
        date=OPENING_DAY,
    )
    order = sales.sales_order_create(
        user=people["seller"],
        customer=customer,
        warehouse=people["warehouse"],
        date=ORDER_DAY,
        lines=[{"product": product, "qty": D(15), "unit_price": D("80.00"), "tax_rate": D("0.13")}],
    )
    order = sales.sales_order_confirm(order=order, user=people["seller"])

    def deliver(qty, day):
        delivery = sales.delivery_create(
            user=people["clerk"],
            sales_order=order,
            date=day,
            lines=[{"sales_order_line": order.lines.get(), "qty": D(qty)}],
        )
        return sales.delivery_post(delivery=delivery, user=people["clerk"])

    first = deliver(10, FIRST_DELIVERY_DAY)
    second = deliver(5, SECOND_DELIVERY_DAY)
    sales_return = sales.sales_return_create(
        user=people["service"],
        delivery=first,
        date=RETURN_DAY,
        reason="defective",
        lines=[{"delivery_line": first.lines.get(), "qty": D(3)}],
    )
    sales_return = sales.sales_return_post(sales_return=sales_return, user=people["service"])

    def receive(amount, day):
        receipt = finance.customer_receipt_create(user=people["finance"], customer=customer, amount=D(amount), date=day)
        return finance.customer_receipt_post(receipt=receipt, user=people["finance"])

    receipt = receive("1000.00", RECEIPT_DAY)
    cancelled = receive("50.00", RECEIPT_DAY)
    finance.customer_receipt_cancel(receipt=cancelled, user=people["finance"])
    draft = finance.customer_receipt_create(
        user=people["finance"], customer=customer, amount=D("70.00"), date=RECEIPT_DAY
    )
    order.refresh_from_db()
    return {
        "product": product,
        "order": order,
        "first": first,
        "second": second,
        "return": sales_return,
        "receipt": receipt,
        "cancelled_receipt": cancelled,
        "draft_receipt": draft,
    }
