"""Time the general ledger on PostgreSQL: what the journal adds to a posting, and reading a big
book (check_books and the statements).

    .venv/bin/python bench/books.py                 # set up once (reused afterwards), run everything
    .venv/bin/python bench/books.py --fresh         # drop the bench database and start again
    .venv/bin/python bench/books.py --only c,d      # some scenarios only (a b c d)

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/jxc_bench_books (created if missing;
only a database whose name contains "bench" is ever dropped). Scenarios:
  (a) 5-line deliveries (no order) posted one after the other, each its own transaction: the
      latency of ``delivery_post`` (stock ledger, receivable, journal entry) and, timed inside
      it, of the journal entry alone (``postings.delivery``: 5 lines, the JE number, the
      period's FOR SHARE hold);
  (b) customer receipts allocated oldest first, one after the other: ``customer_receipt_post``
      and, inside it, the journal entry and the cash movement;
  (c) ``check_books()`` on a big book: the real entries of the set-up and of (a)/(b) plus
      generated ones up to ``--entries`` (default 20,000) — half of them documents of every kind
      cancelled again (entry and reversal on the control accounts, so the books still
      reconcile), half accruals on accounts no sub-ledger checks; each check timed too, and
      ``manage.py check_books`` as a new process;
  (d) the statements on that book (trial balance at a date and for a period, income statement,
      balance sheet, cash flow) as functions, through the API and as pages.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench_books")
os.environ.setdefault("DEBUG", "0")  # production-like: no SQL capture per query

from ledger import _setup_django, ensure_database, machine  # noqa: E402  (after the environment is set)

PRODUCTS = 3000
CUSTOMERS = 50
OPENING_QTY = Decimal(1_000_000)
PASSWORD = "Kd8-ledger-tally"
SKU_PREFIX = "BB"
GENERATED = "bench_generated"  # source type of the generated documents' entries
D = Decimal


# --- the data ----------------------------------------------------------------------------------


class World:
    def __init__(self):
        from apps.accounts.models import User
        from apps.customers.models import Customer
        from apps.finance.models import CashAccount
        from apps.inventory.models import Product, StockBalance, Warehouse

        users = {u.username: u for u in User.objects.filter(username__startswith="bench-gl-")}
        self.clerk = users.get("bench-gl-clerk")
        self.finance = users.get("bench-gl-finance")
        self.manager = users.get("bench-gl-manager")
        self.warehouse = Warehouse.objects.filter(code="BBW1").first()
        self.bank = CashAccount.objects.filter(code="BB-BANK").first()
        self.products = list(Product.objects.filter(sku__startswith=SKU_PREFIX).order_by("id"))
        self.customers = list(Customer.objects.filter(code__startswith="BBC").order_by("id"))
        stocked = StockBalance.objects.filter(warehouse=self.warehouse, qty__gt=0).count() if self.warehouse else 0
        self.ready = (
            len(self.products) == PRODUCTS
            and len(self.customers) == CUSTOMERS
            and stocked == PRODUCTS
            and self.bank is not None
        )


def setup() -> World:
    """Users (warehouse clerk, finance, management), a warehouse, 3,000 products with 1,000,000
    of each brought in by one opening-stock adjustment (its entry: Dr 1405, Cr 3001), 50
    customers without a credit limit, a bank account opened with 1,000,000.00 — all through
    the services, so the books reconcile from the start."""
    from django.db import transaction

    from apps.accounts.services import user_create
    from apps.customers.models import Customer
    from apps.finance import cash
    from apps.inventory import services as inventory
    from apps.inventory.models import Category, Product, Unit, Warehouse

    world = World()
    if world.ready:
        return world
    if Product.objects.exists():
        sys.exit("the bench database holds other data: rerun with --fresh")
    today = datetime.date.today()
    with transaction.atomic():
        warehouse = Warehouse.objects.create(code="BBW1", name="总账基准仓")
        users = {}
        for name, department in (("clerk", "warehouse"), ("finance", "finance"), ("manager", "management")):
            users[name] = user_create(
                actor=None,
                username=f"bench-gl-{name}",
                password=PASSWORD,
                departments=[department],
                warehouses=[warehouse] if name == "clerk" else [],
            )
        unit, _ = Unit.objects.get_or_create(name="个")
        category, _ = Category.objects.get_or_create(name="总账基准", parent=None)
        Product.objects.bulk_create(
            Product(
                sku=f"{SKU_PREFIX}{i:06d}",
                name=f"总账基准商品 {i}",
                unit=unit,
                category=category,
                purchase_price=D(i * 37 % 500) + D("0.50"),
                sale_price=D(i * 37 % 500) + D("1.20"),
                tax_rate=D("0.13"),
            )
            for i in range(1, PRODUCTS + 1)
        )
        Customer.objects.bulk_create(
            Customer(code=f"BBC{i:03d}", name=f"总账客户{i:03d}", payment_terms_days=30, credit_limit=None)
            for i in range(1, CUSTOMERS + 1)
        )
        products = list(Product.objects.filter(sku__startswith=SKU_PREFIX).order_by("id"))
        opening = inventory.stock_adjustment_create(
            user=users["manager"],
            warehouse=warehouse,
            reason="opening",
            date=today - datetime.timedelta(days=200),
            lines=[{"product": p, "qty": OPENING_QTY, "unit_cost": p.purchase_price} for p in products],
        )
        inventory.stock_adjustment_post(adjustment=opening, user=users["manager"])
        cash.cash_account_create(
            user=users["finance"],
            code="BB-BANK",
            name="基准银行",
            kind="bank",
            opening_balance=D("1000000.00"),
            opening_date=today - datetime.timedelta(days=200),
        )
    return World()


# --- timing helpers -----------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    return f"p50 {1000 * samples[len(samples) // 2]:.1f} ms, p95 {1000 * samples[int(len(samples) * 0.95)]:.1f} ms"


class Stopwatch:
    """Wraps a function so each call's duration is appended to ``samples``."""

    def __init__(self, function):
        self.function = function
        self.samples: list[float] = []

    def __call__(self, *args, **kwargs):
        began = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.samples.append(time.perf_counter() - began)


# --- (a) deliveries ------------------------------------------------------------------------------


def run_deliveries(world: World, count: int, rng: random.Random) -> dict:
    from apps.finance import postings
    from apps.sales import services
    from apps.sales.models import Delivery

    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    ids = []
    for _ in range(count):
        lines = [
            {"product": p, "qty": D(rng.randint(1, 5)), "unit_price": p.sale_price, "tax_rate": p.tax_rate}
            for p in rng.sample(world.products, 5)
        ]
        draft = services.delivery_create(
            user=world.clerk,
            customer=rng.choice(world.customers),
            warehouse=world.warehouse,
            date=yesterday,
            lines=lines,
        )
        ids.append(draft.pk)
    journal = Stopwatch(postings.delivery)
    postings.delivery = journal
    samples = []
    try:
        began = time.perf_counter()
        for pk in ids:
            delivery = Delivery.objects.get(pk=pk)
            started = time.perf_counter()
            delivery = services.delivery_post(delivery=delivery, user=world.clerk)
            samples.append(time.perf_counter() - started)
            assert delivery.status == "posted", delivery.status
        wall = time.perf_counter() - began
    finally:
        postings.delivery = journal.function
    return {"post": _percentiles(samples), "journal": _percentiles(journal.samples), "per_second": count / wall}


# --- (b) customer receipts ---------------------------------------------------------------------------


def run_receipts(world: World, count: int, rng: random.Random) -> dict:
    import dataclasses

    from apps.finance import cash, postings
    from apps.finance import services as finance
    from apps.finance.models import CustomerReceipt, Receivable

    owing = list(
        Receivable.objects.filter(status="open", amount__gt=0, customer__code__startswith="BBC")
        .values_list("customer_id", flat=True)
        .distinct()
    )
    if not owing:
        sys.exit("(b) needs open receivables: run (a) first")
    customers = {c.pk: c for c in world.customers}
    ids = []
    for _ in range(count):
        draft = finance.customer_receipt_create(
            user=world.finance,
            customer=customers[rng.choice(owing)],
            amount=D("10.00"),
            account=world.bank,
            date=datetime.date.today() - datetime.timedelta(days=1),
        )
        ids.append(draft.pk)
    journal = Stopwatch(postings.customer_receipt)
    movement = Stopwatch(cash.move)
    original_kind, original_move = finance.RECEIPTS, cash.move
    finance.RECEIPTS = dataclasses.replace(original_kind, journal_entry=journal)
    cash.move = movement
    samples = []
    try:
        began = time.perf_counter()
        for pk in ids:
            receipt = CustomerReceipt.objects.get(pk=pk)
            started = time.perf_counter()
            receipt = finance.customer_receipt_post(receipt=receipt, user=world.finance)
            samples.append(time.perf_counter() - started)
            assert receipt.status == "posted", receipt.status
        wall = time.perf_counter() - began
    finally:
        finance.RECEIPTS, cash.move = original_kind, original_move
    return {
        "post": _percentiles(samples),
        "journal": _percentiles(journal.samples),
        "movement": _percentiles(movement.samples),
        "per_second": count / wall,
    }


# --- (c) a big book --------------------------------------------------------------------------------

# Generated documents: (lines as (account code, side, share of the amount)), posted and cancelled
# again on the control accounts, or standing accruals on accounts no sub-ledger checks.
CANCELLED_KINDS = [
    [("1405", "D", 100), ("2221.01", "D", 13), ("2202", "C", 113)],  # a purchase receipt
    [("1122", "D", 113), ("6001", "C", 100), ("2221.02", "C", 13), ("6401", "D", 70), ("1405", "C", 70)],  # a sale
    [("1002", "D", 113), ("1122", "C", 113)],  # money received
    [("2202", "D", 113), ("1002", "C", 113)],  # a supplier paid
]
STANDING_KINDS = [
    [("6602", "D", 100), ("2241", "C", 100)],  # an accrued expense
    [("6601", "D", 60), ("6602", "D", 40), ("2211", "C", 100)],  # wages accrued by department
    [("1221", "D", 100), ("6051", "C", 100)],  # other income receivable
]


def ensure_book(world: World, target: int) -> int:
    """Top the journal up to ``target`` posted entries with generated ones, dated over the last
    365 days (bulk inserts of entries and lines; the numbers have their own prefix)."""
    from django.db import transaction

    from apps.finance.models import Account, JournalEntry, JournalLine

    have = JournalEntry.objects.filter(status="posted").count()
    if have >= target:
        return have
    accounts = {a.code: a.pk for a in Account.objects.all()}
    rng = random.Random(20)
    today = datetime.date.today()
    start = JournalEntry.objects.filter(source_type=GENERATED).count()
    missing = target - have
    with transaction.atomic():
        n = start
        while missing > 0:
            batch_entries, batch_lines, reversals = [], [], []
            for _ in range(min(2000, missing)):
                n += 1
                amount = D(rng.randint(100, 2_000_000)) / 100
                on = today - datetime.timedelta(days=rng.randint(1, 365))
                cancelled = n % 2 == 0 and missing >= 2
                shape = (CANCELLED_KINDS if cancelled else STANDING_KINDS)[n % 4 if cancelled else n % 3]
                lines = [(code, side, (amount * share / 100).quantize(D("0.01"))) for code, side, share in shape]
                debit = sum(value for _c, side, value in lines if side == "D")
                credit = sum(value for _c, side, value in lines if side == "C")
                lines[-1] = (
                    lines[-1][0],
                    lines[-1][1],
                    lines[-1][2] + (debit - credit) * (1 if lines[-1][1] == "C" else -1),
                )
                entry = JournalEntry(
                    number=f"BJE-{n:07d}",
                    date=on,
                    status="posted",
                    created_by=world.finance,
                    memo="generated",
                    source_type=GENERATED,
                    source_id=n,
                    source_number=f"BGD-{n:07d}",
                    total=sum(value for _c, side, value in lines if side == "D"),
                )
                batch_entries.append((entry, lines))
                missing -= 1
                if cancelled:
                    reversals.append((entry, lines, on + datetime.timedelta(days=rng.randint(0, 20))))
                    missing -= 1
            JournalEntry.objects.bulk_create([entry for entry, _lines in batch_entries])
            for entry, lines in batch_entries:
                for number, (code, side, value) in enumerate(lines, start=1):
                    batch_lines.append(
                        JournalLine(
                            entry=entry,
                            line_no=number,
                            account_id=accounts[code],
                            debit=value if side == "D" else 0,
                            credit=value if side == "C" else 0,
                        )
                    )
            mirrored = []
            for original, lines, on in reversals:
                reversal = JournalEntry(
                    number=f"{original.number}-R",
                    date=min(on, today),
                    status="posted",
                    created_by=world.finance,
                    memo=f"Reversal of {original.number}",
                    source_type=GENERATED,
                    source_id=original.source_id,
                    source_number=original.source_number,
                    reversal_of=original,
                    total=original.total,
                )
                mirrored.append((reversal, lines))
            JournalEntry.objects.bulk_create([reversal for reversal, _lines in mirrored])
            for reversal, lines in mirrored:
                for number, (code, side, value) in enumerate(lines, start=1):
                    batch_lines.append(
                        JournalLine(
                            entry=reversal,
                            line_no=number,
                            account_id=accounts[code],
                            debit=value if side == "C" else 0,
                            credit=value if side == "D" else 0,
                        )
                    )
            JournalLine.objects.bulk_create(batch_lines, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE finance_journalentry")
        cursor.execute("ANALYZE finance_journalline")
    return JournalEntry.objects.filter(status="posted").count()


def run_check_books(repeat: int) -> dict:
    from apps.finance.books import CHECKS, check_books

    samples, problems = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        problems = check_books()
        samples.append(time.perf_counter() - began)
    per_check = []
    for check in CHECKS:
        began = time.perf_counter()
        check.run()
        per_check.append((check.key, time.perf_counter() - began))
    began = time.perf_counter()
    command = subprocess.run(
        [sys.executable, "manage.py", "check_books"], cwd=ROOT, capture_output=True, text=True, env=os.environ.copy()
    )
    process = time.perf_counter() - began
    return {
        "median_s": sorted(samples)[len(samples) // 2],
        "problems": problems,
        "per_check": per_check,
        "process_s": process,
        "exit": command.returncode,
    }


# --- (d) the statements ------------------------------------------------------------------------------


def run_statements(world: World, repeat: int) -> list[tuple[str, float, float, str]]:
    from apps.finance import statements

    today = datetime.date.today()
    year_ago = today - datetime.timedelta(days=365)
    month_start = today.replace(day=1)
    calls = [
        ("trial_balance(date_to=today)", lambda: statements.trial_balance(date_to=today)),
        (
            "trial_balance(date_from=1st, date_to=today) (opening, period, closing)",
            lambda: statements.trial_balance(date_from=month_start, date_to=today),
        ),
        ("balance_sheet(date=today)", lambda: statements.balance_sheet(date=today)),
        ("income_statement(last 365 days)", lambda: statements.income_statement(date_from=year_ago, date_to=today)),
        ("cash_flow(last 365 days)", lambda: statements.cash_flow(date_from=year_ago, date_to=today)),
    ]
    results = []
    for label, call in calls:
        call()
        samples = []
        for _ in range(repeat):
            began = time.perf_counter()
            result = call()
            samples.append(time.perf_counter() - began)
        samples.sort()
        note = ""
        if "total_debit" in result:
            note = f"balanced: {result['total_debit'] == result['total_credit']}, {len(result['rows'])} accounts"
        elif "balanced" in result:
            note = f"balanced: {result['balanced']}"
        results.append((label, 1000 * samples[len(samples) // 2], 1000 * samples[int(len(samples) * 0.95)], note))
    return results


def run_statement_requests(world: World, repeat: int) -> list[tuple[str, float | None, float | None]]:
    from django.test import Client
    from django.urls import Resolver404, resolve

    today = datetime.date.today()
    first = today.replace(day=1).isoformat()
    requests = [
        ("GET /api/v1/reports/trial-balance/?date_to=", f"/api/v1/reports/trial-balance/?date_to={today}"),
        ("GET /api/v1/reports/balance-sheet/?date=", f"/api/v1/reports/balance-sheet/?date={today}"),
        (
            "GET /api/v1/reports/income-statement/ (this month)",
            f"/api/v1/reports/income-statement/?date_from={first}&date_to={today}",
        ),
        ("GET /api/v1/books-check/", "/api/v1/books-check/"),
        ("page /reports/trial-balance/", f"/reports/trial-balance/?date_to={today}"),
        ("page /reports/balance-sheet/", f"/reports/balance-sheet/?date={today}"),
        ("GET /api/v1/reports/balance-sheet/?format=xlsx", f"/api/v1/reports/balance-sheet/?date={today}&format=xlsx"),
    ]
    results = []
    client = Client()
    client.force_login(world.manager)
    for label, url in requests:
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            results.append((label, None, None))
            continue
        response = client.get(url)  # warm up
        if response.status_code != 200:
            results.append((f"{label} (answered {response.status_code})", None, None))
            continue
        samples = []
        for _ in range(repeat):
            began = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - began)
            assert response.status_code == 200, (url, response.status_code)
        samples.sort()
        results.append((label, 1000 * samples[len(samples) // 2], 1000 * samples[int(len(samples) * 0.95)]))
    return results


# --- report -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=300, help="5-line deliveries posted (a)")
    parser.add_argument("--receipts", type=int, default=300, help="customer receipts posted (b)")
    parser.add_argument("--entries", type=int, default=20_000, help="posted journal entries in the book (c, d)")
    parser.add_argument("--repeat", type=int, default=10, help="runs per check_books / statement (c, d)")
    parser.add_argument("--only", default="a,b,c,d", help="scenarios to run, e.g. c,d")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database")
    args = parser.parse_args()
    only = set(args.only.split(","))

    ensure_database(args.fresh)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    world = setup()
    print(f"set-up: {time.perf_counter() - began:.1f} s", flush=True)
    rng = random.Random(2026)
    print(f"machine: {machine()}", flush=True)
    rows = []

    def row(*cells):
        rows.append(cells)
        print("  " + " | ".join(str(x) for x in cells), flush=True)

    if "a" in only:
        result = run_deliveries(world, args.deliveries, rng)
        row(
            f"(a) post a 5-line delivery ({args.deliveries}, one after the other)",
            result["post"],
            f"{result['per_second']:.1f} deliveries/s",
        )
        row("(a) of which the journal entry (`postings.delivery`)", result["journal"], "5 lines")

    if "b" in only:
        result = run_receipts(world, args.receipts, rng)
        row(
            f"(b) post a customer receipt ({args.receipts}, oldest first)",
            result["post"],
            f"{result['per_second']:.1f} receipts/s",
        )
        row("(b) of which the journal entry (`postings.customer_receipt`)", result["journal"], "2 lines")
        row("(b) of which the cash movement (`cash.move`)", result["movement"], "account locked, balance after")

    if "c" in only or "d" in only:
        from apps.finance.models import JournalLine

        began = time.perf_counter()
        total = ensure_book(world, args.entries)
        generated = time.perf_counter() - began
        lines = JournalLine.objects.filter(entry__status="posted").count()
        print(f"book: {total:,} entries, {lines:,} lines (topped up in {generated:.1f} s)", flush=True)
        book = f"{total:,} entries, {lines:,} lines"

    if "c" in only:
        result = run_check_books(args.repeat)
        verdict = "reconciles" if not result["problems"] else f"{len(result['problems'])} problems"
        row(
            "(c) `check_books()`",
            f"**{1000 * result['median_s']:.0f} ms** (median of {args.repeat})",
            f"{book}; {verdict}",
        )
        slowest = sorted(result["per_check"], key=lambda item: -item[1])
        row(
            "(c) per check",
            ", ".join(f"{key} {1000 * seconds:.0f} ms" for key, seconds in slowest),
            "",
        )
        row("(c) `manage.py check_books` (a new process)", f"{result['process_s']:.2f} s", f"exit {result['exit']}")

    if "d" in only:
        for label, median, p95, note in run_statements(world, args.repeat):
            row(f"(d) `{label}`", f"{median:.0f} ms (p95 {p95:.0f} ms)", note)
        for label, median, p95 in run_statement_requests(world, args.repeat):
            if median is None:
                row(f"(d) {label}", "not measured", "")
            else:
                row(f"(d) {label}", f"{median:.0f} ms (p95 {p95:.0f} ms)", "")

    print()
    print(f"machine: {machine()}")
    print("| scenario | result | notes |")
    print("|---|---|---|")
    for scenario, result, notes in rows:
        print(f"| {scenario} | {result} | {notes} |")


if __name__ == "__main__":
    main()
