"""GET /api/v1/payables/: what is owed per receipt, with its filters (supplier, status,
due_before, overdue, search), ordering (due_date, amount, outstanding) and Excel export, read
from the annotated outstanding amount."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from apps.purchasing import services
from tests.factories import ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

from .api_helpers import PAYABLES, D, ok, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    """Three receipts owed to two suppliers, one of them already overdue, and a return."""
    today = timezone.localdate()
    warehouse = WarehouseFactory()
    boss = UserFactory(departments=["management"])
    acme = SupplierFactory(code="S-ACME", name="Acme 供应商", payment_terms_days=30)
    zen = SupplierFactory(code="S-ZEN", name="Zen 贸易", payment_terms_days=10)
    product = ProductFactory()

    def receipt(supplier, qty, price, day):
        draft = services.purchase_receipt_create(
            user=boss,
            supplier=supplier,
            warehouse=warehouse,
            date=day,
            lines=[{"product": product, "qty": D(qty), "unit_cost": D(price), "tax_rate": D("0.13")}],
        )
        return services.purchase_receipt_post(receipt=draft, user=boss)

    old = receipt(zen, 10, "10", today - datetime.timedelta(days=40))  # 113.00, due 30 days ago
    acme_1 = receipt(acme, 100, "10", today - datetime.timedelta(days=5))  # 1,130.00, due in 25 days
    acme_2 = receipt(acme, 20, "10", today)  # 226.00, due in 30 days
    returned = services.purchase_return_create(
        user=boss,
        purchase_receipt=acme_2,
        date=today,
        lines=[{"purchase_receipt_line": acme_2.lines.get(), "qty": D(5)}],
    )
    returned = services.purchase_return_post(purchase_return=returned, user=boss)  # -56.50 on acme_2
    return {
        "today": today,
        "acme": acme,
        "zen": zen,
        "numbers": {"old": old.number, "acme_1": acme_1.number, "acme_2": acme_2.number, "return": returned.number},
    }


def rows(client, **query):
    return [
        (row["source_number"], row["amount"], row["outstanding"], row["status"])
        for row in ok(client.get(PAYABLES, query))["results"]
    ]


def test_each_item_shows_amount_paid_credited_and_outstanding(api_as, book):
    finance = api_as("finance")
    n = book["numbers"]

    items = {row["source_number"]: row for row in ok(finance.get(PAYABLES))["results"]}

    assert set(items) == {n["old"], n["acme_1"], n["acme_2"], n["return"]}
    acme_2 = items[n["acme_2"]]
    assert (acme_2["amount"], acme_2["paid"], acme_2["credited"], acme_2["outstanding"], acme_2["status"]) == (
        "226.00",
        "0.00",
        "56.50",
        "169.50",
        "open",
    )
    assert (acme_2["supplier"], acme_2["supplier_name"], acme_2["source_type"]) == (
        book["acme"].pk,
        "Acme 供应商",
        "purchase_receipt",
    )
    assert acme_2["due_date"] == (book["today"] + datetime.timedelta(days=30)).isoformat()
    note = items[n["return"]]
    assert (note["amount"], note["credited"], note["outstanding"], note["status"], note["source_type"]) == (
        "-56.50",
        "-56.50",
        "0.00",
        "paid",
        "purchase_return",
    )


def test_filters(api_as, book):
    finance, n = api_as("finance"), book["numbers"]

    assert [r[0] for r in rows(finance, supplier=book["zen"].pk)] == [n["old"]]
    assert [r[0] for r in rows(finance, status="paid")] == [n["return"]]
    assert sorted(r[0] for r in rows(finance, status="open,paid")) == sorted(n.values())
    assert rows(finance, overdue="true") == [(n["old"], "113.00", "113.00", "open")]
    assert sorted(r[0] for r in rows(finance, overdue="false")) == sorted([n["acme_1"], n["acme_2"], n["return"]])
    due_before = (book["today"] + datetime.timedelta(days=25)).isoformat()
    assert sorted(r[0] for r in rows(finance, due_before=due_before)) == sorted([n["old"], n["acme_1"], n["return"]])
    assert [r[0] for r in rows(finance, search=n["acme_1"])] == [n["acme_1"]]
    assert sorted(r[0] for r in rows(finance, search="zen")) == [n["old"]]
    assert sorted(r[0] for r in rows(finance, search="Acme", status="open")) == sorted([n["acme_1"], n["acme_2"]])


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("amount", ["return", "old", "acme_2", "acme_1"]),
        ("-amount", ["acme_1", "acme_2", "old", "return"]),
        ("outstanding", ["return", "old", "acme_2", "acme_1"]),
        ("-outstanding", ["acme_1", "acme_2", "old", "return"]),
        ("due_date", ["old", "return", "acme_1", "acme_2"]),
    ],
)
def test_ordering(api_as, book, ordering, expected):
    found = [r[0] for r in rows(api_as("management"), ordering=ordering)]

    assert found == [book["numbers"][key] for key in expected]


def test_an_overdue_item_paid_off_is_no_longer_overdue(api_as, book):
    finance = api_as("finance")
    payment = ok(finance.post("/api/v1/supplier-payments/", {"supplier": book["zen"].pk, "amount": "113"}), 201)
    ok(finance.post(f"/api/v1/supplier-payments/{payment['id']}/post/"))

    assert rows(finance, overdue="true") == []
    assert rows(finance, supplier=book["zen"].pk) == [(book["numbers"]["old"], "113.00", "0.00", "paid")]


def test_the_excel_export_holds_the_same_rows(api_as, book):
    client = api_as("purchasing")
    expected = ok(client.get(PAYABLES, {"ordering": "due_date"}))["results"]

    response = client.get(PAYABLES, {"ordering": "due_date", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="payables-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *data = list(sheet.values)
    assert "Outstanding" in header and "Source number" in header
    column = header.index("Outstanding")
    numbers = header.index("Source number")
    assert [(row[numbers], row[column]) for row in data] == [
        (item["source_number"], float(item["outstanding"])) for item in expected
    ]


def test_payables_are_read_only(api_as, book):
    manager = api_as("management")
    before = ok(manager.get(PAYABLES))["results"]
    item = before[0]

    # No write permission exists for payables (403), and no write method either (405).
    assert manager.post(PAYABLES, {"supplier": book["acme"].pk, "amount": "5"}).status_code in (403, 405)
    assert manager.patch(f"{PAYABLES}{item['id']}/", {"paid": "5"}).status_code in (403, 405)
    assert manager.delete(f"{PAYABLES}{item['id']}/").status_code in (403, 405)
    assert ok(manager.get(PAYABLES))["results"] == before
    assert ok(manager.get(f"{PAYABLES}{item['id']}/")) == item


def test_sales_and_the_warehouse_cannot_read_payables(api_as, book):
    for department in ("sales", "warehouse", "customer_service"):
        refused(api_as(department).get(PAYABLES), 403)
