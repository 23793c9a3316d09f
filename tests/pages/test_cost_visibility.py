"""Costs, stock values and margins are for those with inventory.view_cost: sales staff and
customer service see quantities and sale prices, never what the goods cost."""

import datetime
from decimal import Decimal

import pytest

from apps.inventory import ledger
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(make_user):
    warehouse = WarehouseFactory()
    product = ProductFactory(sku="COST-1", purchase_price=Decimal("43.21"), sale_price=Decimal("80.00"))
    ledger.post(
        source=ledger.Source(type="test_opening", id=1, number="OPEN-1"),
        movements=[
            ledger.Movement(product=product.pk, warehouse=warehouse.pk, qty=Decimal(7), unit_cost=Decimal("43.21"))
        ],
        user=make_user("management"),
        date=datetime.date(2026, 11, 2),
    )
    return product


@pytest.mark.parametrize(
    ("department", "sees"), [("sales", False), ("customer_service", False), ("purchasing", True), ("finance", True)]
)
def test_stock_balances_show_value_only_to_those_who_see_costs(client_as, stock, department, sees):
    page = client_as(department).get("/inventory/stock/balances/").content.decode()

    assert "COST-1" in page
    assert ("302.47" in page) is sees  # 7 × 43.21
    assert ("43.21" in page) is sees


@pytest.mark.parametrize(("department", "sees"), [("sales", False), ("customer_service", False), ("purchasing", True)])
def test_product_pages_show_the_purchase_price_only_to_those_who_see_costs(client_as, stock, department, sees):
    client = client_as(department)

    listing = client.get("/inventory/products/").content.decode()
    detail = client.get(f"/inventory/products/{stock.pk}/").content.decode()

    assert "80.00" in listing and "80.00" in detail
    assert ("43.21" in listing) is sees
    assert ("43.21" in detail) is sees


@pytest.mark.parametrize(
    ("url", "ordering"),
    [
        ("/api/v1/products/", "purchase_price"),
        ("/api/v1/products/", "-purchase_price"),
        ("/api/v1/stock-balances/", "value"),
        ("/api/v1/stock-balances/", "-average_cost"),
    ],
)
def test_sorting_by_cost_is_refused_to_those_who_may_not_see_costs(api_as, stock, url, ordering):
    refused = api_as("sales").get(url, {"ordering": ordering})
    allowed = api_as("purchasing").get(url, {"ordering": ordering})

    assert refused.status_code == 400
    assert "ordering" in refused.json()
    assert allowed.status_code == 200
    assert allowed.json()["count"] == 1
    assert api_as("sales").get(url, {"ordering": "-sale_price" if "products" in url else "qty"}).status_code == 200
