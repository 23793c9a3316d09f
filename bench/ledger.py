"""Time the stock ledger (apps/inventory/ledger.py) on 10,000 products × 3 warehouses and
1,000,000 ledger entries, against the raw-SQL ceiling (pgbench running bench/pgbench_5line.sql).

    .venv/bin/python bench/ledger.py                # generate once (reused afterwards), run everything
    .venv/bin/python bench/ledger.py --fresh        # drop the bench database and generate again
    .venv/bin/python bench/ledger.py --only a,c     # some scenarios only (a b c d e)

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/jxc_bench_ledger (created if
missing). Scenarios:
  (a) 5-line documents per second through ledger.post, 1 and 4 worker processes;
  (b) the same with every document touching one hot product;
  (c) one ledger.post of a 5,000-line document (a stock count's variances);
  (d) one stock balance read (ORM; and the API when /api/v1/stock-balances/ exists);
  (e) manage.py check_stock on the full data (when the command exists).
"""

import argparse
import contextlib
import datetime
import multiprocessing
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench_ledger")
os.environ.setdefault("DEBUG", "0")  # production-like: no SQL capture per query

SKU_PREFIX = "LB"
HISTORY = "bench_history"  # source_type of the generated entries
HOT_QTY = 1_000_000  # opening stock of the hot product, so (b) never runs out
NAMES = ["矿泉水", "绿茶", "方便面", "洗衣液", "抽纸", "签字笔", "打印纸", "螺丝刀", "数据线", "充电器"]
PGBENCH_SCRIPT = ROOT / "bench" / "pgbench_5line.sql"


# --- the database ------------------------------------------------------------------------------


def _db():
    url = urlsplit(os.environ["DATABASE_URL"])
    if not url.scheme.startswith("postg"):
        sys.exit("bench/ledger.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    return {
        "name": url.path.lstrip("/"),
        "host": url.hostname or "127.0.0.1",
        "port": str(url.port or 5432),
        "user": url.username or "postgres",
    }


def _psql_admin(sql: str) -> str:
    db = _db()
    cmd = ["psql", "-h", db["host"], "-p", db["port"], "-U", db["user"], "-d", "postgres", "-Atc", sql]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def ensure_database(fresh: bool) -> None:
    """Create the bench database if missing; with ``fresh``, drop it first (bench databases only)."""
    name = _db()["name"]
    if not re.fullmatch(r"[a-z0-9_]+", name) or "bench" not in name:
        sys.exit(f"refusing to manage database {name!r}: its name must contain 'bench'")
    exists = _psql_admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and fresh:
        _psql_admin(f"DROP DATABASE {name} WITH (FORCE)")
        exists = False
    if not exists:
        _psql_admin(f"CREATE DATABASE {name}")


# Set up Django only after the database exists (see main()).
def _setup_django():
    import django

    django.setup()


# --- data generation (set-based SQL) -------------------------------------------------------------

# Entry i (1..N) belongs to key k = (i-1) % K (K = products × warehouses; product k / W, warehouse
# k % W) and is that key's s-th entry, s = (i-1) / K. s = 0: opening receipt; odd s: a receipt of
# 1..100; even s: an issue of 1..(the receipt just before it), so stock never goes below the
# opening. Each key has one cost (its product's purchase price), so moving average and FIFO give
# the same exact values (integer quantities × 2-decimal costs: no rounding anywhere).
HASH = "((({x})::bigint * 2654435761) %% 4294967291)"

ENTRIES_SQL = """
INSERT INTO inventory_stockledgerentry
  (id, qty, unit_cost, value, qty_after, value_after, source_type, source_id, source_number,
   source_line_id, date, posted_at, lot_id, product_id, reversal_of_id, user_id, warehouse_id)
SELECT g.i, g.qty, g.cost, g.qty * g.cost, sum(g.qty) OVER w, sum(g.qty) OVER w * g.cost,
       %(history)s, (g.i - 1) / 5 + 1, 'BH-' || ((g.i - 1) / 5 + 1), NULL,
       current_date - ((%(n)s - g.i) * 365 / %(n)s)::int, now() - (%(n)s - g.i) * interval '20 seconds',
       NULL, g.product_id, NULL, %(user)s, g.warehouse_id
  FROM (
    SELECT i, k, %(pmin)s + k / %(w)s AS product_id, (%(warehouses)s::bigint[])[k %% %(w)s + 1] AS warehouse_id,
           ((k / %(w)s + 1) * 37 %% 500) + 0.50 AS cost,
           CASE WHEN s = 0 AND k / %(w)s = 0 THEN %(hot_qty)s
                WHEN s = 0 THEN 50 + {hash_k} %% 451
                WHEN s %% 2 = 1 THEN 1 + {hash_i} %% 100
                ELSE -(1 + {hash_i} %% (1 + {hash_prev} %% 100)) END AS qty
      FROM (SELECT i, (i - 1) %% %(keys)s AS k, (i - 1) / %(keys)s AS s FROM generate_series(1, %(n)s) AS i) AS ks
  ) AS g
WINDOW w AS (PARTITION BY g.k ORDER BY g.i)
ORDER BY g.i
""".format(hash_k=HASH.format(x="k + 7"), hash_i=HASH.format(x="i"), hash_prev=HASH.format(x="i - %(keys)s"))

PRODUCTS_SQL = """
INSERT INTO inventory_product
  (sku, name, spec, barcode, purchase_price, sale_price, tax_rate, safety_stock, max_stock, reorder_qty,
   valuation_method, is_active, name_pinyin, category_id, unit_id)
SELECT %(prefix)s || lpad(i::text, 6, '0'), (%(names)s::text[])[i %% 10 + 1] || ' ' || i, '',
       '68' || lpad(i::text, 11, '0'), (i * 37 %% 500) + 0.50, (i * 37 %% 500) + 1.20, 0.13, 0, 0, 0,
       CASE WHEN i > %(moving)s THEN 'fifo' ELSE 'moving_average' END, true, '', %(category)s, %(unit)s
  FROM generate_series(1, %(products)s) AS i
 ORDER BY i
"""

BALANCES_SQL = """
INSERT INTO inventory_stockbalance
  (qty, value, reserved_qty, ordered_qty, location, updated_at, product_id, warehouse_id)
SELECT sum(qty), sum(value), 0, 0, '', now(), product_id, warehouse_id
  FROM inventory_stockledgerentry GROUP BY product_id, warehouse_id ORDER BY product_id, warehouse_id
"""

# FIFO: every receipt is a layer; issues took the oldest first, so what is left of a layer is
# its part of the receipts beyond everything issued, and each issue took the overlap of its
# range of cumulative issued quantity with each layer's range of cumulative received quantity.
LAYERS_SQL = """
INSERT INTO inventory_fifolayer (unit_cost, qty_remaining, value_remaining, product_id, warehouse_id, entry_id)
SELECT e.unit_cost, r.rem, r.rem * e.unit_cost, e.product_id, e.warehouse_id, e.id
  FROM (SELECT e.*, sum(e.qty) OVER (PARTITION BY e.product_id, e.warehouse_id ORDER BY e.id) AS cum_in
          FROM inventory_stockledgerentry e WHERE e.qty > 0 AND e.product_id >= %(first_fifo)s) AS e
  LEFT JOIN (SELECT product_id, warehouse_id, -sum(qty) AS issued FROM inventory_stockledgerentry
              WHERE qty < 0 AND product_id >= %(first_fifo)s GROUP BY product_id, warehouse_id) AS t
         USING (product_id, warehouse_id)
 CROSS JOIN LATERAL (SELECT greatest(0, least(e.qty, e.cum_in - coalesce(t.issued, 0))) AS rem) AS r
 ORDER BY e.id
"""

CONSUMPTIONS_SQL = """
WITH l AS (
  SELECT f.id AS layer_id, e.product_id, e.warehouse_id, e.unit_cost, e.qty,
         sum(e.qty) OVER (PARTITION BY e.product_id, e.warehouse_id ORDER BY e.id) AS upto
    FROM inventory_fifolayer f JOIN inventory_stockledgerentry e ON e.id = f.entry_id
), o AS (
  SELECT e.id AS entry_id, e.product_id, e.warehouse_id, -e.qty AS qty,
         -sum(e.qty) OVER (PARTITION BY e.product_id, e.warehouse_id ORDER BY e.id) AS upto
    FROM inventory_stockledgerentry e WHERE e.qty < 0 AND e.product_id >= %(first_fifo)s
)
INSERT INTO inventory_fifoconsumption (qty, value, layer_id, entry_id)
SELECT x.qty, x.qty * l.unit_cost, l.layer_id, o.entry_id
  FROM o JOIN l USING (product_id, warehouse_id)
 CROSS JOIN LATERAL (SELECT least(o.upto, l.upto) - greatest(o.upto - o.qty, l.upto - l.qty) AS qty) AS x
 WHERE x.qty > 0
 ORDER BY o.entry_id, l.layer_id
"""

# Quick checks of the generator's own output (check_stock is the real judge, scenario (e)).
VERIFY_SQL = {
    "balances = sums of entries": """
        SELECT count(*) FROM inventory_stockbalance b
          LEFT JOIN (SELECT product_id, warehouse_id, sum(qty) q, sum(value) v FROM inventory_stockledgerentry
                      GROUP BY product_id, warehouse_id) s USING (product_id, warehouse_id)
         WHERE b.qty IS DISTINCT FROM s.q OR b.value IS DISTINCT FROM s.v""",
    "last entry's qty/value after = balance": """
        SELECT count(*) FROM inventory_stockbalance b
          JOIN LATERAL (SELECT qty_after, value_after FROM inventory_stockledgerentry e
                         WHERE e.product_id = b.product_id AND e.warehouse_id = b.warehouse_id
                         ORDER BY e.id DESC LIMIT 1) e ON true
         WHERE e.qty_after <> b.qty OR e.value_after <> b.value""",
    "no negative stock": "SELECT count(*) FROM inventory_stockledgerentry WHERE qty_after < 0 OR value_after < 0",
    "FIFO layers = balances": """
        SELECT count(*) FROM inventory_stockbalance b
          JOIN inventory_product p ON p.id = b.product_id AND p.valuation_method = 'fifo'
          LEFT JOIN (SELECT product_id, warehouse_id, sum(qty_remaining) q, sum(value_remaining) v
                       FROM inventory_fifolayer GROUP BY product_id, warehouse_id) l USING (product_id, warehouse_id)
         WHERE b.qty <> coalesce(l.q, 0) OR b.value <> coalesce(l.v, 0)""",
    "FIFO consumptions = issues": """
        SELECT count(*) FROM inventory_stockledgerentry e
          JOIN inventory_product p ON p.id = e.product_id AND p.valuation_method = 'fifo'
          LEFT JOIN (SELECT entry_id, sum(qty) q, sum(value) v FROM inventory_fifoconsumption GROUP BY entry_id) c
                 ON c.entry_id = e.id
         WHERE e.qty < 0 AND (c.q IS DISTINCT FROM -e.qty OR c.v IS DISTINCT FROM -e.value)""",
}


class World:
    """Ids of the generated data (products are contiguous: the first ``moving`` are moving
    average, the rest FIFO; the first product is the hot one)."""

    def __init__(self, products: int, warehouses: int, entries: int):
        from apps.accounts.models import User
        from apps.inventory.models import Product, Warehouse

        self.products, self.entries = products, entries
        self.moving = products * 9 // 10
        bench = Product.objects.filter(sku__startswith=SKU_PREFIX)
        ids = list(bench.order_by("id").values_list("id", flat=True))
        self.pmin = ids[0] if ids else None
        self.warehouses = list(
            Warehouse.objects.filter(code__startswith="BLW").order_by("id").values_list("id", flat=True)
        )
        self.user = User.objects.filter(username="bench-ledger").first()
        self.ready = (
            len(ids) == products
            and ids[-1] - ids[0] + 1 == products
            and len(self.warehouses) == warehouses
            and self.warehouses[-1] - self.warehouses[0] + 1 == warehouses
        )
        if self.ready:
            self.hot = self.pmin
            self.cost = dict(bench.values_list("id", "purchase_price"))


def generate(products: int, warehouses: int, entries: int) -> tuple[World, float | None]:
    """Generate the data unless already there at this size. Returns (world, seconds or None)."""
    from django.db import connection, transaction

    from apps.accounts.models import User
    from apps.inventory.models import Category, Product, StockLedgerEntry, Unit, Warehouse

    world = World(products, warehouses, entries)
    if world.ready and StockLedgerEntry.objects.filter(source_type=HISTORY).count() == entries:
        return world, None
    if Product.objects.exists() or StockLedgerEntry.objects.exists():
        sys.exit("the bench database holds other data (or another size): rerun with --fresh")
    started = time.perf_counter()
    with transaction.atomic():
        user = User.objects.create_superuser("bench-ledger", "bench@example.com", "bench-ledger")
        unit, _ = Unit.objects.get_or_create(name="个")
        category, _ = Category.objects.get_or_create(name="基准测试", parent=None)
        Warehouse.objects.bulk_create(
            [Warehouse(code=f"BLW{n + 1}", name=f"基准仓 {n + 1}") for n in range(warehouses)]
        )
        warehouse_ids = list(
            Warehouse.objects.filter(code__startswith="BLW").order_by("id").values_list("id", flat=True)
        )
        moving = products * 9 // 10
        with connection.cursor() as cursor:
            cursor.execute(
                PRODUCTS_SQL,
                {
                    "prefix": SKU_PREFIX,
                    "names": NAMES,
                    "moving": moving,
                    "category": category.pk,
                    "unit": unit.pk,
                    "products": products,
                },
            )
            cursor.execute("SELECT min(id) FROM inventory_product WHERE sku LIKE %s", [SKU_PREFIX + "%"])
            pmin = cursor.fetchone()[0]
            # The rows are consistent by construction; skip the per-row foreign-key triggers.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                ENTRIES_SQL,
                {
                    "history": HISTORY,
                    "n": entries,
                    "user": user.pk,
                    "pmin": pmin,
                    "w": warehouses,
                    "warehouses": warehouse_ids,
                    "keys": products * warehouses,
                    "hot_qty": HOT_QTY,
                },
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('inventory_stockledgerentry', 'id'), "
                "(SELECT max(id) FROM inventory_stockledgerentry))"
            )
            cursor.execute(BALANCES_SQL)
            cursor.execute(LAYERS_SQL, {"first_fifo": pmin + moving})
            cursor.execute(CONSUMPTIONS_SQL, {"first_fifo": pmin + moving})
            cursor.execute("SET LOCAL session_replication_role = origin")
            for label, sql in VERIFY_SQL.items():
                cursor.execute(sql)
                bad = cursor.fetchone()[0]
                if bad:
                    raise RuntimeError(f"generated data inconsistent: {label}: {bad} rows")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    return World(products, warehouses, entries), seconds


# --- (a) (b) postings through ledger.post -------------------------------------------------------


def _document(world: World, rng: random.Random, hot: bool):
    """5 lines of distinct moving-average products in one warehouse, half receipts, half issues."""
    from apps.inventory.ledger import Movement

    if hot:
        warehouse = world.warehouses[0]
        products = [world.hot, *rng.sample(range(world.pmin + 1, world.pmin + world.moving), 4)]
    else:
        warehouse = rng.choice(world.warehouses)
        products = rng.sample(range(world.pmin + 1, world.pmin + world.moving), 5)
    movements = []
    for line, product in enumerate(products, start=1):
        qty = Decimal(rng.randint(1, 5))
        if rng.random() < 0.5:
            movements.append(Movement(product, warehouse, -qty, line=line))
        else:
            cost = Decimal(rng.randint(50, 50000)) / 100
            movements.append(Movement(product, warehouse, qty, unit_cost=cost, line=line))
    return movements


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a local process (a PostgreSQL backend), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_cpu(pids) -> float:
    """CPU of PostgreSQL backends; 0 when the server is not on this machine (no /proc to read)."""
    if _db()["host"] not in {"127.0.0.1", "localhost", "::1"}:
        return 0.0
    total = 0.0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += _cpu_seconds(pid)
    return total


def _worker(index, world, hot, start_at, duration, results):
    from django.db import connection

    from apps.core.errors import BusinessError
    from apps.inventory import ledger

    rng = random.Random(1000 + index)
    connection.ensure_connection()
    backend = connection.connection.get_backend_pid()
    user = type(world.user).objects.get(pk=world.user.pk)
    today = datetime.date.today()
    time.sleep(max(0.0, start_at - time.time()))
    end_at = start_at + duration
    done = refused = 0
    latencies = []
    cpu_app, cpu_db = time.process_time(), _backend_cpu([backend])
    while time.time() < end_at:
        movements = _document(world, rng, hot)
        number = done + refused + 1
        source = ledger.Source(type="bench", id=(index + 1) * 10**9 + number, number=f"BL{index}-{number}")
        began = time.perf_counter()
        try:
            ledger.post(source=source, movements=movements, user=user, date=today)
            done += 1
        except BusinessError:
            refused += 1
        latencies.append(time.perf_counter() - began)
    cpu = (time.process_time() - cpu_app, _backend_cpu([backend]) - cpu_db)
    results.put((index, done, refused, time.time() - start_at, latencies, cpu))
    connection.close()


def run_postings(world: World, workers: int, hot: bool, duration: float) -> dict:
    from django.db import connections

    connections.close_all()  # children open their own connections
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 2.0
    processes = [
        context.Process(target=_worker, args=(n, world, hot, start_at, duration, results)) for n in range(workers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=duration + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    done = sum(o[1] for o in outcomes)
    refused = sum(o[2] for o in outcomes)
    wall = max(o[3] for o in outcomes)
    latencies = sorted(x for o in outcomes for x in o[4])
    posted = max(done + refused, 1)
    return {
        "per_second": done / wall,
        "done": done,
        "refused": refused,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
        "cpu_client_ms": 1000 * sum(o[5][0] for o in outcomes) / posted,
        "cpu_db_ms": 1000 * sum(o[5][1] for o in outcomes) / posted,
    }


# --- the raw-SQL ceiling ---------------------------------------------------------------------


def run_pgbench(world: World, clients: int, hot: bool, duration: float) -> dict:
    """pgbench with the 5-line script; also the CPU per transaction of pgbench and its backends
    (sampled from 1 s after the start to 1.5 s before the end)."""
    import resource

    from django.db import connection

    db = _db()
    options = {"pmin": world.pmin, "nprod": world.moving, "wmin": world.warehouses[0]}
    options |= {"nwh": len(world.warehouses), "user": world.user.pk, "hot": int(hot)}
    cmd = ["pgbench", "-h", db["host"], "-p", db["port"], "-U", db["user"], "-n", "-M", "prepared"]
    cmd += ["-f", str(PGBENCH_SCRIPT), "-c", str(clients), "-j", str(clients), "-T", str(int(duration))]
    for name, value in options.items():
        cmd += ["-D", f"{name}={value}"]
    cmd.append(db["name"])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench' AND datname = current_database()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    sampled_from, cpu_from = time.perf_counter(), _backend_cpu(backends)
    time.sleep(max(1.0, duration - 2.5))
    sampled_for, cpu_db = time.perf_counter() - sampled_from, _backend_cpu(backends) - cpu_from
    stdout, stderr = process.communicate(timeout=duration + 120)
    if process.returncode != 0:
        raise RuntimeError(f"pgbench failed: {stderr}\n{stdout}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", stdout).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", stdout)
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", stdout).group(1))
    client_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return {
        "per_second": tps,
        "failed": int(failed.group(1)) if failed else 0,
        "avg_ms": float(re.search(r"latency average = ([\d.]+) ms", stdout).group(1)),
        "cpu_client_ms": 1000 * client_cpu / max(transactions, 1),
        "cpu_db_ms": 1000 * cpu_db / max(tps * sampled_for, 1),
    }


# --- (c) a 5,000-line document -------------------------------------------------------------------


def run_big_document(world: World, lines: int, repeat: int) -> list[float]:
    from apps.inventory import ledger

    rng = random.Random(7)
    samples = []
    for n in range(repeat):
        warehouse = world.warehouses[n % len(world.warehouses)]
        products = rng.sample(range(world.pmin + 1, world.pmin + world.products), lines)
        movements = []
        for line, product in enumerate(products, start=1):
            variance = Decimal(rng.choice([-3, -2, -1, 1, 2, 3]))
            cost = world.cost[product] if variance > 0 else None
            movements.append(ledger.Movement(product, warehouse, variance, unit_cost=cost, line=line))
        source = ledger.Source(type="bench_count", id=int(time.time() * 1000) + n, number=f"BLCNT-{n}")
        began = time.perf_counter()
        ledger.post(source=source, movements=movements, user=world.user, date=datetime.date.today())
        samples.append(time.perf_counter() - began)
    return samples


# --- (d) a balance read --------------------------------------------------------------------------


def run_reads(world: World, repeat: int) -> dict:
    from django.urls import Resolver404, resolve

    from apps.inventory.models import StockBalance

    rng = random.Random(11)
    keys = [
        (rng.randrange(world.pmin, world.pmin + world.products), rng.choice(world.warehouses)) for _ in range(repeat)
    ]
    orm = []
    for product, warehouse in keys:
        began = time.perf_counter()
        StockBalance.objects.get(product_id=product, warehouse_id=warehouse)
        orm.append(time.perf_counter() - began)
    result = {"orm_ms": 1000 * statistics.median(orm), "orm_p95_ms": 1000 * sorted(orm)[int(repeat * 0.95)]}
    try:
        resolve("/api/v1/stock-balances/")
    except Resolver404:
        result["api_ms"] = None
        return result
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.user)
    api = []
    for product, warehouse in keys[:200]:
        began = time.perf_counter()
        response = client.get(f"/api/v1/stock-balances/?product={product}&warehouse={warehouse}")
        api.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    result["api_ms"] = 1000 * statistics.median(api)
    result["api_p95_ms"] = 1000 * sorted(api)[int(len(api) * 0.95)]
    return result


# --- (e) check_stock -----------------------------------------------------------------------------


def run_check_stock() -> dict | None:
    from django.core.management import get_commands

    if "check_stock" not in get_commands():
        return None
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check_stock"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ.copy(),
    )
    return {
        "seconds": time.perf_counter() - began,
        "returncode": out.returncode,
        "tail": [line for line in (out.stdout + out.stderr).strip().splitlines() if not line.startswith("AXES")][-5:],
    }


# --- report ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} RAM, Python {platform.python_version()}, "
        f"PostgreSQL {server}, {datetime.date.today()}, load average {load}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--warehouses", type=int, default=3)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per throughput run")
    parser.add_argument("--lines", type=int, default=5000, help="lines of the big document (c)")
    parser.add_argument("--only", default="a,b,c,d,e", help="scenarios to run, e.g. a,c")
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the bench database")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()
    only = set(args.only.split(","))

    ensure_database(args.fresh)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world, generation = generate(args.products, args.warehouses, args.entries)
    if generation is None:
        print(f"data: reusing {args.products:,} products × {args.warehouses} warehouses, {args.entries:,} entries")
    else:
        print(f"data: generated {args.products:,} × {args.warehouses}, {args.entries:,} entries in {generation:.1f} s")
    if args.generate_only:
        return
    print(f"machine: {machine()}")

    rows = []  # (scenario, workers, result, ceiling, ratio, target, met)

    def check_stock(label):
        from apps.inventory.models import StockLedgerEntry

        total = StockLedgerEntry.objects.count()
        check = run_check_stock()
        if check is None:
            rows.append((f"(e) manage.py check_stock, {label}", 1, "command not there yet", "", "", "< 30 s", None))
        else:
            verdict = "all invariants hold" if check["returncode"] == 0 else f"exit {check['returncode']}"
            result = f"{check['seconds']:.1f} s on {total:,} entries ({verdict})"
            rows.append((f"(e) manage.py check_stock, {label}", 1, result, "", "", "< 30 s", check["seconds"] < 30))
            print("  check_stock: " + " / ".join(check["tail"]))
        print("  " + " | ".join(str(x) for x in rows[-1]), flush=True)

    if "e" in only:
        check_stock("the data as generated" if generation is not None else "the data at the start")

    def throughput(label, key, hot):
        for workers in (1, 4):
            ceiling = run_pgbench(world, workers, hot, args.duration)
            ours = run_postings(world, workers, hot, args.duration)
            ratio = ours["per_second"] / ceiling["per_second"]
            target, met = ("≥ 25% of ceiling", ratio >= 0.25) if (key == "a" and workers == 4) else ("", None)
            result = (
                f"{ours['per_second']:,.0f} docs/s; p50 {ours['p50_ms']:.1f} ms, p95 {ours['p95_ms']:.1f} ms; "
                f"CPU {ours['cpu_client_ms']:.1f} + {ours['cpu_db_ms']:.1f} ms/doc"
            )
            raw = (
                f"{ceiling['per_second']:,.0f} tps; avg {ceiling['avg_ms']:.1f} ms; "
                f"CPU {ceiling['cpu_client_ms']:.1f} + {ceiling['cpu_db_ms']:.1f} ms/txn"
            )
            cpu_ratio = (ceiling["cpu_client_ms"] + ceiling["cpu_db_ms"]) / (ours["cpu_client_ms"] + ours["cpu_db_ms"])
            rows.append((f"({key}) {label}", workers, result, raw, f"{ratio:.0%} (CPU {cpu_ratio:.0%})", target, met))
            if ours["refused"] or ceiling["failed"]:
                print(
                    f"  note: {key}/{workers}: {ours['refused']} refused postings, {ceiling['failed']} failed pgbench"
                )
            print("  " + " | ".join(str(x) for x in rows[-1]), flush=True)

    if "a" in only:
        throughput("5-line documents", "a", hot=False)
    if "b" in only:
        throughput("5-line documents, all on one hot product", "b", hot=True)
    if "c" in only:
        samples = run_big_document(world, args.lines, 3)
        best = statistics.median(samples)
        detail = ", ".join(f"{s:.2f}" for s in samples)
        rows.append(
            (f"(c) one {args.lines:,}-line document", 1, f"{best:.2f} s (runs: {detail})", "", "", "< 3 s", best < 3)
        )
        print("  " + " | ".join(str(x) for x in rows[-1]), flush=True)
    if "d" in only:
        reads = run_reads(world, 1000)
        orm = f"{reads['orm_ms']:.2f} ms (p95 {reads['orm_p95_ms']:.2f} ms)"
        rows.append(("(d) balance read, ORM get(product, warehouse)", 1, orm, "", "", "< 5 ms", reads["orm_ms"] < 5))
        if reads["api_ms"] is None:
            rows.append(
                ("(d) balance read, GET /api/v1/stock-balances/", 1, "endpoint not there yet", "", "", "< 5 ms", None)
            )
        else:
            api = f"{reads['api_ms']:.2f} ms (p95 {reads['api_p95_ms']:.2f} ms)"
            rows.append(
                ("(d) balance read, GET /api/v1/stock-balances/", 1, api, "", "", "< 5 ms", reads["api_ms"] < 5)
            )
        for row in rows[-2:]:
            print("  " + " | ".join(str(x) for x in row), flush=True)
    if "e" in only and only & {"a", "b", "c"}:
        check_stock("again after this run's postings")
    print()
    print(f"machine: {machine()}")
    print("CPU = client (Python worker / pgbench) + server (its PostgreSQL backend), per document;")
    print("ratio = throughput / the ceiling's (CPU = the ceiling's CPU per transaction / ours per document)")
    print("| scenario | workers | result | raw-SQL ceiling (pgbench) | ratio | target | met |")
    print("|---|---:|---|---|---:|---|---|")
    for scenario, workers, result, ceiling, ratio, target, met in rows:
        mark = {True: "yes", False: "**no**", None: ""}[met]
        print(f"| {scenario} | {workers} | {result} | {ceiling} | {ratio} | {target} | {mark} |")


if __name__ == "__main__":
    main()
