"""List endpoints run a constant number of queries, however many rows they show (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.models import Category
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    UnitFactory,
    UserFactory,
    WarehouseFactory,
)

ROWS = 30


def make_products(n, start, reader):
    unit, category = UnitFactory(name="个"), Category.objects.get_or_create(name="饮料")[0]
    ProductFactory.create_batch(n, unit=unit, category=category)


def make_customers(n, start, reader):
    salespeople = UserFactory.create_batch(3, departments=["sales"])
    for i in range(n):
        CustomerFactory(salesperson=salespeople[i % 3])


def make_own_customers(n, start, reader):
    CustomerFactory.create_batch(n, salesperson=reader)


def make_users(n, start, reader):
    warehouses = WarehouseFactory.create_batch(3)
    for i in range(n):
        UserFactory(departments=["warehouse", "sales"], warehouses=warehouses[: i % 3 + 1])


def make_units(n, start, reader):
    for i in range(start, start + n):
        UnitFactory(name=f"u{i}")


# resource, reader, how to make n more rows, the most queries a page may take once the user's
# permissions are cached: count + page (+ the prefetches of users' departments and warehouses)
LISTS = [
    ("products", "purchasing", make_products, 3),
    ("customers", "management", make_customers, 3),
    ("customers", "sales", make_own_customers, 3),
    ("suppliers", "purchasing", lambda n, start, reader: SupplierFactory.create_batch(n), 3),
    ("warehouses", "management", lambda n, start, reader: WarehouseFactory.create_batch(n), 3),
    ("categories", "purchasing", lambda n, start, reader: CategoryFactory.create_batch(n), 3),
    ("units", "purchasing", make_units, 3),
    ("users", "it_admin", make_users, 5),
]


def count_queries(client, url, query=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize(("resource", "reader", "make_rows", "most"), LISTS)
@pytest.mark.parametrize("export", [False, True], ids=["json", "xlsx"])
def test_a_list_takes_the_same_queries_for_30_rows_as_for_3(api_as, resource, reader, make_rows, most, export):
    # given
    client = api_as(reader)
    url = f"/api/v1/{resource}/"
    query = {"format": "xlsx"} if export else {}
    make_rows(3, 0, client.user)
    client.get(url)  # the user's permissions are cached after the first request, as in real use
    few, _response = count_queries(client, url, query)

    # when
    make_rows(ROWS - 3, 3, client.user)
    many, response = count_queries(client, url, query)

    # then
    if not export:
        assert response.json()["count"] >= ROWS
    assert many == few
    assert many <= most


@pytest.mark.parametrize(("resource", "reader", "make_rows", "most"), LISTS)
def test_a_list_of_30_stays_within_a_small_constant(
    api_as, django_assert_max_num_queries, resource, reader, make_rows, most
):
    client = api_as(reader)
    make_rows(ROWS, 0, client.user)
    client.get(f"/api/v1/{resource}/")

    with django_assert_max_num_queries(most):
        response = client.get(f"/api/v1/{resource}/")

    assert response.status_code == 200
    assert len(response.json()["results"]) >= ROWS


def test_a_fresh_request_adds_only_the_permission_lookups(api_as, django_assert_max_num_queries):
    # A new request loads the user's permissions once (user and group permissions), not per row.
    client = api_as("it_admin")
    make_users(ROWS, 0, None)

    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/users/")

    assert len(response.json()["results"]) == ROWS + 1
