"""The generic list page: filters from the app's FilterSet, sortable headers, pagination, Excel."""

import io
from decimal import Decimal

import openpyxl

from apps.inventory.services import product_create
from tests.factories import CategoryFactory, ProductFactory, UnitFactory, UserFactory


def skus(response) -> list[str]:
    return [row["obj"].sku for row in response.context["rows"]]


def test_search_matches_pinyin_initials(client_as):
    # Through the service, which keeps the pinyin index.
    buyer, unit = UserFactory(), UnitFactory()
    product_create(user=buyer, sku="A-1", name="矿泉水", unit=unit)
    product_create(user=buyer, sku="A-2", name="可乐", unit=unit)

    response = client_as("sales").get("/inventory/products/", {"search": "kqs"})

    assert skus(response) == ["A-1"]


def test_category_filter_includes_sub_categories(client_as):
    drinks = CategoryFactory(name="饮料")
    water = CategoryFactory(name="水", parent=drinks)
    ProductFactory(sku="A-1", category=water)
    ProductFactory(sku="A-2", category=drinks)
    ProductFactory(sku="A-3")

    response = client_as("sales").get("/inventory/products/", {"category": drinks.pk})

    assert skus(response) == ["A-1", "A-2"]


def test_a_sortable_header_toggles_the_order_and_keeps_the_filters(client_as):
    ProductFactory(sku="A-1", sale_price=Decimal("3"))
    ProductFactory(sku="A-2", sale_price=Decimal("1"))
    ProductFactory(sku="A-3", sale_price=Decimal("2"), is_active=False)
    client = client_as("sales")

    ascending = client.get("/inventory/products/", {"is_active": "true", "ordering": "sale_price"})
    header = next(h for h in ascending.context["headers"] if h["label"] == "Sale price")

    assert skus(ascending) == ["A-2", "A-1"]
    assert header["arrow"] == "▲"
    assert header["url"] == "?is_active=true&ordering=-sale_price"
    assert skus(client.get("/inventory/products/" + header["url"])) == ["A-1", "A-2"]


def test_pages_of_fifty(client_as):
    for n in range(51):
        ProductFactory(sku=f"P-{n:03d}")
    client = client_as("sales")

    first = client.get("/inventory/products/")
    second = client.get("/inventory/products/", {"page": 2})

    assert len(first.context["rows"]) == 50
    assert skus(second) == ["P-050"]
    assert "?page=2" in first.text


def test_excel_button_downloads_the_same_filtered_list(client_as):
    buyer, unit = UserFactory(), UnitFactory()
    product_create(user=buyer, sku="A-1", name="矿泉水", unit=unit)
    product_create(user=buyer, sku="A-2", name="可乐", unit=unit)
    client = client_as("sales")

    page = client.get("/inventory/products/", {"search": "kqs", "page": 1})
    excel_url = page.context["excel_url"]
    download = client.get(excel_url)

    assert excel_url == "/api/v1/products/?search=kqs&format=xlsx"
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A-1"]


def test_new_button_only_for_those_who_may_add(client_as):
    assert client_as("purchasing").get("/inventory/products/").context["create_url"] == "/inventory/products/new/"
    assert client_as("sales").get("/inventory/products/").context["create_url"] is None
