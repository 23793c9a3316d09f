"""manage.py check_stock: clean books pass; each kind of broken invariant is found, named by
SKU and warehouse, and makes the command fail. The books are broken behind the ledger's back
(raw SQL on balances and layers; entries can only be added, so a bad entry is inserted)."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.inventory import ledger
from apps.inventory.models import FifoLayer, StockBalance, StockLedgerEntry, ValuationMethod
from apps.inventory.selectors import stock_violations
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .ledger_helpers import D, post

pytestmark = pytest.mark.django_db

FIFO = ValuationMethod.FIFO


@pytest.fixture
def books():
    """A little of everything, posted through the ledger: both valuation methods, awkward
    costs, a transfer, a return against a receipt, a reversal."""
    clerk = UserFactory(departments=["warehouse"])
    sh, sz = WarehouseFactory(code="SH01"), WarehouseFactory(code="SZ01")
    average = ProductFactory(sku="MA-001")
    fifo = ProductFactory(sku="FIFO-001", valuation_method=FIFO)
    for product in (average, fifo):
        post(clerk, (product, sh, 3, "3.333333"))
        _, [receipt] = post(clerk, (product, sh, 10, "12.5"))
        post(clerk, (product, sh, -2))
        post(
            clerk,
            ledger.Movement(product=product.pk, warehouse=sh.pk, qty=D(-4)),
            ledger.Movement(product=product.pk, warehouse=sz.pk, qty=D(4), cost_of=0),
        )
        post(clerk, ledger.Movement(product=product.pk, warehouse=sh.pk, qty=D(-1), returns_entry=receipt.pk))
        source, _ = post(clerk, (product, sz, "-1.5"))
        ledger.reverse(source=source, user=clerk)
        post(clerk, (product, sz, -4))  # sz back to zero
    return {"clerk": clerk, "sh": sh, "sz": sz, "average": average, "fifo": fifo}


def run_check(*args):
    """Run the command; (exit code, output)."""
    out = StringIO()
    try:
        call_command("check_stock", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def balance_row(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def kinds_found():
    return {kind for kind, violations in stock_violations().items() if violations.total}


def test_clean_books_pass(books):
    code, out = run_check()

    assert code == 0
    balances, entries = StockBalance.objects.count(), StockLedgerEntry.objects.count()
    assert f"All stock invariants hold ({balances} balances, {entries} entries)" in out
    assert (balances, entries) == (4, 18)
    assert kinds_found() == set()


def test_clean_books_as_json(books):
    code, out = run_check("--json")

    result = json.loads(out)
    assert code == 0
    assert result["ok"] is True
    assert (result["balances"], result["entries"], result["violations"]) == (4, 18, 0)
    assert all(check["count"] == 0 for check in result["checks"].values())


def test_an_empty_database_passes(db):
    code, out = run_check()

    assert code == 0
    assert "All stock invariants hold (0 balances, 0 entries)" in out


def test_a_balance_that_differs_from_its_entries(books):
    row = balance_row(books["average"], books["sh"])
    sql("UPDATE inventory_stockbalance SET qty = qty + 1, value = value + 0.01 WHERE id = %s", [row.pk])

    code, out = run_check()

    assert code == 1
    assert "Balance differs from the sum of its entries [balance]: 1" in out
    assert "MA-001  SH01" in out
    assert f"expected: qty {row.qty.normalize():f}, value {row.value}" in out
    assert f"found:    qty {(row.qty + 1).normalize():f}, value {row.value + D('0.01')}" in out
    assert kinds_found() == {"balance"}


def test_a_balance_without_entries_must_be_zero(books):
    product = ProductFactory(sku="GHOST-1")
    StockBalance.objects.create(product=product, warehouse=books["sh"], qty=D(2), value=D("5.00"))

    code, out = run_check()

    assert code == 1
    assert "GHOST-1  SH01" in out
    assert "expected: qty 0, value 0.00" in out
    [violation] = stock_violations()["balance"]
    assert (violation.sku, violation.warehouse_code, violation.found) == ("GHOST-1", "SH01", "qty 2, value 5.00")


def test_entries_without_a_balance_row(books):
    row = balance_row(books["average"], books["sz"])
    sql("DELETE FROM inventory_stockbalance WHERE id = %s", [row.pk])

    code, out = run_check()

    assert code == 1
    assert "Entries without a balance row [missing_balance]: 1" in out
    assert "MA-001  SZ01" in out
    assert kinds_found() == {"missing_balance"}


def test_fifo_layers_that_differ_from_the_balance(books):
    layer = FifoLayer.objects.filter(product=books["fifo"], warehouse=books["sh"], qty_remaining__gt=0).first()
    sql("UPDATE inventory_fifolayer SET value_remaining = value_remaining + 1 WHERE id = %s", [layer.pk])

    code, out = run_check()

    assert code == 1
    assert "FIFO layers differ from the balance [fifo_layers]: 1" in out
    assert "FIFO-001  SH01" in out
    assert kinds_found() == {"fifo_layers"}


def test_a_used_up_layer_that_keeps_a_value(books):
    layer = FifoLayer.objects.filter(product=books["fifo"], warehouse=books["sz"]).first()
    assert layer.qty_remaining == 0
    sql("UPDATE inventory_fifolayer SET value_remaining = 0.01 WHERE id = %s", [layer.pk])

    code, out = run_check()

    assert code == 1
    assert "Stray FIFO layers [stray_layers]: 1" in out
    assert "FIFO-001  SZ01" in out
    assert kinds_found() == {"stray_layers", "fifo_layers"}


def test_open_layers_of_a_moving_average_product(books):
    receipt = StockLedgerEntry.objects.filter(product=books["average"], qty__gt=0).first()
    FifoLayer.objects.create(
        product=books["average"],
        warehouse=receipt.warehouse,
        entry=receipt,
        unit_cost=receipt.unit_cost,
        qty_remaining=D(1),
        value_remaining=D("3.33"),
    )

    code, out = run_check()

    assert code == 1
    assert "Stray FIFO layers [stray_layers]: 1" in out
    assert "MA-001  SH01" in out
    assert "found:    1 layers, qty 1, value 3.33" in out


@pytest.mark.parametrize(
    ("allowed", "method", "flagged"),
    [(False, "moving_average", True), (True, "moving_average", False), (True, "fifo", True)],
)
def test_negative_stock(books, settings, allowed, method, flagged):
    settings.JXC_ALLOW_NEGATIVE_STOCK = allowed
    product = books["fifo"] if method == "fifo" else books["average"]
    row = balance_row(product, books["sh"])
    sql("UPDATE inventory_stockbalance SET qty = -1 WHERE id = %s", [row.pk])

    code, out = run_check()

    assert code == 1  # the balance no longer matches its entries either way
    assert ("negative" in kinds_found()) is flagged
    assert ("Negative stock [negative]: 1" in out) is flagged
    if flagged:
        assert f"{product.sku}  SH01" in out


def _bad_entry(books, **fields):
    """An entry written behind the ledger's back (bulk_create skips every ledger rule)."""
    base = {
        "product": books["average"],
        "warehouse": books["sh"],
        "qty": D(1),
        "unit_cost": D(1),
        "value": D("1.00"),
        "source_type": "test",
        "source_id": 999,
        "source_number": "BAD-1",
        "date": datetime.date(2026, 11, 22),
        "user": books["clerk"],
    }
    base.update(fields)
    [entry] = StockLedgerEntry.objects.bulk_create([StockLedgerEntry(**base)])
    return entry


def test_an_entry_whose_after_figures_are_not_the_running_sum(books):
    row = balance_row(books["average"], books["sh"])
    # qty and value move the balance by 1 / 1.00, but the entry claims a different "after".
    entry = _bad_entry(books, qty_after=row.qty + 2, value_after=row.value + D("1.00"))
    sql("UPDATE inventory_stockbalance SET qty = qty + 1, value = value + 1 WHERE id = %s", [row.pk])

    code, out = run_check()

    assert code == 1
    assert "differs from the running sum [running]: 1" in out
    assert f"MA-001  SH01  entry #{entry.pk}" in out
    assert f"expected: after qty {(row.qty + 1).normalize():f}, value {row.value + 1}" in out
    assert kinds_found() == {"running"}


def test_an_entry_that_leaves_value_at_zero_quantity(books):
    row = balance_row(books["average"], books["sh"])
    # Takes all the quantity out but leaves a cent behind: consistent sums, broken zero rule.
    value = -(row.value - D("0.01"))
    entry = _bad_entry(books, qty=-row.qty, value=value, qty_after=D(0), value_after=D("0.01"))
    sql("UPDATE inventory_stockbalance SET qty = 0, value = 0.01 WHERE id = %s", [row.pk])

    code, out = run_check()

    assert code == 1
    assert "Value left at zero quantity [zero_value]: 2" in out  # the entry and the balance
    assert f"MA-001  SH01  entry #{entry.pk}" in out
    assert "found:    qty 0, value 0.01" in out
    assert kinds_found() == {"zero_value"}


def test_negative_reserved_or_ordered_quantities(books):
    if connection.vendor != "postgresql":
        pytest.skip("the check constraint can only be lifted inside a transaction on PostgreSQL")
    # The database refuses these values; lift its constraint to see the check find them too.
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks, or ALTER TABLE refuses
    sql("ALTER TABLE inventory_stockbalance DROP CONSTRAINT inventory_balance_promises_non_negative")
    row = balance_row(books["fifo"], books["sh"])
    sql("UPDATE inventory_stockbalance SET reserved_qty = -2, ordered_qty = 0 WHERE id = %s", [row.pk])

    code, out = run_check()

    assert code == 1
    assert "Negative reserved or ordered quantity [promises]: 1" in out
    assert "FIFO-001  SH01" in out
    assert "found:    reserved -2, ordered 0" in out
    # No confirmed sales order reserves it either: the sales check finds the same row.
    assert kinds_found() == {"promises", "reserved"}


def test_the_report_lists_the_first_50_of_a_kind_and_counts_the_rest(books):
    products = ProductFactory.create_batch(60)
    StockBalance.objects.bulk_create([StockBalance(product=p, warehouse=books["sh"], qty=D(1)) for p in products])

    code, out = run_check()

    assert code == 1
    assert "[balance]: 60" in out
    assert out.count("expected: qty 0, value 0.00") == 50
    assert "... and 10 more" in out


def test_json_report(books):
    row = balance_row(books["fifo"], books["sz"])
    sql("UPDATE inventory_stockbalance SET value = 3 WHERE id = %s", [row.pk])

    code, out = run_check("--json")

    result = json.loads(out)
    assert code == 1
    assert result["ok"] is False
    counts = {kind: check["count"] for kind, check in result["checks"].items() if check["count"]}
    assert counts == {"balance": 1, "fifo_layers": 1, "zero_value": 1}
    assert result["violations"] == 3
    [violation] = result["checks"]["balance"]["violations"]
    assert violation == {
        "check": "balance",
        "product_id": books["fifo"].pk,
        "sku": "FIFO-001",
        "warehouse_id": books["sz"].pk,
        "warehouse_code": "SZ01",
        "expected": "qty 0, value 0.00",
        "found": "qty 0, value 3.00",
        "entry_id": None,
    }
