"""Posting a receipt remembers the supplier's last price per product in a few queries whatever
the number of lines (bench/purchasing.py: one query or two per line took 13 of the 17 s a
2,000-line receipt needed to post)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.purchasing import services
from apps.suppliers.models import SupplierProduct
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 11, 2)


def test_a_receipt_remembers_every_price_in_a_few_queries(make_user):
    warehouse = WarehouseFactory()
    clerk = make_user("warehouse", warehouses=[warehouse])
    supplier = SupplierFactory()
    products = [ProductFactory() for _ in range(20)]
    known = [
        SupplierProduct.objects.create(
            supplier=supplier, product=p, last_price=D("1.00"), last_purchase_date=DAY - datetime.timedelta(days=9)
        )
        for p in products[:8]
    ]
    later = SupplierProduct.objects.create(
        supplier=supplier,
        product=products[8],
        last_price=D("7.00"),
        last_purchase_date=DAY + datetime.timedelta(days=1),
    )
    receipt = services.purchase_receipt_create(
        user=clerk,
        supplier=supplier,
        warehouse=warehouse,
        date=DAY,
        lines=[{"product": p, "qty": D(1), "unit_cost": D(n + 10)} for n, p in enumerate(products)],
    )

    with CaptureQueriesContext(connection) as queries:
        services.purchase_receipt_post(receipt=receipt, user=clerk)

    touching = [q["sql"] for q in queries.captured_queries if "suppliers_supplierproduct" in q["sql"]]
    assert len(touching) <= 5, touching
    remembered = {
        row.product_id: (row.last_price, row.last_purchase_date)
        for row in SupplierProduct.objects.filter(supplier=supplier)
    }
    expected = {p.pk: (D(n + 10), DAY) for n, p in enumerate(products)}
    expected[products[8].pk] = (D("7.00"), DAY + datetime.timedelta(days=1))  # a later purchase keeps its price
    assert remembered == expected
    # The rows it had to add are in the audit trail like any other.
    added = SupplierProduct.objects.filter(supplier=supplier).exclude(pk__in=[k.pk for k in [*known, later]])
    assert added.count() == 11
    assert SupplierProduct.history.filter(id__in=added.values("id"), history_type="+").count() == 11
