"""The document lists (API and pages) and the count screen take the same number of queries for
30 documents as for 3 (no N+1), for a clerk (scoped) and for management."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory import services
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .document_helpers import receive
from .ledger_helpers import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    sh, sz = WarehouseFactory(code="SH01"), WarehouseFactory(code="SZ01")
    products = [ProductFactory() for _ in range(3)]
    boss = UserFactory(departments=["management"])
    for product in products:
        receive(boss, product, sh, 100, 1)
    return {"warehouses": [sh, sz], "products": products, "boss": boss}


def make(world, kind, n):
    sh, sz = world["warehouses"]
    boss, products = world["boss"], world["products"]
    for _ in range(n):
        if kind == "stock-adjustments":
            services.stock_adjustment_create(
                user=boss, warehouse=sh, reason="found", lines=[{"product": p, "qty": D(1)} for p in products]
            )
        elif kind == "stock-transfers":
            services.stock_transfer_create(
                user=boss, from_warehouse=sh, to_warehouse=sz, lines=[{"product": p, "qty": D(1)} for p in products]
            )
        else:
            services.stock_count_create(user=boss, warehouse=sh)


def queries(client, url, query=None):
    client.get(url, query or {})  # permissions cached, as in real use
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("resource", ["stock-adjustments", "stock-transfers", "stock-counts"])
@pytest.mark.parametrize("reader", ["warehouse", "management"])
@pytest.mark.parametrize("export", [False, True], ids=["json", "xlsx"])
def test_api_lists_take_constant_queries(api_as, world, resource, reader, export):
    client = api_as(reader, warehouses=world["warehouses"])
    url, query = f"/api/v1/{resource}/", ({"format": "xlsx"} if export else {})
    make(world, resource, 3)
    few = queries(client, url, query)

    make(world, resource, 27)
    many = queries(client, url, query)

    assert many == few
    assert many <= 8


@pytest.mark.parametrize(
    ("url", "resource"),
    [
        ("/inventory/adjustments/", "stock-adjustments"),
        ("/inventory/transfers/", "stock-transfers"),
        ("/inventory/counts/", "stock-counts"),
    ],
)
def test_list_pages_take_constant_queries(client_as, world, url, resource):
    client = client_as("warehouse", warehouses=world["warehouses"])
    make(world, resource, 3)
    few = queries(client, url)

    make(world, resource, 27)
    many = queries(client, url)

    assert many == few


def test_the_count_screen_takes_constant_queries(client_as, world):
    client = client_as("warehouse", warehouses=world["warehouses"])
    count = services.stock_count_create(user=client.user, warehouse=world["warehouses"][0])
    few = queries(client, f"/inventory/counts/{count.pk}/")

    for _ in range(40):
        product = ProductFactory()
        services.stock_count_set_line(count=count, user=client.user, product=product, counted_qty=D(2))
    many = queries(client, f"/inventory/counts/{count.pk}/")

    assert many == few
