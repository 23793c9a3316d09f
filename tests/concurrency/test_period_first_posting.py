"""The first postings of a month, at once (real PostgreSQL transactions, forced interleaving).

A stock count posts while an adjustment of the same product posts: the count takes its month
first (``periods.hold_open``), then waits for the product's balance, which the adjustment
holds; the adjustment then takes the month for its journal entry. When taking the month
inserted its row (the month's first posting), the adjustment waited for the count's insert
while the count waited for the adjustment's balance: PostgreSQL found a deadlock and one of
them failed. The month is now taken with an advisory lock that no posting waits on, so both
post, and the books and the stock agree."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from apps.finance import periods
from apps.finance.books import check_books
from apps.inventory import ledger, services
from apps.inventory.models import StockBalance, StockLedgerEntry
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .test_purchase_concurrency import run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

D = Decimal
MONTH_DAY = datetime.date(2026, 10, 15)  # a month nothing else is posted in


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")


def test_a_count_and_an_adjustment_first_in_their_month_both_post(monkeypatch):
    warehouse = WarehouseFactory(code="SH01")
    clerk = UserFactory(departments=["warehouse"], warehouses=[warehouse])
    product = ProductFactory(sku="P-1")
    opening = services.stock_adjustment_create(
        user=clerk,
        warehouse=warehouse,
        reason="found",
        date=datetime.date(2026, 9, 1),
        lines=[{"product": product, "qty": D(50), "unit_cost": D(10)}],
    )
    services.stock_adjustment_post(adjustment=opening, user=clerk)
    count = services.stock_count_create(user=clerk, warehouse=warehouse, date=MONTH_DAY)
    services.stock_count_set_line(count=count, user=clerk, product=product, counted_qty=D(48))  # snapshot 50
    adjustment = services.stock_adjustment_create(
        user=clerk, warehouse=warehouse, reason="found", date=MONTH_DAY, lines=[{"product": product, "qty": D(1)}]
    )

    count_has_month = threading.Event()
    adjustment_has_balance = threading.Event()
    original_hold_open, original_open = periods.hold_open, ledger._Book.open

    def hold_open(date):
        original_hold_open(date)
        if threading.current_thread().name == "count" and not count_has_month.is_set():
            count_has_month.set()
            adjustment_has_balance.wait(10)  # the adjustment now holds the balance

    def book_open(keys):
        book = original_open(keys)
        if threading.current_thread().name == "adjustment":
            adjustment_has_balance.set()
            count_has_month.wait(10)
        return book

    monkeypatch.setattr(periods, "hold_open", hold_open)
    monkeypatch.setattr(ledger._Book, "open", staticmethod(book_open))

    def work(index):
        threading.current_thread().name = ("count", "adjustment")[index]
        if index == 0:
            return services.stock_count_post(count=count, user=clerk).status
        return services.stock_adjustment_post(adjustment=adjustment, user=clerk).status

    assert run_threads(work, 2) == ["posted", "posted"]

    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    sums = StockLedgerEntry.objects.filter(product=product, warehouse=warehouse).aggregate(q=Sum("qty"), v=Sum("value"))
    # 50 + 1 found; the count's variance (48 − 50) was fixed at its snapshot: −2
    assert (balance.qty, sums["q"]) == (D(49), D(49))
    assert balance.value == sums["v"]
    assert check_books() == []
