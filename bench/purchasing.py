"""Time the purchasing loop's hot paths on PostgreSQL: posting purchase receipts against orders
(apps/purchasing/services.py: stock ledger, order lines, ordered quantities, the payable) and
reading the payables list (GET /api/v1/payables/ and the /finance/payables/ page).

    .venv/bin/python bench/purchasing.py                 # set up once (reused afterwards), run everything
    .venv/bin/python bench/purchasing.py --fresh         # drop the bench database and start again
    .venv/bin/python bench/purchasing.py --only a,c      # some scenarios only (a b c d)

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/jxc_bench_purchasing (created if
missing; only a database whose name contains "bench" is ever dropped). Scenarios:
  (a) receipts of 5 lines, each against its own approved order of 5 lines, posted one after
      the other (purchase_receipt_post: docs/s and latency; the drafts are made beforehand);
  (b) the same with 4 threads, each with its own database connection;
  (c) one receipt of 2,000 lines against one order: creating the draft (pre-filled from the
      order) and posting it;
  (d) the payables list with 10,000 payables: the API (first page, and filtered by supplier,
      overdue and a search) and the HTML page (ms per request, median).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench_purchasing")
os.environ.setdefault("DEBUG", "0")  # production-like: no SQL capture per query

from ledger import _setup_django, ensure_database, machine  # noqa: E402  (after the environment is set)

PRODUCTS = 3000
SUPPLIERS = 50
PAYABLES = 10_000
PASSWORD = "bench-Purchasing-2026"
SKU_PREFIX = "BP"
D = Decimal


# --- the data ----------------------------------------------------------------------------------


class World:
    def __init__(self):
        from apps.accounts.models import User
        from apps.inventory.models import Product, Warehouse
        from apps.suppliers.models import Supplier

        users = {u.username: u for u in User.objects.filter(username__startswith="bench-po-")}
        self.buyer = users.get("bench-po-buyer")
        self.manager = users.get("bench-po-manager")
        self.clerk = users.get("bench-po-clerk")
        self.finance = users.get("bench-po-finance")
        self.warehouse = Warehouse.objects.filter(code="BPW1").first()
        self.products = list(Product.objects.filter(sku__startswith=SKU_PREFIX).order_by("id"))
        self.suppliers = list(Supplier.objects.filter(code__startswith="BPS").order_by("id"))
        self.ready = len(self.products) == PRODUCTS and len(self.suppliers) == SUPPLIERS and self.finance is not None


def setup() -> World:
    """Users (buyer, manager, clerk, finance), a warehouse, 3,000 products and 50 suppliers."""
    from django.db import transaction

    from apps.accounts.services import user_create
    from apps.inventory.models import Category, Product, Unit, Warehouse
    from apps.suppliers.models import Supplier

    world = World()
    if world.ready:
        return world
    if Product.objects.exists():
        sys.exit("the bench database holds other data: rerun with --fresh")
    with transaction.atomic():
        warehouse = Warehouse.objects.create(code="BPW1", name="基准仓")
        for name, department in (
            ("buyer", "purchasing"),
            ("manager", "management"),
            ("clerk", "warehouse"),
            ("finance", "finance"),
        ):
            user_create(
                actor=None,
                username=f"bench-po-{name}",
                password=PASSWORD,
                departments=[department],
                warehouses=[warehouse] if name == "clerk" else [],
            )
        unit, _ = Unit.objects.get_or_create(name="个")
        category, _ = Category.objects.get_or_create(name="基准测试", parent=None)
        Product.objects.bulk_create(
            Product(
                sku=f"{SKU_PREFIX}{i:06d}",
                name=f"基准商品 {i}",
                unit=unit,
                category=category,
                purchase_price=D(i * 37 % 500) + D("0.50"),
                sale_price=D(i * 37 % 500) + D("1.20"),
                tax_rate=D("0.13"),
            )
            for i in range(1, PRODUCTS + 1)
        )
        Supplier.objects.bulk_create(
            Supplier(code=f"BPS{i:03d}", name=f"基准供应商{i:03d}", payment_terms_days=30)
            for i in range(1, SUPPLIERS + 1)
        )
    return World()


def approved_order(world: World, supplier, products, qty: Decimal = Decimal(10)):
    from apps.purchasing import services

    order = services.purchase_order_create(
        user=world.buyer,
        supplier=supplier,
        warehouse=world.warehouse,
        lines=[{"product": p, "qty": qty, "unit_price": p.purchase_price, "tax_rate": p.tax_rate} for p in products],
    )
    order = services.purchase_order_submit(order=order, user=world.buyer)
    return services.purchase_order_approve(order=order, user=world.manager)


def draft_receipts(world: World, count: int, rng: random.Random) -> list[int]:
    """``count`` approved 5-line orders (random suppliers and products), each with a draft
    receipt of all its open quantities: what the clerk posts in (a) and (b)."""
    from apps.purchasing import services

    ids = []
    for _ in range(count):
        order = approved_order(world, rng.choice(world.suppliers), rng.sample(world.products, 5))
        receipt = services.purchase_receipt_create(user=world.clerk, purchase_order=order)
        ids.append(receipt.pk)
    return ids


def ensure_payables(world: World, target: int) -> int:
    """Top the payables up to ``target`` with generated open items (spread over the suppliers,
    due dates over the last and next 90 days, a quarter partly paid)."""
    from apps.finance.models import Payable

    have = Payable.objects.count()
    if have >= target:
        return have
    rng = random.Random(5)
    today = datetime.date.today()
    rows = []
    for n in range(have, target):
        amount = D(rng.randint(100, 500_000)) / 100
        day = today - datetime.timedelta(days=rng.randint(0, 120))
        paid = (amount / 2).quantize(D("0.01")) if rng.random() < 0.25 else D(0)
        rows.append(
            Payable(
                supplier=world.suppliers[n % len(world.suppliers)],
                source_type="bench_receipt",
                source_id=n + 1,
                source_number=f"BRCP-{n + 1:06d}",
                date=day,
                due_date=day + datetime.timedelta(days=30),
                amount=amount,
                paid=paid,
                status="open",
            )
        )
    Payable.objects.bulk_create(rows, batch_size=2000)
    return Payable.objects.count()


# --- (a) (b) posting receipts --------------------------------------------------------------------


def _post_all(world: World, ids: list[int], latencies: list[float], errors: list[str]) -> None:
    from django.db import connection

    from apps.purchasing import services
    from apps.purchasing.models import PurchaseReceipt

    try:
        for pk in ids:
            receipt = PurchaseReceipt.objects.get(pk=pk)
            began = time.perf_counter()
            services.purchase_receipt_post(receipt=receipt, user=world.clerk)
            latencies.append(time.perf_counter() - began)
    except Exception as exc:  # noqa: BLE001 - reported with the results
        errors.append(repr(exc))
    finally:
        connection.close()


def run_postings(world: World, ids: list[int], threads: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    chunks = [ids[n::threads] for n in range(threads)]
    began = time.perf_counter()
    if threads == 1:
        _post_all(world, ids, latencies, errors)
    else:
        workers = [threading.Thread(target=_post_all, args=(world, chunk, latencies, errors)) for chunk in chunks]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "docs": len(latencies),
        "per_second": len(latencies) / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
        "errors": errors,
    }


# --- (c) one 2,000-line receipt ------------------------------------------------------------------


def run_big_receipt(world: World, lines: int, rng: random.Random) -> dict:
    from apps.purchasing import services

    order = approved_order(world, rng.choice(world.suppliers), rng.sample(world.products, lines))
    began = time.perf_counter()
    receipt = services.purchase_receipt_create(user=world.clerk, purchase_order=order)
    created = time.perf_counter() - began
    # How much of the posting goes to remembering the supplier's last prices (a query or two
    # per line), measured by wrapping that step.
    remember, spent = services._remember_prices, []

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return remember(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    services._remember_prices = timed
    try:
        began = time.perf_counter()
        receipt = services.purchase_receipt_post(receipt=receipt, user=world.clerk)
        posted = time.perf_counter() - began
    finally:
        services._remember_prices = remember
    order.refresh_from_db()
    assert receipt.status == "posted" and order.status == "received", (receipt.status, order.status)
    return {"create_s": created, "post_s": posted, "prices_s": sum(spent), "total": receipt.total}


# --- (d) the payables list -------------------------------------------------------------------------


def _median_ms(client, url: str, repeat: int) -> tuple[float, float, int]:
    samples = []
    count = None
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
        if count is None and response.get("Content-Type", "").startswith("application/json"):
            count = response.json()["count"]
    samples.sort()
    return 1000 * statistics.median(samples), 1000 * samples[int(len(samples) * 0.95)], count


def run_payable_reads(world: World, repeat: int) -> list[tuple[str, float, float, int | None]]:
    from django.test import Client
    from django.urls import Resolver404, resolve

    supplier = world.suppliers[7]
    urls = [
        ("GET /api/v1/payables/ (first page of 50, by due date)", "/api/v1/payables/?page_size=50&ordering=due_date"),
        ("GET /api/v1/payables/?supplier=", f"/api/v1/payables/?supplier={supplier.pk}"),
        ("GET /api/v1/payables/?overdue=true", "/api/v1/payables/?overdue=true"),
        ("GET /api/v1/payables/?search=BRCP-0042", "/api/v1/payables/?search=BRCP-0042"),
        ("page /finance/payables/ (50 rows + totals row)", "/finance/payables/"),
        ("page /finance/payables/?overdue=true", "/finance/payables/?overdue=true"),
    ]
    client = Client()
    client.force_login(world.finance)
    results = []
    for label, url in urls:
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            results.append((label, None, None, None))
            continue
        client.get(url)  # warm up
        median, p95, count = _median_ms(client, url, repeat)
        results.append((label, median, p95, count))
    return results


# --- report -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--receipts", type=int, default=300, help="receipts posted one after the other (a)")
    parser.add_argument("--threaded", type=int, default=400, help="receipts posted by 4 threads (b)")
    parser.add_argument("--lines", type=int, default=2000, help="lines of the big receipt (c)")
    parser.add_argument("--repeat", type=int, default=50, help="requests per payables read (d)")
    parser.add_argument("--only", default="a,b,c,d", help="scenarios to run, e.g. a,d")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database")
    args = parser.parse_args()
    only = set(args.only.split(","))

    ensure_database(args.fresh)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    world = setup()
    rng = random.Random(2026)
    print(f"machine: {machine()}", flush=True)
    rows = []

    if "d" in only:
        total = ensure_payables(world, PAYABLES)
        for label, median, p95, count in run_payable_reads(world, args.repeat):
            if median is None:
                rows.append((f"(d) {label}", 1, "endpoint not there yet", f"{total:,} payables"))
            else:
                found = f", {count:,} found" if count is not None else ""
                rows.append((f"(d) {label}", 1, f"{median:.1f} ms (p95 {p95:.1f} ms)", f"{total:,} payables{found}"))
            print("  " + " | ".join(str(x) for x in rows[-1]), flush=True)

    for key, count, threads in (("a", args.receipts, 1), ("b", args.threaded, 4)):
        if key not in only:
            continue
        prepared = time.perf_counter()
        ids = draft_receipts(world, count, rng)
        prepared = time.perf_counter() - prepared
        connection.close()
        result = run_postings(world, ids, threads)
        detail = f"{count} orders + drafts prepared in {prepared:.0f} s"
        if result["errors"]:
            detail += f"; errors: {result['errors'][:3]}"
        rows.append(
            (
                f"({key}) post a 5-line receipt against its order",
                threads,
                f"{result['per_second']:.0f} docs/s; p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms",
                detail,
            )
        )
        print("  " + " | ".join(str(x) for x in rows[-1]), flush=True)

    if "c" in only:
        big = run_big_receipt(world, args.lines, rng)
        rows.append(
            (
                f"(c) one {args.lines:,}-line receipt against its order",
                1,
                f"create {big['create_s']:.2f} s, post {big['post_s']:.2f} s "
                f"(of which remembering last prices {big['prices_s']:.2f} s)",
                f"total ¥{big['total']:,}",
            )
        )
        print("  " + " | ".join(str(x) for x in rows[-1]), flush=True)

    print()
    print(f"machine: {machine()}")
    print("| scenario | threads | result | notes |")
    print("|---|---:|---|---|")
    for scenario, threads, result, notes in rows:
        print(f"| {scenario} | {threads} | {result} | {notes} |")


if __name__ == "__main__":
    main()
