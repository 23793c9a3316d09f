"""The audit trail (django-simple-history): every API write records who made it and what changed."""

from decimal import Decimal

import pytest

from apps.customers.models import Customer
from apps.inventory.models import Product, Warehouse
from tests.factories import UnitFactory


@pytest.fixture(autouse=True)
def unit(db):
    return UnitFactory(name="个")


@pytest.fixture(params=["force", "token", "session"])
def client_as(request, api_as, token_as, session_as):
    """The same writes through every way of authenticating."""
    return {"force": api_as, "token": token_as, "session": session_as}[request.param]


def test_create_and_update_record_the_api_user_and_the_change(client_as):
    # given
    client = client_as("purchasing")
    created = client.post(
        "/api/v1/products/", {"sku": "AUD-1", "name": "矿泉水", "unit": "个", "sale_price": "2.50"}, format="json"
    )
    product = Product.objects.get(pk=created.json()["id"])

    # when
    updated = client.patch(f"/api/v1/products/{product.pk}/", {"sale_price": "3.00"}, format="json")

    # then
    assert (created.status_code, updated.status_code) == (201, 200)
    first, second = product.history.order_by("history_id")
    assert (first.history_type, second.history_type) == ("+", "~")
    assert first.history_user == client.user
    assert second.history_user == client.user
    assert first.sale_price == Decimal("2.50")
    assert second.sale_price == Decimal("3.00")
    delta = second.diff_against(first)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("sale_price", Decimal("2.50"), Decimal("3.00"))]


def test_an_update_that_changes_several_fields_lists_each_of_them(api_as):
    client = api_as("purchasing")
    product_id = client.post("/api/v1/products/", {"sku": "AUD-2", "name": "可乐", "unit": "个"}, format="json").json()[
        "id"
    ]

    client.patch(
        f"/api/v1/products/{product_id}/", {"name": "可口可乐", "tax_rate": "0.09", "safety_stock": "12"}, format="json"
    )

    first, second = Product.objects.get(pk=product_id).history.order_by("history_id")
    assert sorted((c.field, str(c.old), str(c.new)) for c in second.diff_against(first).changes) == [
        ("name", "可乐", "可口可乐"),
        ("safety_stock", "0.0000", "12.0000"),
        ("tax_rate", "0.1300", "0.0900"),
    ]


def test_a_refused_update_records_nothing(api_as):
    client = api_as("purchasing")
    product_id = client.post("/api/v1/products/", {"sku": "AUD-3", "name": "雪碧", "unit": "个"}).json()["id"]

    response = client.patch(f"/api/v1/products/{product_id}/", {"sale_price": "-1"}, format="json")

    assert response.status_code == 400
    assert Product.objects.get(pk=product_id).history.count() == 1


def test_a_delete_records_who_deleted(api_as):
    client = api_as("management")
    warehouse_id = client.post("/api/v1/warehouses/", {"code": "WH-A", "name": "临时仓"}).json()["id"]

    response = client.delete(f"/api/v1/warehouses/{warehouse_id}/")

    assert response.status_code == 204
    rows = Warehouse.history.filter(id=warehouse_id).order_by("history_id")
    assert [(r.history_type, r.history_user) for r in rows] == [("+", client.user), ("-", client.user)]


def test_customer_changes_are_audited_too(api_as):
    client = api_as("sales")
    customer_id = client.post("/api/v1/customers/", {"code": "C-1", "name": "客户"}).json()["id"]

    client.patch(f"/api/v1/customers/{customer_id}/", {"credit_limit": "5000.00"}, format="json")

    first, second = Customer.objects.get(pk=customer_id).history.order_by("history_id")
    assert second.history_user == client.user
    assert [(c.field, c.old, c.new) for c in second.diff_against(first).changes] == [
        ("credit_limit", None, Decimal("5000.00"))
    ]


def test_a_user_change_by_the_it_admin_is_audited_without_the_password(api_as, make_user):
    client = api_as("it_admin")
    user = make_user("sales", full_name="旧名")
    before = user.history.count()

    client.patch(f"/api/v1/users/{user.pk}/", {"full_name": "新名", "password": "Kv8#wQ2-zLm"}, format="json")

    latest = user.history.latest("history_id")
    assert user.history.count() == before + 1
    assert latest.history_user == client.user
    assert latest.full_name == "新名"
    assert not hasattr(latest, "password")
