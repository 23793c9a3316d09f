"""Excel import through /api/v1/imports/: templates, preview, all-or-nothing imports, opening
stock through the ledger and the books, bad files, background jobs and permissions."""

import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from apps.customers.models import Customer
from apps.finance.books import check_books
from apps.finance.models import JournalLine
from apps.imports.kinds import KINDS
from apps.imports.models import ImportJob
from apps.inventory.models import Product, StockAdjustment, StockBalance, StockLedgerEntry
from apps.suppliers.models import Supplier
from tests.factories import CategoryFactory, ProductFactory, UnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal
PRODUCT_HEADER = ["SKU 编码", "Name 名称", "Unit 单位", "Category 分类", "Barcode 条码", "Purchase price 采购价",
                  "Sale price 销售价", "VAT rate 税率", "Safety stock 安全库存", "Max stock 最高库存"]  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def xlsx(rows, name="data.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile(name, stream.getvalue())


def post(client, kind, file, **extra):
    return client.post("/api/v1/imports/", {"kind": kind, "file": file, **extra}, format="multipart")


def product_row(n, **changes):
    row = {"sku": f"P{n:05d}", "name": f"商品{n}", "unit": "个", "category": "", "barcode": f"69{n:011d}",
           "purchase_price": 10, "sale_price": 15.5, "tax_rate": 0.13, "safety_stock": 5, "max_stock": 100}  # fmt: skip
    row.update(changes)
    return list(row.values())


# --- Templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["products", "customers", "suppliers", "opening_stock"])
def test_each_kind_has_a_template_whose_header_row_names_its_columns(api_as, kind):
    response = api_as("management").get(f"/api/v1/imports/templates/{kind}/")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [column.header for column in KINDS[kind].columns]
    assert sheet.max_row == 1


def test_the_product_template_starts_with_the_sku_column_in_both_languages(api_as):
    response = api_as("purchasing").get("/api/v1/imports/templates/products/")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:4] == ["SKU 编码", "Name 名称", "Specification 规格", "Unit 单位"]


def test_a_filled_in_template_imports(api_as):
    UnitFactory(name="个")
    client = api_as("purchasing")
    template = load_workbook(io.BytesIO(client.get("/api/v1/imports/templates/products/").content))
    template.worksheets[0].append(["A-1", "矿泉水", "550ml", "个"])
    stream = io.BytesIO()
    template.save(stream)

    response = post(client, "products", SimpleUploadedFile("t.xlsx", stream.getvalue()))

    assert response.status_code == 201, response.json()
    product = Product.objects.get(sku="A-1")
    assert (product.name, product.spec, product.unit.name, product.tax_rate) == ("矿泉水", "550ml", "个", D("0.13"))
    assert product.name_pinyin == "kuangquanshui kqs"


# --- Preview and all-or-nothing -----------------------------------------------------------------

BAD_FILE_ERRORS = [
    {"row": 4, "column": "Unit 单位", "field": "unit", "message": "There is no unit named 盒."},
    {
        "row": 7,
        "column": "Sale price 销售价",
        "field": "sale_price",
        "message": "“abc” value must be a decimal number.",
    },
    {
        "row": 9,
        "column": "Max stock 最高库存",
        "field": "max_stock",
        "message": "Max stock must not be below safety stock.",
    },
]


def bad_products_file():
    """10 rows, 3 of them wrong: Excel rows 4 (unknown unit), 7 (price not a number), 9 (max < safety)."""
    rows = [PRODUCT_HEADER]
    for n in range(1, 11):
        changes = {3: {"unit": "盒"}, 6: {"sale_price": "abc"}, 8: {"safety_stock": 50, "max_stock": 10}}.get(n, {})
        rows.append(product_row(n, **changes))
    return xlsx(rows)


def test_a_preview_reports_every_bad_row_and_writes_nothing(api_as):
    UnitFactory(name="个")
    client = api_as("purchasing")

    response = post(client, "products", bad_products_file(), dry_run=True)

    assert response.status_code == 200
    body = response.json()
    assert (body["total_rows"], body["valid_rows"], body["error_rows"]) == (10, 7, 3)
    assert body["errors"] == BAD_FILE_ERRORS
    assert [row["row"] for row in body["preview"]] == list(range(2, 12))
    assert body["preview"][0]["values"]["sku"] == "P00001"
    assert Product.objects.count() == 0
    assert ImportJob.objects.count() == 0


def test_a_file_with_3_bad_rows_among_10_imports_nothing_and_reports_exactly_those_rows(api_as):
    UnitFactory(name="个")
    client = api_as("purchasing")

    response = post(client, "products", bad_products_file())

    assert response.status_code == 400
    assert response.json() == {"detail": "3 rows have errors: nothing was imported.", "errors": BAD_FILE_ERRORS}
    assert Product.objects.count() == 0
    assert ImportJob.objects.count() == 0


def test_skus_and_barcodes_must_be_new_and_not_repeated_in_the_file(api_as):
    UnitFactory(name="个")
    ProductFactory(sku="P00002", barcode="111")
    rows = [PRODUCT_HEADER, product_row(1), product_row(2), product_row(3, sku="P00001"), product_row(4, barcode="111")]

    response = post(api_as("purchasing"), "products", xlsx(rows))

    assert response.status_code == 400
    assert [(e["row"], e["field"], e["message"]) for e in response.json()["errors"]] == [
        (3, "sku", "This SKU is already used by another product."),
        (4, "sku", "P00001 is repeated: row 2 has it too."),
        (5, "barcode", "This barcode is already used by another product."),
    ]
    assert Product.objects.count() == 1


def test_a_good_file_of_5000_products_imports_in_seconds(api_as, settings):
    settings.JXC_IMPORT_SYNC_ROWS = 10_000
    UnitFactory(name="个")
    CategoryFactory(name="饮料")
    file = xlsx([PRODUCT_HEADER, *(product_row(n, category="饮料") for n in range(1, 5001))])
    client = api_as("purchasing")

    started = time.perf_counter()
    response = post(client, "products", file)
    elapsed = time.perf_counter() - started

    print(f"\n5,000 products imported in {elapsed:.2f} s")
    assert response.status_code == 201, response.json()
    assert response.json()["result"] == {"created": 5000}
    assert response.json()["status"] == "done"
    assert Product.objects.count() == 5000
    assert Product.objects.filter(category__name="饮料", sale_price=D("15.50"), max_stock=100).count() == 5000
    assert Product.history.count() == 5000
    assert Product.objects.get(sku="P04999").barcode == "6900000004999"
    assert elapsed < 30


# --- Customers and suppliers --------------------------------------------------------------------


def test_suppliers_import_with_their_payment_terms(api_as):
    rows = [["Code 编码", "Name 名称", "Payment terms (days) 账期天数", "Phone 电话"],
            ["S1", "上海供应商", 45, 13800000000], ["S2", "北京供应商", None, None]]  # fmt: skip

    response = post(api_as("purchasing"), "suppliers", xlsx(rows))

    assert response.status_code == 201, response.json()
    assert list(Supplier.objects.order_by("code").values_list("code", "payment_terms_days", "phone")) == [
        ("S1", 45, "13800000000"),
        ("S2", 30, ""),
    ]


def test_a_salesperson_owns_the_customers_they_import_and_cannot_give_them_to_others(api_as, make_user):
    other = make_user("sales", username="wang")
    client = api_as("sales", username="li")
    rows = [["Code 编码", "Name 名称", "Credit limit 信用额度", "Salesperson 业务员"], ["C1", "甲公司", 5000, None]]

    ok = post(client, "customers", xlsx(rows))
    refused = post(client, "customers", xlsx([rows[0], ["C2", "乙公司", None, "wang"], ["C3", "丙公司", -1, "nobody"]]))

    assert ok.status_code == 201
    customer = Customer.objects.get(code="C1")
    assert (customer.salesperson, customer.credit_limit) == (client.user, D("5000.00"))
    assert refused.status_code == 400
    assert [(e["row"], e["field"], e["message"]) for e in refused.json()["errors"]] == [
        (2, "salesperson", "You can only assign customers to yourself."),
        (3, "salesperson", "There is no user nobody."),
        (3, "credit_limit", "Ensure this value is greater than or equal to 0."),
    ]
    assert Customer.objects.count() == 1
    assert other.customers.count() == 0


# --- Opening stock ------------------------------------------------------------------------------

OPENING_HEADER = ["Warehouse code 仓库编码", "SKU 编码", "Quantity 数量", "Unit cost 单位成本"]


def test_opening_stock_of_3_products_in_2_warehouses_posts_one_opening_adjustment_per_warehouse(api_as):
    main, shop = WarehouseFactory(code="MAIN"), WarehouseFactory(code="SHOP")
    a, b, c = ProductFactory(sku="A"), ProductFactory(sku="B"), ProductFactory(sku="C")
    rows = [OPENING_HEADER, ["MAIN", "A", 100, 2.5], ["MAIN", "B", 10, 12.345], ["MAIN", "C", 3, 7],
            ["SHOP", "A", 40, 2.6], ["SHOP", "C", 1.5, 8]]  # fmt: skip
    client = api_as("warehouse", warehouses=[main, shop])

    response = post(client, "opening_stock", xlsx(rows))

    assert response.status_code == 201, response.json()
    adjustments = list(StockAdjustment.objects.order_by("warehouse__code"))
    assert [(adj.warehouse.code, adj.reason, adj.status, adj.lines.count()) for adj in adjustments] == [
        ("MAIN", "opening", "posted", 3),
        ("SHOP", "opening", "posted", 2),
    ]
    assert response.json()["result"] == {"created": 5, "adjustments": [adj.number for adj in adjustments]}
    balances = {(bal.warehouse.code, bal.product.sku): (bal.qty, bal.value) for bal in StockBalance.objects.all()}
    assert balances == {
        ("MAIN", "A"): (D("100"), D("250.00")),
        ("MAIN", "B"): (D("10"), D("123.45")),
        ("MAIN", "C"): (D("3"), D("21.00")),
        ("SHOP", "A"): (D("40"), D("104.00")),
        ("SHOP", "C"): (D("1.5"), D("12.00")),
    }
    assert StockLedgerEntry.objects.count() == 5
    journal = {
        (line.account.code, line.debit, line.credit)
        for line in JournalLine.objects.filter(entry__source_number__in=[adj.number for adj in adjustments])
    }
    assert journal == {
        ("1405", D("394.45"), D("0")),
        ("3001", D("0"), D("394.45")),
        ("1405", D("116.00"), D("0")),
        ("3001", D("0"), D("116.00")),
    }
    assert check_books() == []
    assert {line.product_id for line in adjustments[0].lines.all()} == {a.pk, b.pk, c.pk}


def test_opening_stock_rows_are_checked_against_warehouses_products_and_the_clerks_scope(api_as):
    main, other = WarehouseFactory(code="MAIN"), WarehouseFactory(code="FAR")
    ProductFactory(sku="A")
    rows = [OPENING_HEADER, ["MAIN", "A", 5, 1], ["FAR", "A", 5, 1], ["NOPE", "X", 0, -1], ["MAIN", "A", 1, None]]
    client = api_as("warehouse", warehouses=[main])

    response = post(client, "opening_stock", xlsx(rows))

    assert response.status_code == 400
    assert [(e["row"], e["field"], e["message"]) for e in response.json()["errors"]] == [
        (3, "warehouse", f"You are not assigned to warehouse {other}."),
        (4, "warehouse", "There is no warehouse NOPE."),
        (4, "sku", "There is no product with SKU X."),
        (4, "qty", "The opening quantity must be more than zero."),
        (4, "unit_cost", "Ensure this value is greater than or equal to 0."),
        (5, "unit_cost", "This field cannot be blank."),
        (5, "sku", "This product's opening stock in this warehouse is already in row 2."),
    ]
    assert StockAdjustment.objects.count() == 0
    assert StockLedgerEntry.objects.count() == 0


def test_opening_stock_into_a_closed_month_is_a_409_and_posts_nothing(api_as):
    from django.utils import timezone

    from apps.finance.models import Period

    WarehouseFactory(code="MAIN")
    WarehouseFactory(code="SHOP")
    ProductFactory(sku="A")
    Period.objects.update_or_create(month=timezone.localdate().replace(day=1), defaults={"is_closed": True})

    rows = [OPENING_HEADER, ["MAIN", "A", 1, 1], ["SHOP", "A", 2, 1]]

    response = post(api_as("management"), "opening_stock", xlsx(rows))

    assert response.status_code == 409
    assert response.json()["code"] == "period_closed"
    assert (StockAdjustment.objects.count(), StockLedgerEntry.objects.count(), ImportJob.objects.count()) == (0, 0, 0)


# --- Bad files ----------------------------------------------------------------------------------


def test_a_text_file_renamed_xlsx_is_refused(api_as):
    response = post(api_as("purchasing"), "products", SimpleUploadedFile("data.xlsx", b"SKU,Name\nA,B\n"))

    assert response.status_code == 400
    assert response.json() == {
        "file": ["The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."]
    }


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04 truncated zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls", "docx"],
    ids=["empty-file", "broken-zip", "xls", "docx"],
)
def test_files_that_are_not_xlsx_workbooks_are_refused(api_as, content):
    if content == "docx":
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as package:
            package.writestr("[Content_Types].xml", "<Types/>")
            package.writestr("word/document.xml", "<document/>")
        content = stream.getvalue()

    response = post(api_as("purchasing"), "products", SimpleUploadedFile("data.xlsx", content))

    assert response.status_code == 400
    assert response.json() == {
        "file": ["The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."]
    }


def test_an_empty_workbook_is_refused(api_as):
    response = post(api_as("purchasing"), "products", xlsx([]))

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is empty: download the template and fill it in."]}


def test_a_header_without_rows_is_refused(api_as):
    response = post(api_as("purchasing"), "products", xlsx([PRODUCT_HEADER]))

    assert response.status_code == 400
    assert response.json() == {"file": ["The file has a header but no rows to import."]}


def test_wrong_headers_are_refused_naming_the_missing_and_unknown_columns(api_as):
    response = post(api_as("purchasing"), "products", xlsx([["SKU 编码", "Nmae", "Colour"], ["A", "B", "red"]]))

    assert response.status_code == 400
    assert response.json() == {
        "file": [
            "Missing columns: Name 名称, Unit 单位. Unknown columns: Nmae, Colour. "
            "This is not a products template: the header row must name the template's columns."
        ]
    }


def test_a_file_with_too_many_rows_is_refused(api_as, settings):
    settings.JXC_IMPORT_MAX_ROWS = 5
    UnitFactory(name="个")

    response = post(api_as("purchasing"), "products", xlsx([PRODUCT_HEADER, *(product_row(n) for n in range(6))]))

    assert response.status_code == 400
    assert response.json() == {"file": ["The file has more than 5 rows; split it into smaller files."]}
    assert Product.objects.count() == 0


def test_a_file_too_large_is_refused(api_as, settings):
    settings.JXC_IMPORT_MAX_BYTES = 1000

    response = post(api_as("purchasing"), "products", SimpleUploadedFile("big.xlsx", b"x" * 1001))

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 0.0 MB; split it into smaller files."]}


def test_an_unknown_kind_is_a_400_on_kind(api_as):
    response = post(api_as("management"), "widgets", xlsx([["a"]]))

    assert response.status_code == 400
    assert list(response.json()) == ["kind"]


# --- Background jobs ----------------------------------------------------------------------------


def test_a_large_file_is_queued_and_the_worker_imports_it(api_as, settings, django_capture_on_commit_callbacks):
    settings.JXC_IMPORT_SYNC_ROWS = 3
    UnitFactory(name="个")
    client = api_as("purchasing")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(client, "products", xlsx([PRODUCT_HEADER, *(product_row(n) for n in range(1, 8))]))

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert len(callbacks) == 1
    job = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert {k: job[k] for k in ("status", "total_rows", "done_rows", "progress", "errors", "result")} == {
        "status": "done",
        "total_rows": 7,
        "done_rows": 7,
        "progress": 100,
        "errors": [],
        "result": {"created": 7},
    }
    assert Product.objects.count() == 7


def test_a_queued_file_with_bad_rows_fails_with_its_errors_and_imports_nothing(
    api_as, settings, django_capture_on_commit_callbacks
):
    settings.JXC_IMPORT_SYNC_ROWS = 3
    UnitFactory(name="个")
    client = api_as("purchasing")

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "products", bad_products_file())

    job = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (job["status"], job["total_rows"], job["errors"]) == ("failed", 10, BAD_FILE_ERRORS)
    assert Product.objects.count() == 0


def test_a_job_runs_once_even_when_its_task_is_delivered_twice(api_as, settings, django_capture_on_commit_callbacks):
    from apps.imports.tasks import run_import_job

    settings.JXC_IMPORT_SYNC_ROWS = 1
    UnitFactory(name="个")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_as("purchasing"), "products", xlsx([PRODUCT_HEADER, product_row(1), product_row(2)]))

    assert run_import_job(response.json()["id"]) == "done"
    assert Product.objects.count() == 2


def test_users_see_their_own_imports_and_management_sees_all(api_as):
    UnitFactory(name="个")
    buyer, other, boss = api_as("purchasing"), api_as("purchasing"), api_as("management")
    job_id = post(buyer, "products", xlsx([PRODUCT_HEADER, product_row(1)])).json()["id"]

    assert buyer.get("/api/v1/imports/").json()["count"] == 1
    assert other.get("/api/v1/imports/").json()["count"] == 0
    assert other.get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert boss.get(f"/api/v1/imports/{job_id}/").status_code == 200


# --- Permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "kind", "expected"),
    [
        ("sales", "products", 403),
        ("sales", "suppliers", 403),
        ("sales", "opening_stock", 403),
        ("purchasing", "customers", 403),
        ("purchasing", "opening_stock", 403),
        ("warehouse", "products", 403),
        ("finance", "products", 403),
        ("customer_service", "customers", 403),
        ("purchasing", "products", 201),
        ("management", "products", 201),
    ],
)
def test_who_may_import_what(api_as, department, kind, expected):
    UnitFactory(name="个")

    response = post(api_as(department), kind, xlsx([PRODUCT_HEADER, product_row(1)]))

    assert response.status_code == expected
    assert Product.objects.count() == (1 if expected == 201 else 0)


def test_sales_cannot_import_products_nor_download_templates_without_the_import_permission(api_as):
    UnitFactory(name="个")
    sales = api_as("sales")

    response = post(sales, "products", xlsx([PRODUCT_HEADER, product_row(1)]))

    assert response.status_code == 403
    assert Product.objects.count() == 0
    assert api_as("finance").get("/api/v1/imports/templates/products/").status_code == 403
    assert api_as(None).get("/api/v1/imports/").status_code in (401, 403)
