"""The purchasing and payables lists cost a fixed number of queries: 20 documents (of 2 lines)
take no more than 3 do, in JSON and in Excel, for a clerk (warehouse scope) and for the
manager."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.finance import services as finance
from apps.purchasing import services
from tests.factories import ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal
LISTS = [
    "purchase-orders",
    "purchase-receipts",
    "purchase-returns",
    "payables",
    "supplier-payments",
    "supplier-products",
]
READERS = {
    "purchase-orders": ["warehouse", "management"],
    "purchase-receipts": ["warehouse", "management"],
    "purchase-returns": ["warehouse", "management"],
    "payables": ["finance", "management"],
    "supplier-payments": ["finance", "management"],
    "supplier-products": ["purchasing"],
}

# Rows for 20 rounds of make(): a receipt and a debit note each on the payables, two products.
ROWS_OF_20 = dict.fromkeys(LISTS, 20) | {"payables": 40, "supplier-products": 40}


@pytest.fixture
def world():
    warehouse = WarehouseFactory()
    return {
        "warehouse": warehouse,
        "boss": UserFactory(departments=["management"]),
        "buyer": UserFactory(departments=["purchasing"]),
        "finance": UserFactory(departments=["finance"]),
    }


def make(world, n):
    """``n`` of everything: posted receipts of a 2-line approved order, each with a posted
    return and a posted payment (so the payables hold receipts and debit notes)."""
    boss, warehouse = world["boss"], world["warehouse"]
    for _ in range(n):
        supplier = SupplierFactory()
        products = [ProductFactory(), ProductFactory()]
        order = services.purchase_order_create(
            user=world["buyer"],
            supplier=supplier,
            warehouse=warehouse,
            lines=[{"product": p, "qty": D(10), "unit_price": D(5)} for p in products],
        )
        order = services.purchase_order_submit(order=order, user=world["buyer"])
        order = services.purchase_order_approve(order=order, user=boss)
        receipt = services.purchase_receipt_create(user=boss, purchase_order=order)
        receipt = services.purchase_receipt_post(receipt=receipt, user=boss)
        returned = services.purchase_return_create(
            user=boss,
            purchase_receipt=receipt,
            lines=[{"purchase_receipt_line": line, "qty": D(1)} for line in receipt.lines.all()],
        )
        services.purchase_return_post(purchase_return=returned, user=boss)
        payment = finance.supplier_payment_create(user=world["finance"], supplier=supplier, amount=D(10))
        finance.supplier_payment_post(payment=payment, user=world["finance"])


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
        for reader in ("warehouse", "management", "finance", "purchasing")
    }
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
            assert response.json()["count"] == ROWS_OF_20[resource]
        assert queries(client, f"/api/v1/{resource}/", query) == count, (resource, reader)
