"""The business the dashboard tests (and the browser test) read: see the docstring of
tests/dashboards/test_dashboards.py for every figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

from apps.finance import cash
from apps.purchasing import services as purchasing
from apps.sales import services as sales
from tests.books.support import company, receive, spend, take_back
from tests.factories import CustomerFactory, ProductFactory

D = Decimal
VAT = D("0.13")
TODAY = datetime.date(2026, 12, 20)


def on(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


def sell(world, customer, product, qty, price, *, date):
    delivery = sales.delivery_create(
        user=world["manager"],
        customer=customer,
        warehouse=world["warehouse"],
        date=date,
        lines=[{"product": product, "qty": D(qty), "unit_price": D(price), "tax_rate": VAT}],
    )
    return sales.delivery_post(delivery=delivery, user=world["manager"])


def order(world, lines, *, submit=True, approve=False):
    document = purchasing.purchase_order_create(
        user=world["buyer"],
        supplier=world["supplier"],
        warehouse=world["warehouse"],
        date=on(12, 18),
        lines=[
            {"product": product, "qty": D(qty), "unit_price": D(price), "tax_rate": VAT}
            for product, qty, price in lines
        ],
    )
    if submit:
        document = purchasing.purchase_order_submit(order=document, user=world["buyer"])
    if approve:
        document = purchasing.purchase_order_approve(order=document, user=world["manager"])
    return document


def business(make_user) -> dict:
    """The company and its business of the module docstring of test_dashboards.py."""
    world = company(make_user)
    world["p1"] = world["product"]
    world["p1"].safety_stock = D("300")
    world["p1"].save(update_fields=["safety_stock"])
    world["p2"] = ProductFactory(sku="P2", name="Second product", purchase_price=D("60.00"), max_stock=D("5"))
    world["seller"] = make_user("sales")
    world["buyer"] = make_user("purchasing")
    world["b"] = CustomerFactory(payment_terms_days=30, credit_limit=None, salesperson=world["seller"])
    a, p1, p2 = world["customer"], world["p1"], world["p2"]
    receive(world, "300", "20.00", on=on(8, 1))
    receive(world, "5", "20.00", on=on(11, 22))
    receive(world, "10", "60.00", on=on(12, 1), product=p2)
    for month, qty in ((8, "2"), (9, "6"), (10, "4"), (11, "20")):
        sell(world, a, p1, qty, "50.00", date=on(month, 10))
    december = sell(world, a, p1, "10", "50.00", date=on(12, 10))
    take_back(world, december, "2", on=on(12, 12))
    sell(world, a, p2, "3", "100.00", date=on(12, 15))
    sell(world, world["b"], p1, "1", "50.00", date=on(12, 16))
    spend(world, "房租", "1500.00", on=on(12, 5))
    cash.cash_account_create(
        user=world["finance"],
        code="C02",
        name="备用金",
        kind="cash",
        opening_balance=D("800.00"),
        opening_date=on(11, 1),
    )
    world["po_a"] = order(world, [(p1, "2", "20.00")])
    world["po_b"] = order(world, [(p2, "1", "60.00")])
    world["po_open"] = order(world, [(p1, "30", "20.00"), (p2, "5", "60.50")], approve=True)
    return world
