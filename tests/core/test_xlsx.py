"""``?format=xlsx`` on every list: the same rows as the JSON list (filters, search and
ordering included), numbers as numbers, and every row rather than one page."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from apps.inventory.models import Product, Unit, Warehouse
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    UnitFactory,
    UserFactory,
    WarehouseFactory,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_sheet(response):
    """(header, rows) of the only sheet of an .xlsx response."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 1
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    return rows[0], rows[1:]


def json_rows(client, url, query=None):
    response = client.get(url, {**(query or {}), "page_size": 500})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.fixture
def products(db):
    box = UnitFactory(name="箱")
    piece = UnitFactory(name="个")
    drinks = CategoryFactory(name="饮料")
    return [
        ProductFactory(
            sku="P-003",
            name="矿泉水",
            unit=box,
            category=drinks,
            barcode="6900000000017",
            sale_price=Decimal("12.50"),
            purchase_price=Decimal("8.25"),
            safety_stock=Decimal("10.5"),
        ),
        ProductFactory(sku="P-001", name="可乐", unit=piece, sale_price=Decimal("3.00"), tax_rate=Decimal("0.09")),
        ProductFactory(sku="P-002", name="雪碧", unit=piece, sale_price=Decimal("99.99"), is_active=False),
    ]


PRODUCT_HEADER = [
    "ID",
    "SKU",
    "Name",
    "Specification",
    "Unit",
    "Category",
    "Barcode",
    "Purchase price",
    "Sale price",
    "VAT rate",
    "Safety stock",
    "Max stock",
    "Reorder quantity",
    "Valuation method",
    "Active",
]
PRODUCT_KEYS = [
    "id",
    "sku",
    "name",
    "spec",
    "unit",
    "category",
    "barcode",
    "purchase_price",
    "sale_price",
    "tax_rate",
    "safety_stock",
    "max_stock",
    "reorder_qty",
    "valuation_method",
    "is_active",
]
MONEY_KEYS = {"purchase_price", "sale_price", "tax_rate", "safety_stock", "max_stock", "reorder_qty"}


def test_product_export_holds_exactly_the_json_rows(api_as, products):
    client = api_as("purchasing")
    expected = json_rows(client, "/api/v1/products/")

    header, rows = read_sheet(client.get("/api/v1/products/", {"format": "xlsx"}))

    assert header == PRODUCT_HEADER
    assert [row[1] for row in rows] == ["P-001", "P-002", "P-003"]
    assert len(rows) == len(expected) == 3
    for row, item in zip(rows, expected, strict=True):
        for key, cell in zip(PRODUCT_KEYS, row, strict=True):
            if key in MONEY_KEYS:
                assert isinstance(cell, (int, float)), (key, cell)
                assert Decimal(str(cell)) == Decimal(item[key]), (key, cell, item[key])
            elif key == "spec":
                assert cell in (None, ""), cell
            else:
                assert cell == item[key], (key, cell, item[key])


def test_product_export_numbers_are_the_exact_values(api_as, products):
    header, rows = read_sheet(api_as("purchasing").get("/api/v1/products/", {"format": "xlsx", "sku": "P-003"}))

    row = dict(zip(PRODUCT_KEYS, rows[0], strict=True))
    assert row["sale_price"] == 12.5
    assert row["purchase_price"] == 8.25
    assert row["safety_stock"] == 10.5
    assert row["tax_rate"] == 0.13
    assert row["unit"] == "箱"
    assert row["barcode"] == "6900000000017"
    assert row["is_active"] is True
    assert row["id"] == products[0].pk


@pytest.mark.parametrize(
    ("query", "skus"),
    [
        ({"is_active": "false"}, ["P-002"]),
        ({"is_active": "true"}, ["P-001", "P-003"]),
        ({"search": "矿泉"}, ["P-003"]),
        ({"search": "P-00"}, ["P-001", "P-002", "P-003"]),
        ({"unit": "__piece__"}, ["P-001", "P-002"]),
        ({"ordering": "-sale_price"}, ["P-002", "P-003", "P-001"]),
        ({"ordering": "name"}, ["P-001", "P-003", "P-002"]),
        ({"barcode": "6900000000017"}, ["P-003"]),
        ({"search": "nothing-matches"}, []),
    ],
)
def test_product_export_follows_filters_search_and_ordering(api_as, products, query, skus):
    client = api_as("purchasing")
    if query.get("unit") == "__piece__":
        query = {"unit": Unit.objects.get(name="个").pk}
    expected = [item["sku"] for item in json_rows(client, "/api/v1/products/", query)]

    _header, rows = read_sheet(client.get("/api/v1/products/", {**query, "format": "xlsx"}))

    assert [row[1] for row in rows] == expected == skus


def test_export_is_not_paginated(api_as):
    unit = UnitFactory(name="个")
    Product.objects.bulk_create(Product(sku=f"B{i:03d}", name=f"商品{i}", unit=unit) for i in range(60))
    client = api_as("purchasing")

    page = client.get("/api/v1/products/")
    _header, rows = read_sheet(client.get("/api/v1/products/", {"format": "xlsx"}))

    assert page.json()["count"] == 60
    assert len(page.json()["results"]) == 50
    assert len(rows) == 60
    assert [row[1] for row in rows] == [f"B{i:03d}" for i in range(60)]


def test_export_ignores_page_and_page_size(api_as):
    Warehouse.objects.bulk_create(Warehouse(code=f"W{i:03d}", name=f"仓库{i}") for i in range(12))

    _header, rows = read_sheet(
        api_as("management").get("/api/v1/warehouses/", {"format": "xlsx", "page": 2, "page_size": 5})
    )

    assert [row[1] for row in rows] == [f"W{i:03d}" for i in range(12)]


def test_export_names_the_file_after_the_list(api_as, products):
    response = api_as("purchasing").get("/api/v1/products/", {"format": "xlsx"})

    assert response["Content-Disposition"].startswith('attachment; filename="product-')
    assert response["Content-Disposition"].endswith('.xlsx"')


# resource, reader, make the rows, the identifying key, its column, the header
OTHER_LISTS = [
    (
        "warehouses",
        "management",
        lambda: [WarehouseFactory(code=c) for c in ("WH-B", "WH-A", "WH-C")],
        "code",
        ["ID", "Code", "Name", "Address", "Active"],
    ),
    (
        "categories",
        "purchasing",
        lambda: [CategoryFactory(name=n) for n in ("乙", "甲", "丙")],
        "name",
        ["ID", "Name", "Parent"],
    ),
    (
        "units",
        "purchasing",
        lambda: [UnitFactory(name=n) for n in ("箱", "个", "kg")],
        "name",
        ["ID", "Name", "Decimal places"],
    ),
    (
        "suppliers",
        "purchasing",
        lambda: [SupplierFactory(code=c, payment_terms_days=d) for c, d in (("S-2", 45), ("S-1", 30), ("S-3", 60))],
        "code",
        [
            "ID",
            "Code",
            "Name",
            "Contact",
            "Phone",
            "Email",
            "Address",
            "Payment terms (days)",
            "Tax number",
            "Bank account",
            "Active",
        ],
    ),
    (
        "customers",
        "management",
        lambda: [
            CustomerFactory(code=c, credit_limit=limit)
            for c, limit in (("C-2", Decimal("5000.00")), ("C-1", None), ("C-3", Decimal("0.50")))
        ],
        "code",
        [
            "ID",
            "Code",
            "Name",
            "Contact",
            "Phone",
            "Email",
            "Address",
            "Credit limit",
            "Payment terms (days)",
            "Grade",
            "Tax number",
            "Salesperson",
            "Active",
        ],
    ),
    (
        "users",
        "it_admin",
        lambda: [UserFactory(username=u, departments=["sales", "warehouse"]) for u in ("zhang", "li", "wang")],
        "username",
        ["ID", "Username", "Full name", "Email address", "Active", "Departments", "Warehouses"],
    ),
]


@pytest.mark.parametrize(("resource", "reader", "make_rows", "key", "header"), OTHER_LISTS)
def test_every_list_exports_the_same_rows_as_json(api_as, resource, reader, make_rows, key, header):
    # given
    client = api_as(reader)
    make_rows()
    expected = json_rows(client, f"/api/v1/{resource}/")

    # when
    sheet_header, rows = read_sheet(client.get(f"/api/v1/{resource}/", {"format": "xlsx"}))

    # then
    assert sheet_header == header
    keys = list(expected[0])
    assert len(keys) == len(header)
    assert [row[keys.index(key)] for row in rows] == [item[key] for item in expected]
    assert len(rows) == len(expected)
    for row, item in zip(rows, expected, strict=True):
        for name, cell in zip(keys, row, strict=True):
            value = item[name]
            if isinstance(value, list):
                assert cell == (", ".join(str(v) for v in value) or None), (name, cell, value)
            elif isinstance(value, str) and value.replace(".", "", 1).isdigit() and name != key:
                assert isinstance(cell, (int, float)), (name, cell)
                assert Decimal(str(cell)) == Decimal(value), (name, cell, value)
            elif value == "":
                assert cell in (None, ""), (name, cell)
            else:
                assert cell == value, (name, cell, value)


def test_customer_export_numbers(api_as):
    CustomerFactory(code="C-1", credit_limit=Decimal("5000.00"), payment_terms_days=45)
    CustomerFactory(code="C-2", credit_limit=None)

    header, rows = read_sheet(api_as("management").get("/api/v1/customers/", {"format": "xlsx"}))

    limit, terms = header.index("Credit limit"), header.index("Payment terms (days)")
    assert [(row[1], row[limit], row[terms]) for row in rows] == [("C-1", 5000, 45), ("C-2", None, 30)]


def test_user_export_lists_departments_and_warehouses(api_as):
    first, second = WarehouseFactory(code="WH-1"), WarehouseFactory(code="WH-2")
    UserFactory(username="clerk", departments=["warehouse", "sales"], warehouses=[second, first])

    header, rows = read_sheet(api_as("it_admin").get("/api/v1/users/", {"format": "xlsx", "username": "clerk"}))

    row = dict(zip(header, next(r for r in rows if r[1] == "clerk"), strict=True))
    assert row["Departments"] == "sales, warehouse"
    assert row["Warehouses"] == f"{first.pk}, {second.pk}"
    assert "Password" not in header


def test_salesperson_export_holds_only_their_customers(api_as, make_user):
    client = api_as("sales")
    CustomerFactory(code="C-MINE", salesperson=client.user)
    CustomerFactory(code="C-THEIRS", salesperson=make_user("sales"))
    CustomerFactory(code="C-NOBODY")

    _header, rows = read_sheet(client.get("/api/v1/customers/", {"format": "xlsx"}))

    assert [row[1] for row in rows] == ["C-MINE"]


# --- errors stay JSON ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "query", "status", "body"),
    [
        (None, {}, 401, {"detail": "Authentication credentials were not provided."}),
        ("it_admin", {}, 403, {"detail": "You do not have permission to perform this action."}),
        ("purchasing", {"is_active": "maybe"}, 400, {"is_active": ["Enter true or false."]}),
    ],
)
def test_an_error_with_format_xlsx_answers_json(api_as, department, query, status, body):
    response = api_as(department).get("/api/v1/products/", {**query, "format": "xlsx"})

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == body
    assert "Content-Disposition" not in response


def test_a_missing_record_with_format_xlsx_answers_json(api_as):
    response = api_as("purchasing").get("/api/v1/products/999999/", {"format": "xlsx"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No Product matches the given query."}


def test_an_excel_download_above_the_row_limit_asks_for_narrower_filters(api_as, settings):
    settings.JXC_XLSX_MAX_ROWS = 2
    for _ in range(3):
        ProductFactory()

    response = api_as("purchasing").get("/api/v1/products/", {"format": "xlsx"})

    assert response.status_code == 400
    assert list(response.json()) == ["format"]
