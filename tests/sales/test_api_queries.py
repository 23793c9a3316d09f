"""The sales lists cost a fixed number of queries: 20 documents (of 2 lines) take no more than 3
do, in JSON and in Excel, for a salesperson (customer scope), a clerk (warehouse scope),
customer service and the manager."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory import ledger
from apps.sales import services
from tests.factories import CustomerFactory, ProductFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 11, 2)
LISTS = ["quotations", "sales-orders", "deliveries", "sales-returns"]
READERS = {
    "quotations": ["sales", "customer_service", "management"],
    "sales-orders": ["sales", "warehouse", "management"],
    "deliveries": ["sales", "warehouse", "customer_service", "management"],
    "sales-returns": ["sales", "warehouse", "customer_service", "management"],
}


@pytest.fixture
def world():
    return {
        "warehouse": WarehouseFactory(),
        "boss": UserFactory(departments=["management"]),
        "seller": UserFactory(departments=["sales"]),
    }


def make(world, n):
    """``n`` of everything, for customers of the salesperson: a quotation converted into a
    2-line order, confirmed, delivered and partly returned as an exchange (so the returns have
    replacements)."""
    boss, seller, warehouse = world["boss"], world["seller"], world["warehouse"]
    for _ in range(n):
        customer = CustomerFactory(salesperson=seller, credit_limit=None)
        products = [ProductFactory(), ProductFactory()]
        ledger.post(
            source=ledger.Source(type="test_opening", id=products[0].pk, number="OPEN"),
            movements=[
                ledger.Movement(product=p.pk, warehouse=warehouse.pk, qty=D(10), unit_cost=D(4)) for p in products
            ],
            user=boss,
            date=DAY,
        )
        quotation = services.quotation_create(
            user=seller,
            customer=customer,
            warehouse=warehouse,
            lines=[{"product": p, "qty": D(5), "unit_price": D(9)} for p in products],
        )
        order = services.quotation_convert(quotation=quotation, user=seller)
        order = services.sales_order_confirm(order=order, user=seller)
        delivery = services.delivery_post(delivery=services.delivery_create(user=boss, sales_order=order), user=boss)
        returned = services.sales_return_create(
            user=boss,
            delivery=delivery,
            is_exchange=True,
            lines=[{"delivery_line": line, "qty": D(1)} for line in delivery.lines.all()],
        )
        services.sales_return_post(sales_return=returned, user=boss)


def queries(client, url, query):
    client.get(url, query)  # permissions cached, as in real use
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("export", [False, True], ids=["json", "xlsx"])
def test_lists_take_constant_queries(api_as, world, export, django_assert_max_num_queries):
    query = {"format": "xlsx"} if export else {}
    clients = {
        reader: api_as(reader, warehouses=[world["warehouse"]])
        for reader in ("warehouse", "management", "customer_service")
    }
    clients["sales"] = api_as(None)
    clients["sales"].force_authenticate(world["seller"])
    make(world, 3)
    few = {
        (resource, reader): queries(clients[reader], f"/api/v1/{resource}/", query)
        for resource in LISTS
        for reader in READERS[resource]
    }

    make(world, 17)

    for (resource, reader), count in few.items():
        client = clients[reader]
        client.get(f"/api/v1/{resource}/", query)
        with django_assert_max_num_queries(8):
            response = client.get(f"/api/v1/{resource}/", query)
        assert response.status_code == 200
        if not export:
            # Deliveries: 20 posted and 20 draft replacements.
            assert response.json()["count"] == (40 if resource == "deliveries" else 20), (resource, reader)
        assert queries(client, f"/api/v1/{resource}/", query) == count, (resource, reader)
