"""Time the sales loop's hot paths on PostgreSQL: confirming a sales order (credit check under
the customer's lock, reservation) and delivering it (apps/sales/services.py: stock ledger at
the current cost, order lines and reservation, the receivable), one delivery of 2,000 lines,
and reading the receivables list (GET /api/v1/receivables/ and the /finance/receivables/ page).

    .venv/bin/python bench/sales.py                 # set up once (reused afterwards), run everything
    .venv/bin/python bench/sales.py --fresh         # drop the bench database and start again
    .venv/bin/python bench/sales.py --only a,c      # some scenarios only (a b c)

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/jxc_bench_sales (created if
missing; only a database whose name contains "bench" is ever dropped). Scenarios:
  (a) 5-line orders, each confirmed and then delivered in full, one after the other: the
      latency of ``sales_order_confirm``, of ``delivery_create`` (pre-filled from the order)
      + ``delivery_post``, and of the two together (p50/p95; the drafts are made beforehand);
  (b) one order of 2,000 lines: confirming it, creating its delivery and posting it;
  (c) the receivables list with 10,000 receivables: the API (first page, and filtered by
      customer, overdue and a search; also as a salesperson, who reads only their own
      customers') and the HTML page (ms per request, median and p95).
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench_sales")
os.environ.setdefault("DEBUG", "0")  # production-like: no SQL capture per query

from ledger import _setup_django, ensure_database, machine  # noqa: E402  (after the environment is set)
from purchasing import _median_ms  # noqa: E402

PRODUCTS = 3000
CUSTOMERS = 50
RECEIVABLES = 10_000
OPENING_QTY = Decimal(1_000_000)
PASSWORD = "Kd8-quarterly-tally"
SKU_PREFIX = "BS"
D = Decimal


# --- the data ----------------------------------------------------------------------------------


class World:
    def __init__(self):
        from apps.accounts.models import User
        from apps.customers.models import Customer
        from apps.inventory.models import Product, StockBalance, Warehouse

        users = {u.username: u for u in User.objects.filter(username__startswith="bench-so-")}
        self.seller = users.get("bench-so-seller")
        self.other_seller = users.get("bench-so-other")
        self.clerk = users.get("bench-so-clerk")
        self.finance = users.get("bench-so-finance")
        self.warehouse = Warehouse.objects.filter(code="BSW1").first()
        self.products = list(Product.objects.filter(sku__startswith=SKU_PREFIX).order_by("id"))
        self.customers = list(Customer.objects.filter(code__startswith="BSC").order_by("id"))
        stocked = StockBalance.objects.filter(warehouse=self.warehouse, qty__gt=0).count() if self.warehouse else 0
        self.ready = (
            len(self.products) == PRODUCTS
            and len(self.customers) == CUSTOMERS
            and stocked == PRODUCTS
            and self.finance is not None
        )


def setup() -> World:
    """Users (two salespeople, a warehouse clerk, finance), a warehouse, 3,000 products with
    1,000,000 of each in stock (one ledger posting), 50 customers with a credit limit high
    enough that the check runs in full and passes (two in three the first salesperson's)."""
    from django.db import transaction

    from apps.accounts.services import user_create
    from apps.customers.models import Customer
    from apps.inventory import ledger
    from apps.inventory.models import Category, Product, Unit, Warehouse

    world = World()
    if world.ready:
        return world
    if Product.objects.exists():
        sys.exit("the bench database holds other data: rerun with --fresh")
    with transaction.atomic():
        warehouse = Warehouse.objects.create(code="BSW1", name="销售基准仓")
        users = {}
        for name, department in (
            ("seller", "sales"),
            ("other", "sales"),
            ("clerk", "warehouse"),
            ("finance", "finance"),
        ):
            users[name] = user_create(
                actor=None,
                username=f"bench-so-{name}",
                password=PASSWORD,
                departments=[department],
                warehouses=[warehouse] if name == "clerk" else [],
            )
        unit, _ = Unit.objects.get_or_create(name="个")
        category, _ = Category.objects.get_or_create(name="销售基准", parent=None)
        Product.objects.bulk_create(
            Product(
                sku=f"{SKU_PREFIX}{i:06d}",
                name=f"销售基准商品 {i}",
                unit=unit,
                category=category,
                purchase_price=D(i * 37 % 500) + D("0.50"),
                sale_price=D(i * 37 % 500) + D("1.20"),
                tax_rate=D("0.13"),
            )
            for i in range(1, PRODUCTS + 1)
        )
        Customer.objects.bulk_create(
            Customer(
                code=f"BSC{i:03d}",
                name=f"基准客户{i:03d}",
                payment_terms_days=30,
                credit_limit=D("100000000.00"),
                salesperson=users["seller"] if i % 3 else users["other"],
            )
            for i in range(1, CUSTOMERS + 1)
        )
        products = list(Product.objects.filter(sku__startswith=SKU_PREFIX).order_by("id"))
        ledger.post(
            source=ledger.Source(type="bench_opening", id=1, number="BENCH-OPEN"),
            movements=[
                ledger.Movement(product=p.pk, warehouse=warehouse.pk, qty=OPENING_QTY, unit_cost=p.purchase_price)
                for p in products
            ],
            user=users["clerk"],
            date=datetime.date.today() - datetime.timedelta(days=200),
        )
    return World()


def draft_order(world: World, customer, products, qty: Decimal = Decimal(3)):
    from apps.sales import services

    return services.sales_order_create(
        user=world.seller if customer.salesperson_id == world.seller.pk else world.other_seller,
        customer=customer,
        warehouse=world.warehouse,
        lines=[{"product": p, "qty": qty, "unit_price": p.sale_price, "tax_rate": p.tax_rate} for p in products],
    )


def ensure_receivables(world: World, target: int) -> int:
    """Top the receivables up to ``target`` with generated open items (spread over the
    customers, due dates over the last and next 90 days, a quarter partly paid)."""
    from apps.finance.models import Receivable

    have = Receivable.objects.count()
    if have >= target:
        return have
    rng = random.Random(6)
    today = datetime.date.today()
    rows = []
    for n in range(have, target):
        amount = D(rng.randint(100, 500_000)) / 100
        day = today - datetime.timedelta(days=rng.randint(0, 120))
        paid = (amount / 2).quantize(D("0.01")) if rng.random() < 0.25 else D(0)
        rows.append(
            Receivable(
                customer=world.customers[n % len(world.customers)],
                source_type="bench_delivery",
                source_id=n + 1,
                source_number=f"BDN-{n + 1:06d}",
                date=day,
                due_date=day + datetime.timedelta(days=30),
                amount=amount,
                paid=paid,
                status="open",
            )
        )
    Receivable.objects.bulk_create(rows, batch_size=2000)
    return Receivable.objects.count()


# --- (a) confirm and deliver 5-line orders --------------------------------------------------------


def _percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    return f"p50 {1000 * samples[len(samples) // 2]:.1f} ms, p95 {1000 * samples[int(len(samples) * 0.95)]:.1f} ms"


def run_confirm_and_deliver(world: World, count: int, rng: random.Random) -> dict:
    from apps.sales import services
    from apps.sales.models import SalesOrder

    prepared = time.perf_counter()
    ids = [draft_order(world, rng.choice(world.customers), rng.sample(world.products, 5)).pk for _ in range(count)]
    prepared = time.perf_counter() - prepared
    confirm, deliver, both = [], [], []
    began = time.perf_counter()
    for pk in ids:
        order = SalesOrder.objects.select_related("customer").get(pk=pk)
        started = time.perf_counter()
        seller = world.seller if order.customer.salesperson_id == world.seller.pk else world.other_seller
        order = services.sales_order_confirm(order=order, user=seller)
        confirmed = time.perf_counter()
        delivery = services.delivery_create(user=world.clerk, sales_order=order)
        delivery = services.delivery_post(delivery=delivery, user=world.clerk)
        done = time.perf_counter()
        assert delivery.status == "posted", delivery.status
        confirm.append(confirmed - started)
        deliver.append(done - confirmed)
        both.append(done - started)
    wall = time.perf_counter() - began
    return {
        "orders": count,
        "per_second": count / wall,
        "confirm": _percentiles(confirm),
        "deliver": _percentiles(deliver),
        "both": _percentiles(both),
        "prepared_s": prepared,
    }


# --- (b) one 2,000-line order delivered ------------------------------------------------------------


def run_big_delivery(world: World, lines: int, rng: random.Random) -> dict:
    from apps.sales import services

    customer = rng.choice(world.customers)
    began = time.perf_counter()
    order = draft_order(world, customer, rng.sample(world.products, lines))
    drafted = time.perf_counter() - began
    seller = world.seller if customer.salesperson_id == world.seller.pk else world.other_seller
    began = time.perf_counter()
    order = services.sales_order_confirm(order=order, user=seller)
    confirmed = time.perf_counter() - began
    began = time.perf_counter()
    delivery = services.delivery_create(user=world.clerk, sales_order=order)
    created = time.perf_counter() - began
    began = time.perf_counter()
    delivery = services.delivery_post(delivery=delivery, user=world.clerk)
    posted = time.perf_counter() - began
    order.refresh_from_db()
    assert delivery.status == "posted" and order.status == "delivered", (delivery.status, order.status)
    return {
        "order_s": drafted,
        "confirm_s": confirmed,
        "create_s": created,
        "post_s": posted,
        "total": delivery.total,
    }


# --- (c) the receivables list -----------------------------------------------------------------------


def run_receivable_reads(world: World, repeat: int) -> list[tuple[str, float | None, float | None, int | None]]:
    from django.test import Client
    from django.urls import Resolver404, resolve

    customer = world.customers[7]
    requests = [
        (
            world.finance,
            "GET /api/v1/receivables/ (first page of 50, by due date)",
            "/api/v1/receivables/?page_size=50&ordering=due_date",
        ),
        (world.finance, "GET /api/v1/receivables/?customer=", f"/api/v1/receivables/?customer={customer.pk}"),
        (world.finance, "GET /api/v1/receivables/?overdue=true", "/api/v1/receivables/?overdue=true"),
        (world.finance, "GET /api/v1/receivables/?search=BDN-0042", "/api/v1/receivables/?search=BDN-0042"),
        (world.seller, "GET /api/v1/receivables/ as a salesperson (own customers)", "/api/v1/receivables/"),
        (world.finance, "page /finance/receivables/ (50 rows + totals row)", "/finance/receivables/"),
        (world.finance, "page /finance/receivables/overdue/", "/finance/receivables/overdue/"),
    ]
    results = []
    for user, label, url in requests:
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            results.append((label, None, None, None))
            continue
        client = Client()
        client.force_login(user)
        client.get(url)  # warm up
        median, p95, count = _median_ms(client, url, repeat)
        results.append((label, median, p95, count))
    return results


# --- report -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=300, help="5-line orders confirmed and delivered (a)")
    parser.add_argument("--lines", type=int, default=2000, help="lines of the big order and delivery (b)")
    parser.add_argument("--repeat", type=int, default=50, help="requests per receivables read (c)")
    parser.add_argument("--only", default="a,b,c", help="scenarios to run, e.g. a,c")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database")
    args = parser.parse_args()
    only = set(args.only.split(","))

    ensure_database(args.fresh)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    world = setup()
    rng = random.Random(2026)
    print(f"machine: {machine()}", flush=True)
    rows = []

    def row(*cells):
        rows.append(cells)
        print("  " + " | ".join(str(x) for x in cells), flush=True)

    if "c" in only:
        total = ensure_receivables(world, RECEIVABLES)
        for label, median, p95, count in run_receivable_reads(world, args.repeat):
            if median is None:
                row(f"(c) {label}", "endpoint not there yet", f"{total:,} receivables")
            else:
                found = f", {count:,} found" if count is not None else ""
                row(f"(c) {label}", f"{median:.1f} ms (p95 {p95:.1f} ms)", f"{total:,} receivables{found}")

    if "a" in only:
        result = run_confirm_and_deliver(world, args.orders, rng)
        row(
            "(a) confirm a 5-line order",
            result["confirm"],
            f"{result['orders']} orders; drafts prepared in {result['prepared_s']:.0f} s",
        )
        row("(a) deliver it in full (create the draft from the order + post)", result["deliver"], "")
        row("(a) confirm + deliver", result["both"], f"{result['per_second']:.1f} orders/s")

    if "b" in only:
        big = run_big_delivery(world, args.lines, rng)
        row(
            f"(b) one {args.lines:,}-line order delivered",
            f"confirm {big['confirm_s']:.2f} s, delivery draft {big['create_s']:.2f} s, post **{big['post_s']:.2f} s**",
            f"order drafted in {big['order_s']:.2f} s; total ¥{big['total']:,}",
        )

    print()
    print(f"machine: {machine()}")
    print("| scenario | result | notes |")
    print("|---|---|---|")
    for scenario, result, notes in rows:
        print(f"| {scenario} | {result} | {notes} |")


if __name__ == "__main__":
    main()
