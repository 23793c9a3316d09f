from decimal import Decimal

from tests.factories import ProductFactory


def test_product_list_shows_the_product(api_as):
    product = ProductFactory(sale_price=Decimal("12.50"))
    response = api_as("sales").get("/api/v1/products/")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["sale_price"] == "12.50"
    assert response.json()["results"][0]["sku"] == product.sku
