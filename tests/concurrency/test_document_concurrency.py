"""Threads on the warehouse's documents, real PostgreSQL transactions: clerks scanning the same
count at once lose no scan; posting one document from several threads books it once; a
count posted while goods keep moving leaves every balance equal to its entries."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from apps.core.errors import BusinessError
from apps.inventory import services
from apps.inventory.models import StockBalance, StockLedgerEntry
from tests.factories import ProductFactory, UserFactory, WarehouseFactory
from tests.inventory.document_helpers import receive

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8


def run_threads(work, threads=THREADS):
    """Start ``threads`` threads on ``work(index)`` at the same moment; return their errors."""
    barrier = threading.Barrier(threads)
    errors = []

    def body(index):
        try:
            barrier.wait(timeout=10)
            work(index)
        except Exception as exc:  # collected for the test's thread
            errors.append(exc)
        finally:
            connection.close()

    started = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in started)
    return errors


@pytest.fixture
def shop():
    warehouse = WarehouseFactory(code="SH01")
    clerk = UserFactory(departments=["warehouse"], warehouses=[warehouse])
    product = ProductFactory(sku="P-1", barcode="6900000000001")
    receive(clerk, product, warehouse, 50, 10)
    return warehouse, clerk, product


def test_concurrent_scans_of_one_product_all_count(shop):
    warehouse, clerk, product = shop
    count = services.stock_count_create(user=clerk, warehouse=warehouse)
    other = ProductFactory(sku="P-2", barcode="6900000000002")  # not on the sheet: each thread adds it once

    def work(_index):
        for _ in range(5):
            services.stock_count_scan(count=count, user=clerk, barcode="6900000000001")
        services.stock_count_scan(count=count, user=clerk, barcode="6900000000002")

    assert run_threads(work) == []

    lines = {line.product_id: line for line in count.lines.all()}
    assert (lines[product.pk].counted_qty, lines[product.pk].system_qty) == (Decimal(40), Decimal(50))
    assert (lines[other.pk].counted_qty, lines[other.pk].system_qty) == (Decimal(THREADS), Decimal(0))
    assert count.lines.count() == 2


def test_posting_one_adjustment_from_many_threads_books_it_once(shop):
    warehouse, clerk, product = shop
    adjustment = services.stock_adjustment_create(
        user=clerk, warehouse=warehouse, reason="scrap", lines=[{"product": product, "qty": Decimal(-3)}]
    )

    assert run_threads(lambda _i: services.stock_adjustment_post(adjustment=adjustment, user=clerk)) == []

    assert StockLedgerEntry.objects.filter(source_type="stock_adjustment").count() == 1
    assert StockBalance.objects.get(product=product, warehouse=warehouse).qty == Decimal(47)


def test_cancelling_one_posted_transfer_from_many_threads_reverses_it_once(shop):
    warehouse, clerk, product = shop
    target = WarehouseFactory(code="SZ01")
    clerk = UserFactory(departments=["warehouse"], warehouses=[warehouse, target])
    transfer = services.stock_transfer_create(
        user=clerk, from_warehouse=warehouse, to_warehouse=target, lines=[{"product": product, "qty": Decimal(5)}]
    )
    services.stock_transfer_post(transfer=transfer, user=clerk)

    errors = run_threads(lambda _i: services.stock_transfer_cancel(transfer=transfer, user=clerk))

    assert len(errors) == THREADS - 1
    assert all(isinstance(e, BusinessError) and e.code == "invalid_state" for e in errors)
    assert StockLedgerEntry.objects.filter(source_type="stock_transfer").count() == 4
    assert StockBalance.objects.get(product=product, warehouse=warehouse).qty == Decimal(50)
    assert StockBalance.objects.get(product=product, warehouse=target).qty == Decimal(0)


def test_a_count_posted_while_goods_move_keeps_balances_equal_to_their_entries(shop):
    warehouse, clerk, product = shop
    count = services.stock_count_create(user=clerk, warehouse=warehouse)
    services.stock_count_set_line(count=count, user=clerk, product=product, counted_qty=Decimal(48))  # snapshot 50

    def work(index):
        if index == 0:
            services.stock_count_post(count=count, user=clerk)
        else:  # seven receipts of 1 while the count posts
            adjustment = services.stock_adjustment_create(
                user=clerk, warehouse=warehouse, reason="found", lines=[{"product": product, "qty": Decimal(1)}]
            )
            services.stock_adjustment_post(adjustment=adjustment, user=clerk)

    assert run_threads(work) == []

    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    sums = StockLedgerEntry.objects.filter(product=product, warehouse=warehouse).aggregate(q=Sum("qty"), v=Sum("value"))
    assert balance.qty == Decimal(50 - 2 + THREADS - 1)
    assert (balance.qty, balance.value) == (sums["q"], sums["v"])
