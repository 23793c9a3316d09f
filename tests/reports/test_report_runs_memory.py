"""A 100,000-row stock summary written by the real report run stays within a memory bound, and
the memory does not grow with the rows.

The morning job's run (``report_run_scheduled("reports.daily_stock_summary")``: month to date
up to yesterday, every warehouse) over 100,000 products, and an on-demand run over 20,000 of
them (one category; queued on commit, written by the ``reports.run`` task). Each writes its
write-only workbook into a temporary file and saves it under ``MEDIA_ROOT``.

Memory is the resident set (RSS) of the process, read from ``/proc/self/statm`` every 10 ms by
a thread while the run writes: growth = the highest RSS during the run minus the RSS just
before. No tracemalloc (it makes the run several times slower). Each run is measured in a
forked copy of the test process, which uses the same database session (so it sees the test's
data, and what it writes stays in the test's transaction): both start from the same warm state
(after a one-row run), and neither reuses memory the other left behind.

Measured (2 cores, PostgreSQL 15, 2026-12-04, load average 0.6–4 from other test suites): the
100,000-row run grows the RSS by 6.8–7.1 MiB (13.6–16 s; a 5.7 MiB file), the 20,000-row run by
6.7–7.0 MiB (2.7–7 s): the growth does not depend on the rows (``bench/report_runs.py``: most
of it comes with reading the query's rows, 2,000 at a time). Bound: 20 MiB, about three times
the measured growth. With the rows held in a list instead (the selector wrapped in ``list()``,
tried once), the same runs grew by 35 and 158 MiB and this test failed. The whole test takes
29–42 s: the set-up ~7–9 s, the two runs (openpyxl writes ~7,000 rows a second) most of the rest.
With lxml installed (a dependency since): 100,000 rows in 10.3 s, +7.2 MiB, as 20,000 rows.
"""

import datetime
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.db import connection

from apps.inventory.models import Product
from apps.reports.models import ReportRun, RunStatus, RunTrigger
from apps.reports.runs import report_run_request, report_run_scheduled
from apps.reports.stock import SUMMARY_FIGURES
from tests.factories import CategoryFactory, UnitFactory, WarehouseFactory
from tests.memory import ChildFailed, in_forked_child

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads the resident set from /proc (Linux)"),
]

PRODUCTS = 100_000
SMALL = 20_000  # products M000000 … M019999 are in the category of the on-demand run
TODAY = datetime.date(2026, 11, 21)  # the job's day: the period is 2026-11-01 … 2026-11-20
MiB = 2**20
MEMORY_BOUND = 20 * MiB  # the RSS growth of the 100,000-row run; measured: see the docstring
# What 80,000 more rows may add (the 100,000-row run over the 20,000-row one). Rows held in a
# list would take well over 100 MiB for those 80,000 (a dict of 12 values each, ~1.5 KB).
EXTRA_ROWS_BOUND = 8 * MiB
D = Decimal

# Products M000001 … copy the columns of M000000 (made through the ORM), with their own SKU,
# name and category.
PRODUCTS_SQL = """
INSERT INTO inventory_product ({columns}, sku, name, name_pinyin, barcode, category_id)
SELECT {template_columns}, 'M' || lpad(g::text, 6, '0'), '商品' || g, 'shangpin' || g, NULL,
       CASE WHEN g < %(small)s THEN %(category)s END
  FROM inventory_product AS t CROSS JOIN generate_series(1, %(products)s - 1) AS g
 WHERE t.id = %(template)s
"""

# Each product n has one unit cost and up to four entries in warehouse SH01: an opening receipt
# before the period, a receipt (3 products in 4) and an issue in it, and a receipt after it
# (1 in 10; outside the report).
ENTRIES_SQL = """
INSERT INTO inventory_stockledgerentry
  (qty, unit_cost, value, qty_after, value_after, source_type, source_id, source_number, date,
   posted_at, product_id, user_id, warehouse_id)
SELECT e.qty, p.cost, e.qty * p.cost, e.qty, e.qty * p.cost, 'test_bulk', p.n, e.number, e.date,
       now(), p.id, %(user)s, %(warehouse)s
  FROM (SELECT id, substr(sku, 2)::int AS n, (substr(sku, 2)::int %% 13) + 1.25 AS cost
          FROM inventory_product WHERE sku LIKE 'M%%') AS p
 CROSS JOIN LATERAL (VALUES
       (10 + p.n %% 7, DATE '2026-10-20', 'OPEN'),
       (5 * (p.n %% 4), DATE '2026-11-05', 'IN'),
       (-(1 + p.n %% 3), DATE '2026-11-12', 'OUT'),
       (CASE WHEN p.n %% 10 = 0 THEN 100 ELSE 0 END, DATE '2026-11-25', 'LATER')
  ) AS e(qty, date, number)
 WHERE e.qty <> 0
"""


def expected_totals(products: range) -> dict[str, Decimal]:
    """The report's totals over ``products``, summed here from the rules of ENTRIES_SQL."""
    totals = dict.fromkeys(SUMMARY_FIGURES, D(0))
    for n in products:
        cost = D(n % 13) + D("1.25")
        opening, received, issued = 10 + n % 7, 5 * (n % 4), 1 + n % 3
        closing = opening + received - issued
        for name, qty in (("opening", opening), ("in", received), ("out", issued), ("closing", closing)):
            totals[f"{name}_qty"] += qty
            totals[f"{name}_value"] += qty * cost
    return totals


@pytest.fixture
def catalogue(make_user):
    """100,000 products with 320,000 ledger entries, inserted with two statements."""
    manager = make_user("management")
    unit, warehouse, small = UnitFactory(), WarehouseFactory(code="SH01"), CategoryFactory(name="small")
    template = Product.objects.create(sku="M000000", name="商品0", unit=unit, category=small)
    copied = [
        f.column
        for f in Product._meta.concrete_fields
        if f.column not in ("id", "sku", "name", "name_pinyin", "barcode", "category_id")
    ]
    products_sql = PRODUCTS_SQL.format(
        columns=", ".join(copied), template_columns=", ".join(f"t.{column}" for column in copied)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            products_sql, {"small": SMALL, "category": small.pk, "products": PRODUCTS, "template": template.pk}
        )
        cursor.execute(ENTRIES_SQL, {"user": manager.pk, "warehouse": warehouse.pk})
        cursor.execute("ANALYZE inventory_product")
        cursor.execute("ANALYZE inventory_stockledgerentry")
    return manager, small


# --- measuring -------------------------------------------------------------------------------


def measured_apart(function) -> dict:
    """Call ``function()`` (returning a run id) in a forked child under ``RssGrowth``
    (``tests/memory.py``): the same database connection, so the same transaction. Returns the
    run id, the growth, the seconds and the RSS before."""
    try:
        answer = in_forked_child(function)
    except ChildFailed as exc:
        pytest.fail(f"the measured run failed:\n{exc}")
    return {"run": answer["result"], **{k: answer[k] for k in ("growth", "seconds", "before")}}


# --- reading the file ------------------------------------------------------------------------


def _cells(row_xml: bytes) -> list[str | None]:
    """The values of one ``<row>`` of a write-only sheet (inline strings, numbers as text)."""
    values = []
    for cell in ElementTree.fromstring(row_xml):
        text = cell.find("is/t") if cell.get("t") == "inlineStr" else cell.find("v")
        values.append(None if text is None else text.text)
    return values


def header_and_last_row(run: ReportRun) -> tuple[int, dict]:
    """(rows under the header, {header: text of the last row}) of the run's file, read from the
    sheet's XML: the numbers as written, so they compare exactly as Decimals."""
    with run.file.open("rb") as stream, zipfile.ZipFile(stream) as workbook:
        xml = workbook.read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', b"")
    first = xml[xml.find(b"<row ") : xml.find(b"</row>") + len(b"</row>")]
    last = xml[xml.rfind(b"<row ") : xml.rfind(b"</row>") + len(b"</row>")]
    header = _cells(first)
    row = _cells(last)
    # Empty cells are left out of a row: key the last row's values by their column letters.
    letters = [cell.get("r").rstrip("0123456789") for cell in ElementTree.fromstring(last)]
    columns = {cell.get("r").rstrip("0123456789"): name for cell, name in zip(ElementTree.fromstring(first), header)}
    return xml.count(b"<row ") - 1, {columns[letter]: value for letter, value in zip(letters, row, strict=True)}


# --- the test --------------------------------------------------------------------------------


def test_a_100000_row_report_run_in_bounded_memory(catalogue, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    manager, small = catalogue

    def on_demand(parameters):
        with django_capture_on_commit_callbacks(execute=True):
            return report_run_request(report="stock_summary", parameters=parameters, user=manager).pk

    # Warm up here (imports, translations, a first workbook), so both children start warm.
    warm = ReportRun.objects.get(pk=on_demand({"date_to": "2026-11-20", "search": "M000001"}))
    assert (warm.status, warm.rows) == (RunStatus.DONE, 1)

    twenty = measured_apart(
        lambda: on_demand({"date_from": "2026-11-01", "date_to": "2026-11-20", "category": str(small.pk)})
    )
    hundred = measured_apart(lambda: report_run_scheduled(task="reports.daily_stock_summary", today=TODAY).pk)

    run = ReportRun.objects.get(pk=twenty["run"])
    assert (run.status, run.trigger, run.requested_by, run.rows) == (
        RunStatus.DONE,
        RunTrigger.ON_DEMAND,
        manager,
        SMALL,
    )
    assert {name: D(value) for name, value in run.totals.items()} == expected_totals(range(SMALL))

    big = ReportRun.objects.get(pk=hundred["run"])
    assert (big.status, big.trigger, big.rows, big.error) == (RunStatus.DONE, RunTrigger.SCHEDULED, PRODUCTS, "")
    assert big.key == "stock_summary:daily:2026-11-20"
    assert big.parameters == {"date_from": "2026-11-01", "date_to": "2026-11-20"}
    path = Path(big.file.path)
    assert path.is_relative_to(tmp_path / "reports") and big.size == path.stat().st_size

    expected = expected_totals(range(PRODUCTS))
    assert expected["closing_qty"] == D(1_849_996)  # a check on expected_totals itself
    assert {name: D(value) for name, value in big.totals.items()} == expected
    rows, last = header_and_last_row(big)
    assert rows == PRODUCTS + 1  # the rows and the totals row
    assert last.pop("SKU") == "Total"
    headers = {
        "opening_qty": "Opening quantity",
        "opening_value": "Opening value",
        "in_qty": "Quantity in",
        "in_value": "Value in",
        "out_qty": "Quantity out",
        "out_value": "Value out",
        "closing_qty": "Closing quantity",
        "closing_value": "Closing value",
    }
    assert {name: D(last[header]) for name, header in headers.items()} == expected
    assert set(last) == set(headers.values())  # no other cell in the totals row

    print(
        f"\n{SMALL:,} rows on demand: {twenty['seconds']:.1f} s, RSS +{twenty['growth'] / MiB:.1f} MiB"
        f" (from {twenty['before'] / MiB:.0f} MiB), file {run.size / MiB:.2f} MiB"
        f"\n{PRODUCTS:,} rows scheduled: {hundred['seconds']:.1f} s, RSS +{hundred['growth'] / MiB:.1f} MiB"
        f" (from {hundred['before'] / MiB:.0f} MiB), file {big.size / MiB:.2f} MiB"
    )
    assert hundred["growth"] < MEMORY_BOUND
    assert hundred["growth"] - twenty["growth"] < EXTRA_ROWS_BOUND
