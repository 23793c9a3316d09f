"""Threads posting through the stock ledger at once, on real PostgreSQL transactions: the
balance locks queue them (no lost updates, no overselling, no deadlock), first movements of a
product in a warehouse both count, and every check_stock invariant holds afterwards."""

import datetime
import itertools
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.core.errors import BusinessError
from apps.inventory import ledger
from apps.inventory.models import StockBalance, StockLedgerEntry, ValuationMethod
from apps.inventory.selectors import stock_violations
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 11, 22)
MA, FIFO = ValuationMethod.MOVING_AVERAGE, ValuationMethod.FIFO
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")


def run_threads(count, work):
    """Run ``work(index)`` in ``count`` threads released together by a barrier, each on its
    own connection (closed at the end). Returns {index: result or exception}."""
    barrier = threading.Barrier(count)
    results = {}

    def body(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # examined by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def source():
    number = next(_numbers)
    return ledger.Source(type="concurrency", id=number, number=f"CC-{number:06d}")


def post(user, *movements):
    return ledger.post(source=source(), movements=list(movements), user=user, date=DAY)


def move(product, warehouse, qty, cost=None, **extra):
    return ledger.Movement(product=product.pk, warehouse=warehouse.pk, qty=Decimal(qty), unit_cost=cost, **extra)


def assert_invariants():
    broken = {kind: list(found) for kind, found in stock_violations().items() if found}
    assert broken == {}


def totals_by_product():
    rows = StockBalance.objects.values_list("product_id", "qty", "value")
    totals = {}
    for product, qty, value in rows:
        q, v = totals.get(product, (Decimal(0), Decimal(0)))
        totals[product] = (q + qty, v + value)
    return totals


@pytest.mark.parametrize("method", [MA, FIFO])
def test_twenty_issues_of_the_last_five_units(method):
    # given 5 units on hand
    clerk, wh = UserFactory(), WarehouseFactory()
    product = ProductFactory(valuation_method=method)
    post(clerk, move(product, wh, 5, Decimal("3.333333")))

    # when 20 clerks issue one unit each at the same moment
    results = run_threads(20, lambda _i: post(clerk, move(product, wh, -1)))

    # then exactly 5 succeed and 15 are refused for lack of stock
    succeeded = [r for r in results.values() if isinstance(r, list)]
    refused = [r for r in results.values() if isinstance(r, BusinessError)]
    assert len(succeeded) == 5
    assert len(refused) == 15
    assert {error.code for error in refused} == {"insufficient_stock"}
    assert len(results) == 20
    balance = StockBalance.objects.get(product=product, warehouse=wh)
    assert (balance.qty, balance.value) == (Decimal(0), Decimal("0.00"))
    issues = StockLedgerEntry.objects.filter(product=product, qty__lt=0)
    assert issues.count() == 5
    assert sum(e.value for e in issues) == Decimal("-16.67")
    assert_invariants()


def test_a_storm_of_transfers_both_ways_never_deadlocks_and_conserves_stock():
    # given 3 warehouses and 8 products (both methods), each stocked in one or two of the
    # warehouses only, so first movements of a product into a warehouse race too
    clerk = UserFactory()
    warehouses = [WarehouseFactory() for _ in range(3)]
    products = [ProductFactory(valuation_method=MA if i % 2 else FIFO) for i in range(8)]
    for i, product in enumerate(products):
        for wh in warehouses[i % 3 : i % 3 + 1 + i % 2]:
            post(clerk, move(product, wh, 60 + i, Decimal("3.333333") + i))
    before = totals_by_product()

    def work(index):
        rng = random.Random(index)
        outcomes = {"posted": 0, "short": 0}
        for _ in range(25):
            source_wh, target_wh = rng.sample(warehouses, 2)
            lines = rng.sample(products, rng.randint(1, 4))
            movements = []
            for product in lines:
                qty = Decimal(rng.choice(["1", "2", "0.5", "3.25", "7"]))
                movements.append(move(product, source_wh, -qty))
                movements.append(move(product, target_wh, qty, cost_of=len(movements) - 1))
            try:
                post(clerk, *movements)
                outcomes["posted"] += 1
            except BusinessError as refused:
                assert refused.code == "insufficient_stock"
                outcomes["short"] += 1
        return outcomes

    # when 8 threads post 25 multi-line transfers each, lines in random order
    results = run_threads(8, work)

    # then nothing failed (no deadlock), stock moved, and every unit and cent is still there
    errors = [r for r in results.values() if isinstance(r, Exception)]
    assert errors == []
    assert sum(r["posted"] + r["short"] for r in results.values()) == 200
    assert sum(r["posted"] for r in results.values()) > 100
    assert totals_by_product() == before
    assert StockBalance.objects.count() == 24  # every product reached every warehouse
    assert_invariants()


def test_two_first_receipts_into_the_same_warehouse_both_count():
    clerk, wh = UserFactory(), WarehouseFactory()
    for method in (MA, FIFO, MA, FIFO, MA):
        # given a product that has never been in this warehouse
        product = ProductFactory(valuation_method=method)
        assert not StockBalance.objects.filter(product=product).exists()

        # when two receipts arrive at the same moment
        receipts = [("3", Decimal("10")), ("4", Decimal("12.5"))]
        results = run_threads(2, lambda i, p=product: post(clerk, move(p, wh, *receipts[i])))

        # then both count, on one balance row
        assert all(isinstance(r, list) for r in results.values()), results
        balance = StockBalance.objects.get(product=product, warehouse=wh)
        assert (balance.qty, balance.value) == (Decimal(7), Decimal("80.00"))
        assert StockLedgerEntry.objects.filter(product=product).count() == 2
    assert_invariants()


@pytest.mark.parametrize("method", [MA, FIFO])
def test_postings_and_reversals_of_other_documents_on_the_same_product(method):
    # given ten receipts and ten issues of one product, all posted
    clerk, wh = UserFactory(), WarehouseFactory()
    product = ProductFactory(valuation_method=method)
    receipts = []
    for i in range(10):
        src = source()
        ledger.post(source=src, movements=[move(product, wh, 10, Decimal("2.5") + i)], user=clerk, date=DAY)
        receipts.append(src)
    issues = []
    for _ in range(10):
        src = source()
        ledger.post(source=src, movements=[move(product, wh, "-1.5")], user=clerk, date=DAY)
        issues.append(src)

    # when threads reverse some of them while others post new receipts and issues
    def work(index):
        if index < 5:
            return ledger.reverse(source=issues[index], user=clerk, date=DAY)
        if index < 8:
            return ledger.reverse(source=receipts[index], user=clerk, date=DAY)
        if index < 11:
            return post(clerk, move(product, wh, "2.25", Decimal("7.777777")))
        return post(clerk, move(product, wh, -3))

    results = run_threads(14, work)

    # then every one went through (there is plenty of stock) and the books hold
    assert [r for r in results.values() if isinstance(r, Exception)] == []
    balance = StockBalance.objects.get(product=product, warehouse=wh)
    expected = 100 - 15 + 5 * Decimal("1.5") - 3 * 10 + 3 * Decimal("2.25") - 3 * 3
    assert balance.qty == expected
    assert_invariants()


def test_a_document_reversed_twice_at_once_is_reversed_once():
    clerk, wh = UserFactory(), WarehouseFactory()
    product = ProductFactory()
    post(clerk, move(product, wh, 10, Decimal(4)))
    issue = source()
    ledger.post(source=issue, movements=[move(product, wh, -4)], user=clerk, date=DAY)

    results = run_threads(2, lambda _i: ledger.reverse(source=issue, user=clerk, date=DAY))

    reversed_ = [r for r in results.values() if isinstance(r, list)]
    refused = [r for r in results.values() if isinstance(r, BusinessError)]
    assert len(reversed_) == 1
    assert [error.code for error in refused] == ["invalid_state"]
    assert StockLedgerEntry.objects.filter(reversal_of__isnull=False).count() == 1
    balance = StockBalance.objects.get(product=product, warehouse=wh)
    assert (balance.qty, balance.value) == (Decimal(10), Decimal("40.00"))
    assert_invariants()
