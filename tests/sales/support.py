"""What the sales tests share: opening stock through the ledger, a balance's figures, and the
documents of the loop written through the services (an order, its confirmation, a delivery
against it, a direct delivery, a return, a receipt), so each test reads as the business does."""

from __future__ import annotations

import datetime
from decimal import Decimal

from apps.finance import services as finance
from apps.inventory import ledger
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.sales import services

D = Decimal
DAY = datetime.date(2026, 11, 2)
VAT = D("0.13")


def stock_in(product, warehouse, qty, cost, *, user, day=DAY) -> None:
    """Opening stock of ``qty`` at ``cost`` (an inbound ledger posting of its own)."""
    ledger.post(
        source=ledger.Source(type="test_opening", id=StockLedgerEntry.objects.count() + 1, number="OPEN"),
        movements=[ledger.Movement(product=product.pk, warehouse=warehouse.pk, qty=D(qty), unit_cost=D(cost))],
        user=user,
        date=day,
    )


def balance(product, warehouse) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(on hand, value, reserved, available) of one product in one warehouse (zeros when none)."""
    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    if row is None:
        return D(0), D(0), D(0), D(0)
    return row.qty, row.value, row.reserved_qty, row.qty - row.reserved_qty


def priced(lines) -> list[dict]:
    """Line dicts of (product, qty, unit price[, VAT rate]) tuples (13% VAT by default)."""
    return [
        {
            "product": line[0],
            "qty": D(line[1]),
            "unit_price": D(line[2]),
            "tax_rate": D(line[3] if len(line) > 3 else VAT),
        }
        for line in lines
    ]


def order(*, user, customer, warehouse, lines, day=DAY):
    """A draft sales order of (product, qty, unit price[, VAT rate]) lines (13% VAT by default)."""
    return services.sales_order_create(
        user=user,
        customer=customer,
        warehouse=warehouse,
        date=day,
        lines=priced(lines),
    )


def confirmed(*, user, override_reason="", **fields):
    """A sales order drafted and confirmed by ``user``."""
    return services.sales_order_confirm(order=order(user=user, **fields), user=user, override_reason=override_reason)


def deliver(sales_order, *, user, quantities=None, day=DAY):
    """A posted delivery against ``sales_order``: ``quantities`` ({order line: qty}) or all
    that is open."""
    lines = None
    if quantities is not None:
        lines = [{"sales_order_line": line, "qty": D(qty)} for line, qty in quantities.items()]
    delivery = services.delivery_create(user=user, sales_order=sales_order, date=day, lines=lines)
    return services.delivery_post(delivery=delivery, user=user)


def deliver_direct(*, user, customer, warehouse, lines, day=DAY):
    """A posted delivery without an order of (product, qty, unit price[, VAT rate]) lines."""
    delivery = services.delivery_create(
        user=user,
        customer=customer,
        warehouse=warehouse,
        date=day,
        lines=priced(lines),
    )
    return services.delivery_post(delivery=delivery, user=user)


def give_back(delivery, *, user, quantities, day=DAY, **fields):
    """A posted return against ``delivery`` of {delivery line: qty}."""
    document = services.sales_return_create(
        user=user,
        delivery=delivery,
        date=day,
        lines=[{"delivery_line": line, "qty": D(qty)} for line, qty in quantities.items()],
        **fields,
    )
    return services.sales_return_post(sales_return=document, user=user)


def receive_money(*, user, customer, amount, day=DAY, **fields):
    """A posted customer receipt of ``amount`` (allocated oldest first unless told)."""
    receipt = finance.customer_receipt_create(user=user, customer=customer, amount=D(amount), date=day, **fields)
    return finance.customer_receipt_post(receipt=receipt, user=user)
