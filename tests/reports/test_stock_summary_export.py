"""A stock summary of 10,000 products written to .xlsx row by row (iter_stock_summary into
openpyxl's write-only workbook) stays within a small memory bound; the file's totals row equals
the report's totals.

The ledger entries are inserted directly (the summary reads entries only; going through
ledger.post for 10,000 products would only make the test slower)."""

import datetime
import io
import time
import tracemalloc

import pytest
from openpyxl import load_workbook

from apps.core.xlsx import Column, write_workbook
from apps.inventory.models import Product, StockLedgerEntry
from apps.reports.stock import SUMMARY_FIGURES, iter_stock_summary, stock_summary
from tests.factories import UnitFactory, WarehouseFactory
from tests.reports.helpers import D

pytestmark = pytest.mark.django_db

PRODUCTS = 10_000
PERIOD = {"date_from": datetime.date(2026, 11, 10), "date_to": datetime.date(2026, 11, 30)}
# Python allocations at the peak (tracemalloc). Measured: 4.0 MiB for 10,000 rows (13.7 s under
# tracemalloc; the file is 0.3 MiB). The rows held as a list would take more than this alone.
MEMORY_BOUND = 8 * 1024 * 1024


@pytest.fixture
def huge(make_user):
    user = make_user("management")
    unit, warehouse = UnitFactory(), WarehouseFactory(code="SH01")
    Product.objects.bulk_create(
        (Product(sku=f"H{n:06d}", name=f"商品{n}", unit=unit) for n in range(PRODUCTS)), batch_size=5000
    )
    ids = list(Product.objects.filter(sku__startswith="H").values_list("pk", flat=True))
    entries = []
    for pk in ids:
        entries.append(
            StockLedgerEntry(
                product_id=pk,
                warehouse=warehouse,
                qty=D(10),
                unit_cost=D("2.5"),
                value=D("25.00"),
                qty_after=D(10),
                value_after=D("25.00"),
                source_type="test_bulk",
                source_id=1,
                source_number="IN",
                date=datetime.date(2026, 11, 1),
                user=user,
            )  # fmt: skip
        )
        entries.append(
            StockLedgerEntry(
                product_id=pk,
                warehouse=warehouse,
                qty=D(-3),
                unit_cost=D("2.5"),
                value=D("-7.50"),
                qty_after=D(7),
                value_after=D("17.50"),
                source_type="test_bulk",
                source_id=2,
                source_number="OUT",
                date=datetime.date(2026, 11, 20),
                user=user,
            )  # fmt: skip
        )
    StockLedgerEntry.objects.bulk_create(entries, batch_size=5000)
    return user


def test_a_10000_row_export_in_bounded_memory(huge):
    columns = [Column("sku", "SKU"), Column("name", "Product")]
    columns += [Column(name, name, numeric=True) for name in SUMMARY_FIGURES]
    totals = dict.fromkeys(SUMMARY_FIGURES, D(0))

    def rows():
        for row in iter_stock_summary(user=huge, **PERIOD):
            for name in SUMMARY_FIGURES:
                totals[name] += row[name]
            yield row
        yield {**totals, "sku": "Total"}

    stream = io.BytesIO()
    started = time.perf_counter()
    tracemalloc.start()
    write_workbook(rows(), columns, title="stock-summary", stream=stream)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    elapsed = time.perf_counter() - started
    size = len(stream.getvalue())
    print(f"\n{PRODUCTS} rows: {elapsed:.1f} s, peak {peak / 2**20:.1f} MiB, file {size / 2**20:.1f} MiB")

    assert peak < MEMORY_BOUND
    sheet = load_workbook(stream, read_only=True).worksheets[0]
    last = None
    count = 0
    for last in sheet.iter_rows(values_only=True):
        count += 1
    assert count == PRODUCTS + 2  # header, rows, totals
    assert last[0] == "Total"
    assert D(str(last[2 + SUMMARY_FIGURES.index("closing_qty")])) == D(7 * PRODUCTS)
    assert D(str(last[2 + SUMMARY_FIGURES.index("closing_value")])) == D("17.50") * PRODUCTS
    assert totals == stock_summary(user=huge, **PERIOD)["totals"]
