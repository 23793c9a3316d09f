"""Every page checks permissions on the server: anonymous -> login, wrong department -> 403,
outside the user's scope -> 404."""

import pytest

from apps.inventory.models import Product
from tests.factories import CustomerFactory, ProductFactory, UnitFactory

PAGES = [
    "/",
    "/audit/",
    "/users/",
    "/inventory/products/",
    "/inventory/products/new/",
    "/inventory/warehouses/",
    "/inventory/categories/",
    "/inventory/units/",
    "/suppliers/",
    "/customers/",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_the_login_page(client_as, url):
    response = client_as(None).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_warehouse_sees_the_product_list_but_may_not_create_a_product(client_as):
    ProductFactory(sku="A-1")
    client = client_as("warehouse")

    assert client.get("/inventory/products/").status_code == 200
    assert client.get("/inventory/products/new/").status_code == 403
    unit = UnitFactory()
    response = client.post("/inventory/products/new/", {"sku": "A-2", "name": "x", "unit": unit.pk, "tax_rate": "13"})
    assert response.status_code == 403
    assert list(Product.objects.values_list("sku", flat=True)) == ["A-1"]


def test_warehouse_may_not_edit_a_product(client_as):
    product = ProductFactory(name="原名")
    client = client_as("warehouse")

    response = client.post(f"/inventory/products/{product.pk}/edit/", {"sku": product.sku, "name": "改名"})

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "原名"


@pytest.mark.parametrize(
    ("department", "status"),
    [("it_admin", 403), ("sales", 200), ("warehouse", 200), ("finance", 200), ("purchasing", 403)],
)
def test_customer_list_follows_the_departments_table(client_as, department, status):
    assert client_as(department).get("/customers/").status_code == status


def test_a_salesperson_sees_only_their_own_customers(client_as, make_user):
    client = client_as("sales")
    other = make_user("sales")
    mine = CustomerFactory(name="我的客户", salesperson=client.user)
    theirs = CustomerFactory(name="别人的客户", salesperson=other)

    listing = client.get("/customers/")
    assert "我的客户" in listing.text
    assert "别人的客户" not in listing.text
    assert client.get(f"/customers/{mine.pk}/").status_code == 200
    assert client.get(f"/customers/{theirs.pk}/").status_code == 404
    assert client.get(f"/customers/{theirs.pk}/edit/").status_code == 404
    response = client.post(f"/customers/{theirs.pk}/edit/", {"code": theirs.code, "name": "抢来的"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "别人的客户"


def test_a_missing_record_is_404_not_500(client_as):
    assert client_as("purchasing").get("/inventory/products/999999/").status_code == 404
