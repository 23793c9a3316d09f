"""Bad input on every master-data endpoint: always 400 with the offending fields named (never a
500), and nothing created or changed."""

from decimal import Decimal

import pytest
from guardian.models import UserObjectPermission

from apps.accounts.models import User
from apps.customers.models import Customer
from apps.inventory.models import Category, Product, Unit, Warehouse
from apps.suppliers.models import Supplier

MODELS = {
    "warehouses": Warehouse,
    "categories": Category,
    "units": Unit,
    "products": Product,
    "suppliers": Supplier,
    "customers": Customer,
    "users": User,
}
# Who may write each resource.
WRITER = {
    "warehouses": "management",
    "categories": "purchasing",
    "units": "purchasing",
    "products": "purchasing",
    "suppliers": "purchasing",
    "customers": "management",
    "users": "it_admin",
}
NON_FIELD = "non_field_errors"


@pytest.fixture
def existing(db):
    """One record of each kind for the duplicate and unknown-id cases to collide with
    (bulk-created: a query per table, no audit rows, so the many cases here stay fast)."""
    unit = Unit.objects.create(name="个")
    category = Category.objects.create(name="饮料")
    child_category = Category.objects.create(name="矿泉水", parent=category)
    warehouse = Warehouse.objects.create(code="WH-DUP", name="老仓库")
    product, other_product = Product.objects.bulk_create(
        [
            Product(sku="DUP-1", name="矿泉水", barcode="6900000000017", unit=unit, sale_price=Decimal("15.00")),
            Product(sku="DUP-2", name="可乐", barcode="6900000000024", unit=unit),
        ]
    )
    supplier, other_supplier = Supplier.objects.bulk_create(
        [Supplier(code="S-DUP", name="供应商"), Supplier(code="S-DUP2", name="供应商2")]
    )
    customer, other_customer = Customer.objects.bulk_create(
        [Customer(code="C-DUP", name="客户"), Customer(code="C-DUP2", name="客户2")]
    )
    return {
        "unit": unit,
        "category": category,
        "child_category": child_category,
        "warehouse": warehouse,
        "product": product,
        "other_product": other_product,
        "supplier": supplier,
        "other_supplier": other_supplier,
        "customer": customer,
        "other_customer": other_customer,
        "user": User.objects.create_user(username="taken", password="pw-Secret-123"),
    }


def database_state():
    """Every row of every master-data table, plus users' departments and warehouses."""
    state = {name: list(model.objects.order_by("pk").values()) for name, model in MODELS.items()}
    state["groups"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    state["object_perms"] = sorted(UserObjectPermission.objects.values_list("user_id", "object_pk"))
    return state


LONG_300 = "长" * 300
PRODUCT = {"sku": "NEW-1", "name": "新商品", "unit": "个"}
SUPPLIER = {"code": "S-NEW", "name": "新供应商"}
CUSTOMER = {"code": "C-NEW", "name": "新客户"}
USER = {"username": "newbie", "password": "Kv8#wQ2-zLm"}

# resource, payload, the exact field keys of the 400 answer
CREATE_CASES = [
    ("warehouses", {}, {"code", "name"}),
    ("warehouses", {"code": "W" * 50, "name": "仓库"}, {"code"}),
    ("warehouses", {"code": "WH-NEW", "name": LONG_300}, {"name"}),
    ("warehouses", {"code": ["WH-NEW"], "name": "仓库"}, {"code"}),
    ("warehouses", {"code": "WH-NEW", "name": {"zh": "仓库"}}, {"name"}),
    ("warehouses", {"code": "WH-NEW", "name": None}, {"name"}),
    ("warehouses", {"code": "WH-NEW", "name": "仓库", "is_active": "maybe"}, {"is_active"}),
    ("warehouses", {"code": "WH-NEW", "name": "仓\x00库"}, {"name"}),
    ("warehouses", {"code": "WH-NEW", "name": "仓库", "address": "址" * 300}, {"address"}),
    ("categories", {}, {"name"}),
    ("categories", {"name": LONG_300}, {"name"}),
    ("categories", {"name": "子类", "parent": 999999}, {"parent"}),
    ("categories", {"name": "子类", "parent": "abc"}, {"parent"}),
    ("categories", {"name": ["子类"]}, {"name"}),
    ("units", {}, {"name"}),
    ("units", {"name": "单" * 30}, {"name"}),
    ("units", {"name": "盒", "decimals": -1}, {"decimals"}),
    ("units", {"name": "盒", "decimals": "abc"}, {"decimals"}),
    ("products", {}, {"sku", "name", "unit"}),
    ("products", {**PRODUCT, "sku": "S" * 50}, {"sku"}),
    ("products", {**PRODUCT, "name": LONG_300}, {"name"}),
    ("products", {**PRODUCT, "name": ["矿泉水", "可乐"]}, {"name"}),
    ("products", {**PRODUCT, "spec": {"size": "500ml"}}, {"spec"}),
    ("products", {**PRODUCT, "purchase_price": "abc"}, {"purchase_price"}),
    ("products", {**PRODUCT, "sale_price": "-1"}, {"sale_price"}),
    ("products", {**PRODUCT, "purchase_price": "-0.01"}, {"purchase_price"}),
    ("products", {**PRODUCT, "sale_price": "NaN"}, {"sale_price"}),
    ("products", {**PRODUCT, "sale_price": "1e30"}, {"sale_price"}),
    ("products", {**PRODUCT, "sale_price": None}, {"sale_price"}),
    ("products", {**PRODUCT, "sale_price": [1]}, {"sale_price"}),
    ("products", {**PRODUCT, "safety_stock": "-1"}, {"safety_stock"}),
    ("products", {**PRODUCT, "max_stock": "-5"}, {"max_stock"}),
    ("products", {**PRODUCT, "reorder_qty": "-1"}, {"reorder_qty"}),
    ("products", {**PRODUCT, "safety_stock": "10", "max_stock": "5"}, {"max_stock"}),
    ("products", {**PRODUCT, "tax_rate": "1.5"}, {"tax_rate"}),
    ("products", {**PRODUCT, "tax_rate": "-0.13"}, {"tax_rate"}),
    ("products", {**PRODUCT, "tax_rate": "13%"}, {"tax_rate"}),
    ("products", {**PRODUCT, "tax_rate": "0.12345"}, {"tax_rate"}),
    ("products", {**PRODUCT, "category": 999999}, {"category"}),
    ("products", {**PRODUCT, "category": "饮料"}, {"category"}),
    ("products", {**PRODUCT, "unit": "不存在的单位"}, {"unit"}),
    ("products", {**PRODUCT, "unit": None}, {"unit"}),
    ("products", {**PRODUCT, "barcode": "8" * 100}, {"barcode"}),
    ("products", {**PRODUCT, "valuation_method": "lifo"}, {"valuation_method"}),
    ("products", {**PRODUCT, "is_active": "maybe"}, {"is_active"}),
    ("products", {**PRODUCT, "sku": "", "name": ""}, {"sku", "name"}),
    ("suppliers", {}, {"code", "name"}),
    ("suppliers", {**SUPPLIER, "code": "S" * 50}, {"code"}),
    ("suppliers", {**SUPPLIER, "name": LONG_300}, {"name"}),
    ("suppliers", {**SUPPLIER, "email": "not-an-email"}, {"email"}),
    ("suppliers", {**SUPPLIER, "payment_terms_days": -1}, {"payment_terms_days"}),
    ("suppliers", {**SUPPLIER, "payment_terms_days": "abc"}, {"payment_terms_days"}),
    ("suppliers", {**SUPPLIER, "payment_terms_days": 100000}, {"payment_terms_days"}),
    ("suppliers", {**SUPPLIER, "phone": ["123"]}, {"phone"}),
    ("customers", {}, {"code", "name"}),
    ("customers", {**CUSTOMER, "code": "C" * 50}, {"code"}),
    ("customers", {**CUSTOMER, "name": LONG_300}, {"name"}),
    ("customers", {**CUSTOMER, "credit_limit": "-1"}, {"credit_limit"}),
    ("customers", {**CUSTOMER, "credit_limit": "abc"}, {"credit_limit"}),
    ("customers", {**CUSTOMER, "salesperson": 999999}, {"salesperson"}),
    ("customers", {**CUSTOMER, "salesperson": "abc"}, {"salesperson"}),
    ("customers", {**CUSTOMER, "email": "not-an-email"}, {"email"}),
    ("customers", {**CUSTOMER, "payment_terms_days": -30}, {"payment_terms_days"}),
    ("users", {}, {"username"}),
    ("users", {"username": "newbie"}, {"password"}),
    ("users", {**USER, "username": "u" * 200}, {"username"}),
    ("users", {**USER, "username": "bad name!"}, {"username"}),
    ("users", {**USER, "email": "not-an-email"}, {"email"}),
    ("users", {**USER, "departments": ["bogus"]}, {"departments"}),
    ("users", {**USER, "departments": "sales"}, {"departments"}),
    ("users", {**USER, "warehouses": [999999]}, {"warehouses"}),
    ("users", {**USER, "warehouses": ["abc"]}, {"warehouses"}),
    ("users", {**USER, "password": "12345678"}, {"password"}),
    ("users", {**USER, "password": "short"}, {"password"}),
    ("users", {**USER, "is_active": "maybe"}, {"is_active"}),
]


@pytest.mark.parametrize(
    ("resource", "payload", "fields"),
    [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(CREATE_CASES)],
)
def test_create_with_bad_input_is_400_naming_the_fields(api_as, existing, resource, payload, fields):
    # given
    client = api_as(WRITER[resource])
    before = database_state()

    # when
    response = client.post(f"/api/v1/{resource}/", payload, format="json")

    # then
    assert response.status_code == 400, response.content
    assert set(response.json()) == fields
    for messages in response.json().values():
        assert messages  # each field says what is wrong
    assert database_state() == before


# resource, payload, field, the message a user sees
DUPLICATE_CASES = [
    ("products", {**PRODUCT, "sku": "DUP-1"}, "sku", "This SKU is already used by another product."),
    (
        "products",
        {**PRODUCT, "barcode": "6900000000017"},
        "barcode",
        "This barcode is already used by another product.",
    ),
    (
        "products",
        {**PRODUCT, "barcode": " 6900000000017 "},
        "barcode",
        "This barcode is already used by another product.",
    ),
    ("warehouses", {"code": "WH-DUP", "name": "新仓库"}, "code", "This warehouse code is already used."),
    ("suppliers", {**SUPPLIER, "code": "S-DUP"}, "code", "This supplier code is already used."),
    ("customers", {**CUSTOMER, "code": "C-DUP"}, "code", "This customer code is already used."),
    ("units", {"name": "个"}, "name", "This unit already exists."),
    ("categories", {"name": "饮料"}, NON_FIELD, "A category with this name already exists here."),
    ("users", {**USER, "username": "taken"}, "username", "A user with that username already exists."),
]


@pytest.mark.parametrize(("resource", "payload", "field", "message"), DUPLICATE_CASES)
def test_duplicate_create_is_400_with_a_clear_message(api_as, existing, resource, payload, field, message):
    client = api_as(WRITER[resource])
    before = database_state()

    response = client.post(f"/api/v1/{resource}/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert database_state() == before


def test_the_same_category_name_under_another_parent_is_fine(api_as, existing):
    client = api_as("purchasing")

    response = client.post("/api/v1/categories/", {"name": "饮料", "parent": existing["child_category"].pk})

    assert response.status_code == 201
    assert Category.objects.filter(name="饮料").count() == 2


# resource, the record to change, the change, the fields named by the 400
UPDATE_CASES = [
    ("products", "other_product", {"barcode": "6900000000017"}, {"barcode"}),
    ("products", "other_product", {"sku": "DUP-1"}, {"sku"}),
    ("products", "product", {"sale_price": "-1"}, {"sale_price"}),
    ("products", "product", {"tax_rate": "2"}, {"tax_rate"}),
    ("products", "product", {"max_stock": "1", "safety_stock": "2"}, {"max_stock"}),
    ("products", "product", {"unit": "不存在的单位"}, {"unit"}),
    ("products", "product", {"sku": None}, {"sku"}),
    ("warehouses", "warehouse", {"code": "W" * 50}, {"code"}),
    ("suppliers", "other_supplier", {"code": "S-DUP"}, {"code"}),
    ("customers", "other_customer", {"code": "C-DUP"}, {"code"}),
    ("customers", "customer", {"credit_limit": "-100"}, {"credit_limit"}),
    ("categories", "category", {"parent": "self"}, {"parent"}),
    ("categories", "category", {"parent": "child"}, {"parent"}),
    ("units", "unit", {"decimals": -2}, {"decimals"}),
    ("users", "user", {"username": "u" * 200}, {"username"}),
    ("users", "user", {"departments": ["bogus"]}, {"departments"}),
    ("users", "user", {"warehouses": [999999]}, {"warehouses"}),
    ("users", "user", {"password": "12345678"}, {"password"}),
]


@pytest.mark.parametrize(
    ("resource", "key", "change", "fields"),
    [pytest.param(*case, id=f"{case[0]}-{'-'.join(case[2])}-{i}") for i, case in enumerate(UPDATE_CASES)],
)
def test_update_with_bad_input_is_400_and_changes_nothing(api_as, existing, resource, key, change, fields):
    # given
    client = api_as(WRITER[resource])
    target = existing[key]
    if change.get("parent") == "self":
        change = {"parent": target.pk}
    elif change.get("parent") == "child":
        change = {"parent": existing["child_category"].pk}
    before = database_state()

    # when
    response = client.patch(f"/api/v1/{resource}/{target.pk}/", change, format="json")

    # then
    assert response.status_code == 400, response.content
    assert set(response.json()) == fields
    assert database_state() == before


def test_patching_another_product_to_an_existing_barcode_names_the_barcode(api_as, existing):
    client = api_as("purchasing")
    other = existing["other_product"]

    response = client.patch(f"/api/v1/products/{other.pk}/", {"barcode": "6900000000017"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"barcode": ["This barcode is already used by another product."]}
    other.refresh_from_db()
    assert other.barcode == "6900000000024"


def test_patching_a_product_to_its_own_barcode_is_fine(api_as, existing):
    client = api_as("purchasing")
    product = existing["product"]

    response = client.patch(f"/api/v1/products/{product.pk}/", {"barcode": "6900000000017"}, format="json")

    assert response.status_code == 200
    assert response.json()["barcode"] == "6900000000017"


# --- bodies that are not a JSON object --------------------------------------------------

BODY_CASES = [
    # id, raw body, content type, status, the keys of the answer
    ("malformed-json", b'{"name": ', "application/json", 400, {NON_FIELD}),
    ("json-list", b'["a", "b"]', "application/json", 400, {NON_FIELD}),
    ("json-null", b"null", "application/json", 400, {NON_FIELD}),
    ("json-string", b'"hello"', "application/json", 400, {NON_FIELD}),
    ("not-utf8", b'{"name": "\xff\xfe"}', "application/json", 400, {NON_FIELD}),
    # An unsupported media type is HTTP's own 415, not a field error.
    ("text-plain", b"name=x", "text/plain", 415, {"detail"}),
    ("xml", b"<name>x</name>", "application/xml", 415, {"detail"}),
]


@pytest.mark.parametrize("resource", list(MODELS))
@pytest.mark.parametrize(
    ("body", "content_type", "status", "keys"), [pytest.param(*c[1:], id=c[0]) for c in BODY_CASES]
)
def test_a_body_that_is_not_a_json_object_is_refused(api_as, existing, resource, body, content_type, status, keys):
    client = api_as(WRITER[resource])
    before = database_state()

    response = client.generic("POST", f"/api/v1/{resource}/", body, content_type=content_type)

    assert response.status_code == status, response.content
    assert set(response.json()) == keys
    assert database_state() == before


# resource, the fields an empty create names
EMPTY_BODY_CASES = [
    ("warehouses", {"code", "name"}),
    ("categories", {"name"}),
    ("units", {"name"}),
    ("products", {"sku", "name", "unit"}),
    ("suppliers", {"code", "name"}),
    ("customers", {"code", "name"}),
    ("users", {"username"}),
]


@pytest.mark.parametrize(("resource", "fields"), EMPTY_BODY_CASES)
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_an_empty_body_names_the_required_fields(api_as, existing, resource, fields, content_type):
    client = api_as(WRITER[resource])
    before = database_state()

    response = client.generic("POST", f"/api/v1/{resource}/", b"", content_type=content_type)

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert database_state() == before


# --- list parameters ---------------------------------------------------------------------


def test_page_size_is_capped_at_500(api_as):
    Warehouse.objects.bulk_create(Warehouse(code=f"W{i:04d}", name=f"仓库{i}") for i in range(501))
    client = api_as("management")

    response = client.get("/api/v1/warehouses/", {"page_size": 10000})

    assert response.status_code == 200
    assert response.json()["count"] == 501
    assert len(response.json()["results"]) == 500
    assert response.json()["next"] is not None


@pytest.mark.parametrize(("page_size", "expected"), [("7", 7), ("abc", 50), ("-1", 50), ("0", 50)])
def test_page_size_that_is_not_a_positive_number_falls_back_to_the_default(api_as, page_size, expected):
    Warehouse.objects.bulk_create(Warehouse(code=f"W{i:04d}", name=f"仓库{i}") for i in range(60))

    response = api_as("management").get("/api/v1/warehouses/", {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == expected


# resource, query, the parameter named by the 400
FILTER_CASES = [
    ("products", {"category": "abc"}, "category"),
    ("products", {"category": "999999"}, "category"),
    ("products", {"is_active": "maybe"}, "is_active"),
    ("products", {"unit": "abc"}, "unit"),
    ("products", {"valuation_method": "lifo"}, "valuation_method"),
    ("products", {"ordering": "password"}, "ordering"),
    ("products", {"search": "a\x00b"}, "search"),
    ("warehouses", {"is_active": "maybe"}, "is_active"),
    ("warehouses", {"ordering": "-secret"}, "ordering"),
    ("categories", {"parent": "abc"}, "parent"),
    ("units", {"ordering": "decimals"}, "ordering"),
    ("suppliers", {"payment_terms_days": "abc"}, "payment_terms_days"),
    ("suppliers", {"is_active": "yes please"}, "is_active"),
    ("customers", {"salesperson": "abc"}, "salesperson"),
    ("customers", {"is_active": "maybe"}, "is_active"),
    ("users", {"is_active": "maybe"}, "is_active"),
]


@pytest.mark.parametrize(("resource", "query", "parameter"), FILTER_CASES)
def test_an_invalid_filter_value_is_400_naming_the_parameter(api_as, existing, resource, query, parameter):
    reader = {"users": "it_admin", "warehouses": "management"}.get(resource, "management")

    response = api_as(reader).get(f"/api/v1/{resource}/", query)

    assert response.status_code == 400, response.content
    assert list(response.json()) == [parameter]


@pytest.mark.parametrize(("value", "expected"), [("true", ["DUP-1"]), ("false", ["DUP-2"]), ("1", ["DUP-1"])])
def test_valid_boolean_filter_values_still_filter(api_as, existing, value, expected):
    Product.objects.filter(sku="DUP-2").update(is_active=False)

    response = api_as("purchasing").get("/api/v1/products/", {"is_active": value})

    assert response.status_code == 200
    assert [row["sku"] for row in response.json()["results"]] == expected


def test_an_unknown_page_is_404_not_500(api_as):
    response = api_as("purchasing").get("/api/v1/products/", {"page": "abc"})

    assert response.status_code == 404
