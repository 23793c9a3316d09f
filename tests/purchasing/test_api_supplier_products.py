"""/api/v1/supplier-products/: what each supplier sells us. CRUD through the services (record_save:
the unique constraints come back as 400 with their own messages), the last price kept by
receipts and read-only here, filters and Excel."""

import io
from decimal import Decimal

import openpyxl
import pytest

from apps.purchasing import services
from apps.suppliers.models import SupplierProduct
from tests.factories import ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/supplier-products/"


@pytest.fixture
def buyer(api_as):
    return api_as("purchasing")


@pytest.fixture
def parties():
    return (
        SupplierFactory(code="S-A"),
        SupplierFactory(code="S-B"),
        ProductFactory(sku="P-1"),
        ProductFactory(sku="P-2"),
    )


def rows():
    return list(
        SupplierProduct.objects.order_by("id").values_list(
            "supplier", "product", "supplier_sku", "lead_time_days", "min_order_qty", "is_preferred"
        )
    )


def test_create_update_delete(buyer, parties):
    a, _b, p1, _p2 = parties

    created = buyer.post(
        URL,
        {
            "supplier": a.pk,
            "product": p1.pk,
            "supplier_sku": "A-001",
            "lead_time_days": 3,
            "min_order_qty": "12",
            "is_preferred": True,
            "last_price": "1.00",  # read-only: ignored
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["sku"], body["supplier_code"], body["last_price"], body["min_order_qty"]) == (
        "P-1",
        "S-A",
        None,
        "12.0000",
    )

    changed = buyer.patch(f"{URL}{body['id']}/", {"lead_time_days": 10, "is_preferred": False})
    assert changed.status_code == 200
    assert rows() == [(a.pk, p1.pk, "A-001", 10, Decimal(12), False)]

    assert buyer.delete(f"{URL}{body['id']}/").status_code == 204
    assert rows() == []


def test_a_supplier_lists_a_product_once(buyer, parties):
    a, _b, p1, _p2 = parties
    assert buyer.post(URL, {"supplier": a.pk, "product": p1.pk}).status_code == 201
    before = rows()

    response = buyer.post(URL, {"supplier": a.pk, "product": p1.pk})

    assert response.status_code == 400
    assert "This supplier already lists this product." in str(response.json())
    assert rows() == before


def test_a_product_has_one_preferred_supplier(buyer, parties):
    a, b, p1, _p2 = parties
    assert buyer.post(URL, {"supplier": a.pk, "product": p1.pk, "is_preferred": True}).status_code == 201
    other = buyer.post(URL, {"supplier": b.pk, "product": p1.pk}).json()
    before = rows()

    response = buyer.patch(f"{URL}{other['id']}/", {"is_preferred": True})

    assert response.status_code == 400
    assert "The product already has a preferred supplier." in str(response.json())
    assert rows() == before


@pytest.mark.parametrize(
    "payload",
    [{"product": 999999}, {"lead_time_days": -1}, {"min_order_qty": "-1"}, {"supplier": None}, {"is_preferred": "x"}],
)
def test_bad_input_is_a_400(buyer, parties, payload):
    a, _b, p1, _p2 = parties

    response = buyer.post(URL, {"supplier": a.pk, "product": p1.pk, **payload})

    assert response.status_code == 400
    assert set(response.json()) == set(payload)
    assert rows() == []


def test_the_last_price_comes_from_receipts_and_filters(buyer, parties):
    a, b, p1, p2 = parties
    boss = UserFactory(departments=["management"])
    receipt = services.purchase_receipt_create(
        user=boss,
        supplier=a,
        warehouse=WarehouseFactory(),
        lines=[{"product": p1, "qty": Decimal(5), "unit_cost": Decimal("8.5")}],
    )
    services.purchase_receipt_post(receipt=receipt, user=boss)
    buyer.post(URL, {"supplier": b.pk, "product": p1.pk, "is_preferred": True})
    buyer.post(URL, {"supplier": b.pk, "product": p2.pk})

    def found(**query):
        return [(r["supplier_code"], r["sku"], r["last_price"]) for r in buyer.get(URL, query).json()["results"]]

    assert found(supplier=a.pk) == [("S-A", "P-1", "8.500000")]
    assert found(product=p1.pk, ordering="supplier__code") == [("S-A", "P-1", "8.500000"), ("S-B", "P-1", None)]
    assert found(is_preferred="true") == [("S-B", "P-1", None)]
    assert found(search="P-2") == [("S-B", "P-2", None)]

    response = buyer.get(URL, {"format": "xlsx", "supplier": a.pk})
    header, *data = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert [(row[header.index("SKU")], row[header.index("Last price")]) for row in data] == [("P-1", 8.5)]
