"""The audit trail page: every history model, who changed what from what to what."""

from decimal import Decimal

from apps.inventory.services import product_update
from tests.factories import ProductFactory, UserFactory


def test_sales_may_not_read_the_audit_trail(client_as):
    assert client_as("sales").get("/audit/").status_code == 403


def test_management_sees_who_changed_which_field(client_as):
    buyer = UserFactory(full_name="李采购")
    product = ProductFactory(name="矿泉水", sale_price=Decimal("15.00"))
    product_update(product=product, user=buyer, sale_price=Decimal("16.80"))

    response = client_as("management").get("/audit/", {"model": "inventory.product"})

    assert response.status_code == 200
    entry = response.context["entries"][0]
    assert (entry.user, entry.action, entry.object_id) == (buyer, "~", product.pk)
    assert [(c.label, c.old, c.new) for c in entry.changes] == [("Sale price", "¥15.00", "¥16.80")]
    assert "李采购" in response.text
    assert "¥15.00" in response.text and "¥16.80" in response.text
    assert f'href="/inventory/products/{product.pk}/"' in response.text


def test_the_audit_trail_covers_every_history_model_and_filters_by_user(client_as):
    buyer = UserFactory()
    product = ProductFactory()
    product_update(product=product, user=buyer, name="改名")
    client = client_as("it_admin")

    everything = client.get("/audit/")
    by_buyer = client.get("/audit/", {"user": buyer.pk})

    labels = {label for label, _name in everything.context["form"].fields["model"].choices}
    assert {
        "inventory.product",
        "inventory.warehouse",
        "inventory.category",
        "inventory.unit",
        "suppliers.supplier",
        "customers.customer",
        "accounts.user",
    } <= labels
    assert [(e.user, e.action) for e in by_buyer.context["entries"]] == [(buyer, "~")]
    # IT may read the audit trail but not products: no link to a page it would be refused.
    assert f'href="/inventory/products/{product.pk}/"' not in by_buyer.text
