"""The stock summary reads thousands of products in a constant number of queries (one
aggregate over the ledger), for the API, its Excel file and the page."""

import datetime
import time

import pytest
from django.urls import reverse

from apps.inventory import ledger
from apps.inventory.models import Product, StockLedgerEntry
from tests.factories import UnitFactory, WarehouseFactory
from tests.reports.helpers import D, read_xlsx

pytestmark = pytest.mark.django_db

PRODUCTS = 3000
URL = "/api/v1/reports/stock-summary/"


@pytest.fixture
def busy(make_user):
    """3,000 products, each received 10 @ 2.50 on 11-01 and 3 of them issued on 11-20, in two
    warehouses (12,000 ledger entries)."""
    user = make_user("management")
    unit = UnitFactory()
    products = Product.objects.bulk_create(
        Product(sku=f"BULK{n:05d}", name=f"商品{n}", unit=unit) for n in range(PRODUCTS)
    )
    for warehouse in (WarehouseFactory(code="SH01"), WarehouseFactory(code="BJ01")):
        for number, qty, day in (("IN", "10", 1), ("OUT", "-3", 20)):
            ledger.post(
                source=ledger.Source(
                    type="test_bulk", id=day * 1000 + warehouse.pk, number=f"{number}-{warehouse.code}"
                ),
                movements=[
                    ledger.Movement(product=p.pk, warehouse=warehouse.pk, qty=D(qty), unit_cost=D("2.50"))
                    for p in products
                ],
                user=user,
                date=datetime.date(2026, 11, day),
            )
    assert StockLedgerEntry.objects.count() == 4 * PRODUCTS
    return user


@pytest.mark.parametrize("department", ["management", "sales"])
def test_thousands_of_products_in_constant_queries(api_as, busy, department, django_assert_max_num_queries):
    client = api_as(department)

    started = time.perf_counter()
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"date_from": "2026-11-10", "date_to": "2026-11-30"})
    elapsed = time.perf_counter() - started

    data = response.json()
    assert data["count"] == PRODUCTS
    assert D(data["totals"]["opening_qty"]) == D(20 * PRODUCTS)
    assert D(data["totals"]["out_qty"]) == D(6 * PRODUCTS)
    assert D(data["totals"]["closing_qty"]) == D(14 * PRODUCTS)
    if department == "management":
        assert D(data["totals"]["closing_value"]) == D("35.00") * PRODUCTS
    print(f"stock summary of {PRODUCTS} products over {4 * PRODUCTS} entries: {elapsed:.2f} s")
    assert elapsed < 10


def test_the_excel_file_of_thousands_of_products(api_as, busy, django_assert_max_num_queries):
    client = api_as("finance")

    with django_assert_max_num_queries(6):
        response = client.get(URL, {"date_from": "2026-11-10", "date_to": "2026-11-30", "format": "xlsx"})

    header, rows = read_xlsx(response)
    assert len(rows) == PRODUCTS + 1
    assert rows[-1][1] == "Total"
    assert D(str(rows[-1][header.index("Closing value")])) == D("35.00") * PRODUCTS


def test_the_page_of_thousands_of_products(client_as, busy, django_assert_max_num_queries):
    client = client_as("management")

    with django_assert_max_num_queries(20):
        response = client.get(reverse("reports:stock-summary"), {"date_from": "2026-11-10", "date_to": "2026-11-30"})

    assert response.status_code == 200
    assert len(response.context["rows"]) == PRODUCTS
