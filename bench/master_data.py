"""Time the master-data hot paths on N products: barcode lookup (the scanner), pinyin search,
a 50-row list page and the full Excel export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxc_bench .venv/bin/python bench/master_data.py --products 20000
"""

import argparse
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.core.services import pinyin_index  # noqa: E402
from apps.inventory.models import Category, Product, Unit  # noqa: E402

NAMES = ["矿泉水", "绿茶", "方便面", "洗衣液", "抽纸", "签字笔", "打印纸", "螺丝刀", "数据线", "充电器"]


def generate(count: int) -> None:
    if Product.objects.filter(sku__startswith="BENCH").count() >= count:
        return
    Product.objects.filter(sku__startswith="BENCH").delete()
    unit, _ = Unit.objects.get_or_create(name="个")
    category, _ = Category.objects.get_or_create(name="基准测试", parent=None)
    batch = []
    for i in range(count):
        name = f"{NAMES[i % len(NAMES)]} {i}"
        batch.append(
            Product(
                sku=f"BENCH{i:07d}",
                name=name,
                spec=f"{i % 50 + 1}×{i % 12 + 1}",
                unit=unit,
                category=category,
                barcode=f"69{i:011d}",
                purchase_price=Decimal(i % 500) + Decimal("0.50"),
                sale_price=Decimal(i % 500) + Decimal("1.20"),
                name_pinyin=pinyin_index(name),
            )
        )
    Product.objects.bulk_create(batch, batch_size=2000)


def timed(client, url, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    generate(args.products)
    user, _ = User.objects.get_or_create(username="bench-manager")
    user.groups.set(user.groups.model.objects.filter(name="management"))
    client = APIClient()
    client.force_authenticate(user)
    n = args.products
    rows = [
        ("barcode lookup", f"/api/v1/products/?barcode=69{n // 2:011d}", args.repeat),
        ("pinyin search 'kqs'", "/api/v1/products/?search=kqs", args.repeat),
        ("list page (50 rows, sorted by name)", "/api/v1/products/?ordering=name", args.repeat),
        (f"Excel export ({n:,} rows)", "/api/v1/products/?format=xlsx&page_size=500", 3),
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"| scenario | products | median ms |   ({machine}, {django.db.connection.vendor})")
    print("|---|---:|---:|")
    for label, url, repeat in rows:
        print(f"| {label} | {n:,} | {timed(client, url, repeat):.1f} |")


if __name__ == "__main__":
    main()
