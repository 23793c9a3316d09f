"""What the books tests share: a small company (a warehouse, a product at 13% VAT, a supplier,
a customer, a bank account) and its business written through the services, one helper per
document, so a test reads like the month it books."""

from __future__ import annotations

import datetime
from decimal import Decimal

from apps.finance import cash
from apps.finance import services as finance
from apps.finance.models import MoneyCategory
from apps.inventory import services as inventory
from apps.purchasing import services as purchasing
from apps.sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, WarehouseFactory

D = Decimal
VAT = D("0.13")


def day(n: int, month: int = 11) -> datetime.date:
    return datetime.date(2026, month, n)


def company(make_user) -> dict:
    warehouse = WarehouseFactory()
    manager = make_user("management")
    world = {
        "warehouse": warehouse,
        "product": ProductFactory(purchase_price=D("20.00"), sale_price=D("50.00"), tax_rate=VAT),
        "supplier": SupplierFactory(payment_terms_days=30),
        "customer": CustomerFactory(payment_terms_days=30, credit_limit=None),
        "manager": manager,
        "finance": make_user("finance"),
        "clerk": make_user("warehouse", warehouses=[warehouse]),
    }
    world["bank"] = cash.cash_account_create(
        user=world["finance"],
        code="B01",
        name="工商银行",
        kind="bank",
        opening_balance=D("50000.00"),
        opening_date=day(1),
    )
    return world


def receive(world, qty, cost, *, on, product=None):
    receipt = purchasing.purchase_receipt_create(
        user=world["manager"],
        supplier=world["supplier"],
        warehouse=world["warehouse"],
        date=on,
        lines=[{"product": product or world["product"], "qty": D(qty), "unit_cost": D(cost), "tax_rate": VAT}],
    )
    return purchasing.purchase_receipt_post(receipt=receipt, user=world["manager"])


def send_back(world, receipt, qty, *, on):
    line = receipt.lines.get()
    document = purchasing.purchase_return_create(
        user=world["manager"],
        purchase_receipt=receipt,
        date=on,
        lines=[{"purchase_receipt_line": line, "qty": D(qty)}],
    )
    return purchasing.purchase_return_post(purchase_return=document, user=world["manager"])


def deliver(world, qty, price, *, on, product=None):
    delivery = sales.delivery_create(
        user=world["manager"],
        customer=world["customer"],
        warehouse=world["warehouse"],
        date=on,
        lines=[{"product": product or world["product"], "qty": D(qty), "unit_price": D(price), "tax_rate": VAT}],
    )
    return sales.delivery_post(delivery=delivery, user=world["manager"])


def take_back(world, delivery, qty, *, on):
    document = sales.sales_return_create(
        user=world["manager"],
        delivery=delivery,
        date=on,
        lines=[{"delivery_line": delivery.lines.get(), "qty": D(qty)}],
    )
    return sales.sales_return_post(sales_return=document, user=world["manager"])


def count(world, counted, *, on, product=None):
    document = inventory.stock_count_create(
        user=world["manager"],
        warehouse=world["warehouse"],
        date=on,
        lines=[{"product": product or world["product"], "counted_qty": D(counted)}],
    )
    return inventory.stock_count_post(count=document, user=world["manager"])


def adjust(world, qty, *, on, reason="scrap", cost=None, product=None):
    document = inventory.stock_adjustment_create(
        user=world["manager"],
        warehouse=world["warehouse"],
        reason=reason,
        date=on,
        lines=[{"product": product or world["product"], "qty": D(qty), "unit_cost": D(cost) if cost else None}],
    )
    return inventory.stock_adjustment_post(adjustment=document, user=world["manager"])


def pay(world, amount, *, on, account=None):
    payment = finance.supplier_payment_create(
        user=world["finance"], supplier=world["supplier"], amount=D(amount), date=on, account=account or world["bank"]
    )
    return finance.supplier_payment_post(payment=payment, user=world["finance"])


def collect(world, amount, *, on, account=None):
    receipt = finance.customer_receipt_create(
        user=world["finance"], customer=world["customer"], amount=D(amount), date=on, account=account or world["bank"]
    )
    return finance.customer_receipt_post(receipt=receipt, user=world["finance"])


def spend(world, category: str, amount, *, on, account=None):
    """A posted 支出单 of one line in the seeded category named ``category`` (e.g. 房租)."""
    document = cash.money_document_create(
        user=world["finance"],
        kind="expense",
        account=account or world["bank"],
        date=on,
        lines=[{"category": MoneyCategory.objects.get(kind="expense", name=category), "amount": D(amount)}],
    )
    return cash.money_document_post(document=document, user=world["finance"])


def earn(world, category: str, amount, *, on, account=None):
    document = cash.money_document_create(
        user=world["finance"],
        kind="income",
        account=account or world["bank"],
        date=on,
        lines=[{"category": MoneyCategory.objects.get(kind="income", name=category), "amount": D(amount)}],
    )
    return cash.money_document_post(document=document, user=world["finance"])


def trial(rows) -> dict[str, tuple[Decimal, Decimal]]:
    """{account code: (debit, credit)} of trial balance rows."""
    return {row["account"]: (row["debit"], row["credit"]) for row in rows}


# --- Added for the posting-rule, period, property and concurrency tests ---------------------


def freeze_today(monkeypatch, date: datetime.date) -> None:
    """Make ``timezone.localdate()`` (today: the date of cancellations and of drafts that name
    none) return ``date``."""
    from django.utils import timezone

    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: date if value is None else real(value, tz))


def entries_of(source_type: str, document) -> list:
    """The posted journal entries a document wrote (its entry, then any reversal), in order."""
    from apps.finance.models import JournalEntry

    return list(JournalEntry.objects.filter(source_type=source_type, source_id=document.pk).order_by("id"))


def lines_of(entry) -> list[tuple[str, Decimal, Decimal]]:
    """An entry's lines as (account code, debit, credit) in line order."""
    return [(line.account.code, line.debit, line.credit) for line in entry.lines.select_related("account")]


def november_of_business(make_user) -> dict:
    """The small month of tests/books/test_month_of_business.py (its docstring lists each
    document's entry), booked by its documents: the statements' hand-computed answers hold on it."""
    world = company(make_user)
    receive(world, "100", "20.00", on=day(3))
    delivery = deliver(world, "60", "50.00", on=day(5))
    take_back(world, delivery, "10", on=day(8))
    count(world, "48", on=day(15))
    pay(world, "2000.00", on=day(20))
    collect(world, "2825.00", on=day(25))
    spend(world, "房租", "1500.00", on=day(30))
    return world
