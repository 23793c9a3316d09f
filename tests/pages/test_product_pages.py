"""Product pages write through the same services as the API and show service errors next to
the field, keeping what was typed."""

from decimal import Decimal

from apps.inventory.models import Product
from tests.factories import CategoryFactory, ProductFactory, UnitFactory


def product_form(**overrides):
    data = {
        "sku": "DR-0001",
        "name": "农夫山泉矿泉水",
        "spec": "550ml×24瓶",
        "barcode": "",
        "unit": "",
        "category": "",
        "purchase_price": "28.50",
        "sale_price": "36",
        "tax_rate": "13",
        "safety_stock": "20",
        "max_stock": "200",
        "reorder_qty": "48",
        "valuation_method": "fifo",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_purchasing_creates_a_product_through_the_form(client_as):
    client = client_as("purchasing")
    unit = UnitFactory(name="箱")
    category = CategoryFactory(name="饮料")

    response = client.post(
        "/inventory/products/new/", product_form(unit=unit.pk, category=category.pk, barcode=" 6921168509256 ")
    )

    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inventory/products/{product.pk}/"
    assert (product.sku, product.name, product.spec, product.barcode) == (
        "DR-0001",
        "农夫山泉矿泉水",
        "550ml×24瓶",
        "6921168509256",
    )
    assert (product.unit, product.category) == (unit, category)
    assert product.purchase_price == Decimal("28.50")
    assert product.sale_price == Decimal("36.00")
    assert product.tax_rate == Decimal("0.1300")
    assert (product.safety_stock, product.max_stock, product.reorder_qty) == (
        Decimal("20"),
        Decimal("200"),
        Decimal("48"),
    )
    assert product.valuation_method == "fifo"
    assert product.is_active is True
    assert product.name_pinyin == "nongfushanquankuangquanshui nfsqkqs"
    assert product.history.get().history_user == client.user


def test_an_empty_barcode_is_stored_as_none_so_many_products_can_have_none(client_as):
    client = client_as("purchasing")
    unit = UnitFactory()

    client.post("/inventory/products/new/", product_form(sku="A-1", unit=unit.pk))
    client.post("/inventory/products/new/", product_form(sku="A-2", unit=unit.pk))

    assert list(Product.objects.order_by("sku").values_list("sku", "barcode")) == [("A-1", None), ("A-2", None)]


def test_a_duplicate_sku_shows_the_error_and_creates_nothing(client_as):
    ProductFactory(sku="DR-0001", name="已有商品")
    client = client_as("purchasing")
    unit = UnitFactory()

    response = client.post("/inventory/products/new/", product_form(unit=unit.pk, name="新商品"))

    assert response.status_code == 200
    assert Product.objects.count() == 1
    form = response.context["form"]
    assert form.errors == {"sku": ["This SKU is already used by another product."]}
    assert 'value="新商品"' in response.text  # what was typed is kept
    assert "This SKU is already used by another product." in response.text


def test_a_rule_of_the_model_lands_on_its_field(client_as):
    client = client_as("purchasing")
    unit = UnitFactory()

    response = client.post("/inventory/products/new/", product_form(unit=unit.pk, safety_stock="50", max_stock="10"))

    assert response.context["form"].errors == {"max_stock": ["Max stock must not be below safety stock."]}
    assert not Product.objects.exists()


def test_management_edits_a_product_and_the_change_is_recorded(client_as):
    product = ProductFactory(sale_price=Decimal("15.00"))
    client = client_as("management")
    data = product_form(sku=product.sku, name=product.name, unit=product.unit.pk, sale_price="16.80")

    response = client.post(f"/inventory/products/{product.pk}/edit/", data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.sale_price == Decimal("16.80")
    latest = product.history.first()
    assert (latest.history_type, latest.history_user) == ("~", client.user)


def test_saving_an_unchanged_form_writes_nothing(client_as):
    client = client_as("purchasing")
    unit = UnitFactory()
    client.post("/inventory/products/new/", product_form(unit=unit.pk))
    product = Product.objects.get()

    response = client.post(f"/inventory/products/{product.pk}/edit/", product_form(unit=unit.pk), follow=True)

    assert response.status_code == 200
    assert "Nothing was changed." in response.text
    assert product.history.count() == 1


def test_the_edit_form_shows_the_saved_values(client_as):
    product = ProductFactory(tax_rate=Decimal("0.09"), purchase_price=Decimal("1234.50"))

    response = client_as("purchasing").get(f"/inventory/products/{product.pk}/edit/")

    assert response.status_code == 200
    assert 'name="tax_rate" value="9"' in response.text
    assert 'name="purchase_price" value="1234.50"' in response.text


def test_the_detail_page_shows_money_and_history_to_management(client_as):
    product = ProductFactory(purchase_price=Decimal("1234.5"), tax_rate=Decimal("0.13"))

    as_management = client_as("management").get(f"/inventory/products/{product.pk}/")
    as_purchasing = client_as("purchasing").get(f"/inventory/products/{product.pk}/")

    assert "¥1,234.50" in as_management.text
    assert "13%" in as_management.text
    assert as_management.context["history"] is not None
    assert as_purchasing.context["history"] is None
    assert "Edit" in as_purchasing.text
