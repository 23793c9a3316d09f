"""Time the report runs (apps/reports/runs.py): the stock summary (进销存汇总) written to an Excel
file by the real run, at 10,000 and 100,000 products.

    .venv/bin/python bench/report_runs.py                 # generate once (reused afterwards), run everything
    .venv/bin/python bench/report_runs.py --fresh         # drop the bench database and generate again
    .venv/bin/python bench/report_runs.py --tracemalloc   # also Python's peak allocations (slower runs)

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/jxc_bench_reports (created if
missing; only a database whose name contains "bench" is ever dropped). Data: 100,000 products
(set-based SQL) and, per size (``--sizes``, default 10,000 and 100,000), one warehouse holding
6 ledger entries for each of that many products (2 before the period, 2 receipts and 2 issues
in it): 660,000 entries. Scenarios, each run in a forked child process with its own database
connection (so every run starts from the same warm state, after a one-row run in the parent):
  (a) ``report_run_execute`` of a stock summary run for one warehouse's products (the body of
      the ``reports.run`` task): wall seconds (median of ``--repeat``), rows/s, file size, RSS
      growth (the process's peak resident set, sampled every 10 ms from /proc/self/statm, minus
      the RSS before), and with ``--tracemalloc`` one more run under tracemalloc for Python's
      peak allocations;
  (b) the selector alone (``iter_stock_summary`` iterated, no file): how much of (a) is the
      query and the rows, how much openpyxl and the file;
  (c) the morning job as beat runs it (``report_run_scheduled("reports.daily_stock_summary")``,
      every warehouse: 100,000 rows summed over both warehouses, with the readers' notifications);
  (d) for comparison, the same rows as the page and the API build them (``stock_summary()``: a
      list of every row and the totals), RSS growth only.
Every run's file and row are deleted after it is measured.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench_reports")
os.environ.setdefault("DEBUG", "0")  # production-like: no SQL capture per query

from ledger import _setup_django, ensure_database, machine  # noqa: E402  (after the environment is set)

from tests.memory import ChildFailed, in_forked_child  # noqa: E402

PRODUCTS = 100_000
SKU_PREFIX = "RB"
GENERATED = "bench_reports"  # source type of the generated entries
PERIOD = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
JOB_DAY = datetime.date(2026, 12, 1)  # the morning job of this day covers PERIOD
MiB = 2**20

# Products RB000001 … copy the columns of RB000000 (made through the ORM), with their own SKU,
# name and pinyin.
PRODUCTS_SQL = """
INSERT INTO inventory_product ({columns}, sku, name, name_pinyin, barcode)
SELECT {template_columns}, %(prefix)s || lpad(g::text, 6, '0'), '报表基准商品 ' || g, 'baobiaojizhun' || g, NULL
  FROM inventory_product AS t CROSS JOIN generate_series(1, %(products)s - 1) AS g
 WHERE t.id = %(template)s
"""

# Six entries per product n of the warehouse's first ``size`` products, one cost per product;
# qty_after/value_after are the running sums per product.
ENTRIES_SQL = """
INSERT INTO inventory_stockledgerentry
  (qty, unit_cost, value, qty_after, value_after, source_type, source_id, source_number, date,
   posted_at, product_id, user_id, warehouse_id)
SELECT e.qty, p.cost, e.qty * p.cost,
       sum(e.qty) OVER w, sum(e.qty) OVER w * p.cost,
       %(source)s, p.n, 'RB-' || e.step, e.date, e.date + time '10:00', p.id, %(user)s, %(warehouse)s
  FROM (SELECT id, substr(sku, 3)::int AS n, (substr(sku, 3)::int %% 97) + 0.50 AS cost
          FROM inventory_product WHERE sku LIKE %(prefix)s || '%%' AND substr(sku, 3)::int < %(size)s) AS p
 CROSS JOIN LATERAL (VALUES
       (1, 50 + p.n %% 50, DATE '2026-10-05'),
       (2, -(1 + p.n %% 10), DATE '2026-10-20'),
       (3, 1 + p.n %% 20, DATE '2026-11-03'),
       (4, -(1 + p.n %% 5), DATE '2026-11-10'),
       (5, 1 + p.n %% 7, DATE '2026-11-17'),
       (6, -(1 + p.n %% 3), DATE '2026-11-24')
  ) AS e(step, qty, date)
WINDOW w AS (PARTITION BY p.id ORDER BY e.step)
 ORDER BY p.id, e.step
"""


# --- the data ----------------------------------------------------------------------------------


def warehouse_code(size: int) -> str:
    return f"RB{size}"


def generate(sizes: list[int]) -> float | None:
    """Products and each size's warehouse and entries, unless already there. Returns seconds
    spent generating, or None when everything was reused."""
    from django.db import connection, transaction

    from apps.accounts.models import User
    from apps.accounts.services import user_create
    from apps.inventory.models import Product, StockLedgerEntry, Unit, Warehouse

    began = time.perf_counter()
    generated = False
    with transaction.atomic():
        manager = User.objects.filter(username="bench-rr-manager").first() or user_create(
            actor=None, username="bench-rr-manager", password="Kd8-report-runs", departments=["management"]
        )
        if Product.objects.filter(sku__startswith=SKU_PREFIX).count() != PRODUCTS:
            if Product.objects.filter(sku__startswith=SKU_PREFIX).exists():
                sys.exit("the bench database holds a different catalogue: rerun with --fresh")
            unit, _ = Unit.objects.get_or_create(name="个")
            template = Product.objects.create(sku=f"{SKU_PREFIX}000000", name="报表基准商品 0", unit=unit)
            copied = [
                f.column
                for f in Product._meta.concrete_fields
                if f.column not in ("id", "sku", "name", "name_pinyin", "barcode")
            ]
            sql = PRODUCTS_SQL.format(
                columns=", ".join(copied), template_columns=", ".join(f"t.{column}" for column in copied)
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, {"prefix": SKU_PREFIX, "products": PRODUCTS, "template": template.pk})
            generated = True
        for size in sizes:
            warehouse, _ = Warehouse.objects.get_or_create(
                code=warehouse_code(size), defaults={"name": f"报表基准仓 {size}"}
            )
            entries = StockLedgerEntry.objects.filter(warehouse=warehouse, source_type=GENERATED)
            if entries.count() == 6 * size:
                continue
            entries.delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    ENTRIES_SQL,
                    {
                        "source": GENERATED,
                        "user": manager.pk,
                        "warehouse": warehouse.pk,
                        "prefix": SKU_PREFIX,
                        "size": size,
                    },
                )
            generated = True
    if generated:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE inventory_product")
            cursor.execute("VACUUM ANALYZE inventory_stockledgerentry")
        return time.perf_counter() - began
    return None


# --- measuring ---------------------------------------------------------------------------------


def in_child(function, *, trace: bool = False) -> dict:
    """``function()`` (returning a dict) in a forked child with its own database connection,
    under ``RssGrowth`` (``tests/memory.py``; and tracemalloc when ``trace``); its dict with
    ``seconds``, ``growth`` and ``python_peak`` added."""
    from django.db import connections

    def measured():
        if trace:
            import tracemalloc

            tracemalloc.start()
        result = function()
        if trace:
            result["python_peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        connections.close_all()
        return result

    connections.close_all()  # the child opens its own
    try:
        answer = in_forked_child(measured, timeout=3600)
    except ChildFailed as exc:
        sys.exit(f"a measured run failed:\n{exc}")
    return {**answer["result"], "seconds": answer["seconds"], "growth": answer["growth"], "before": answer["before"]}


# --- the scenarios -----------------------------------------------------------------------------


def _delete(run_id: int) -> None:
    from apps.reports.models import ReportRun

    for run in ReportRun.objects.filter(pk=run_id):
        if run.file:
            run.file.delete(save=False)
        run.delete()


def execute_run(parameters: dict) -> dict:
    """A stock summary run with ``parameters``, written by ``report_run_execute`` (as the
    ``reports.run`` task does) for the whole business (no requester)."""
    from django.conf import settings

    from apps.reports import runs
    from apps.reports.models import ReportRun, RunTrigger

    run = ReportRun.objects.create(
        report="stock_summary",
        parameters=parameters,
        description="bench",
        trigger=RunTrigger.SCHEDULED,
        language=settings.LANGUAGE_CODE,
    )
    run = runs.report_run_execute(run_id=run.pk)
    return {"run": run.pk, "status": run.status, "error": run.error, "rows": run.rows, "size": run.size}


def morning_job() -> dict:
    from apps.reports import runs

    run = runs.report_run_scheduled(task="reports.daily_stock_summary", today=JOB_DAY)
    return {"run": run.pk, "status": run.status, "error": run.error, "rows": run.rows, "size": run.size}


def selector_only(parameters: dict) -> dict:
    from apps.inventory.models import Warehouse
    from apps.reports.runs import EVERY_RECORD
    from apps.reports.stock import iter_stock_summary

    rows = 0
    for _row in iter_stock_summary(
        user=EVERY_RECORD,
        date_from=datetime.date.fromisoformat(parameters["date_from"]),
        date_to=datetime.date.fromisoformat(parameters["date_to"]),
        warehouse=Warehouse.objects.get(pk=parameters["warehouse"]),
    ):
        rows += 1
    return {"rows": rows}


def held_as_list(parameters: dict) -> dict:
    from apps.inventory.models import Warehouse
    from apps.reports.runs import EVERY_RECORD
    from apps.reports.stock import stock_summary

    report = stock_summary(
        user=EVERY_RECORD,
        date_from=datetime.date.fromisoformat(parameters["date_from"]),
        date_to=datetime.date.fromisoformat(parameters["date_to"]),
        warehouse=Warehouse.objects.get(pk=parameters["warehouse"]),
    )
    return {"rows": len(report["rows"])}


def measured(function, repeat: int, *, keep=False) -> dict:
    """``function`` run ``repeat`` times, each in its own child: the median seconds, the
    largest RSS growth, the last result."""
    results = []
    for _ in range(repeat):
        result = in_child(function)
        if result.get("status", "done") != "done":
            sys.exit(f"the run failed: {result.get('error')}")
        if "run" in result and not keep:
            _delete(result["run"])
        results.append(result)
    return {
        **results[-1],
        "seconds": statistics.median(r["seconds"] for r in results),
        "all_seconds": [r["seconds"] for r in results],
        "growth": max(r["growth"] for r in results),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="products per measured warehouse (at most 100,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (the median is shown)")
    parser.add_argument("--only", default="a,b,c,d", help="scenarios to run, e.g. a,d")
    parser.add_argument("--tracemalloc", action="store_true", help="also one run of (a) under tracemalloc")
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the bench database")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if max(sizes) > PRODUCTS:
        sys.exit(f"sizes go up to {PRODUCTS:,}")
    only = set(args.only.split(","))

    ensure_database(args.fresh)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from apps.inventory.models import Warehouse

    call_command("migrate", verbosity=0)
    seconds = generate(sizes)
    if seconds is None:
        print(f"data: reusing {PRODUCTS:,} products, warehouses for {', '.join(f'{s:,}' for s in sizes)}")
    else:
        print(f"data: generated in {seconds:.1f} s", flush=True)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="jxc-bench-reports-")
    print(f"machine: {machine()}", flush=True)

    # Warm up in the parent (imports, translations, a first workbook): the children inherit it.
    small = Warehouse.objects.get(code=warehouse_code(min(sizes)))
    warm = execute_run({**PERIOD, "warehouse": str(small.pk), "search": f"{SKU_PREFIX}000001"})
    _delete(warm["run"])

    rows = []

    def row(*cells):
        rows.append(cells)
        print("  " + " | ".join(str(x) for x in cells), flush=True)

    for size in sizes:
        parameters = {**PERIOD, "warehouse": str(Warehouse.objects.get(code=warehouse_code(size)).pk)}
        if "a" in only:
            result = measured(lambda p=parameters: execute_run(p), args.repeat)
            assert result["rows"] == size, result
            runs = ", ".join(f"{s:.1f}" for s in result["all_seconds"])
            row(
                f"(a) report run, one warehouse, {size:,} products",
                f"**{result['seconds']:.1f} s** ({runs})",
                f"{size / result['seconds']:,.0f}",
                f"{result['size'] / MiB:.2f} MiB",
                f"**+{result['growth'] / MiB:.1f} MiB** (from {result['before'] / MiB:.0f} MiB)",
            )
            if args.tracemalloc:
                traced = in_child(lambda p=parameters: execute_run(p), trace=True)
                _delete(traced["run"])
                row(
                    f"(a) the same under tracemalloc, {size:,} products",
                    f"{traced['seconds']:.1f} s",
                    f"{size / traced['seconds']:,.0f}",
                    "",
                    f"Python peak {traced['python_peak'] / MiB:.1f} MiB",
                )
        if "b" in only:
            result = measured(lambda p=parameters: selector_only(p), args.repeat)
            assert result["rows"] == size, result
            row(
                f"(b) the selector alone (no file), {size:,} products",
                f"{result['seconds']:.1f} s",
                f"{size / result['seconds']:,.0f}",
                "",
                f"+{result['growth'] / MiB:.1f} MiB",
            )
        if "d" in only:
            result = measured(lambda p=parameters: held_as_list(p), 1)
            assert result["rows"] == size, result
            row(
                f"(d) the same rows held as a list (`stock_summary()`), {size:,} products",
                f"{result['seconds']:.1f} s",
                f"{size / result['seconds']:,.0f}",
                "",
                f"+{result['growth'] / MiB:.1f} MiB",
            )

    if "c" in only:
        from apps.reports.models import ReportRun

        key = f"stock_summary:daily:{(JOB_DAY - datetime.timedelta(days=1)).isoformat()}"
        results = []
        for _ in range(args.repeat):
            for run in ReportRun.objects.filter(key=key):
                _delete(run.pk)
            results.append(in_child(morning_job))
            _delete(results[-1]["run"])
        result = results[-1]
        assert result["status"] == "done", result
        seconds = statistics.median(r["seconds"] for r in results)
        row(
            f"(c) the morning job, every warehouse ({result['rows']:,} rows)",
            f"**{seconds:.1f} s** ({', '.join(f'{r["seconds"]:.1f}' for r in results)})",
            f"{result['rows'] / seconds:,.0f}",
            f"{result['size'] / MiB:.2f} MiB",
            f"+{max(r['growth'] for r in results) / MiB:.1f} MiB",
        )

    print()
    print(f"machine: {machine()}")
    print("| scenario | seconds | rows/s | file | RSS growth |")
    print("|---|---:|---:|---:|---:|")
    for cells in rows:
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


if __name__ == "__main__":
    main()
