"""Supplier performance from real documents (on-time rate, lead time, return rates; drafts and
cancelled documents never count) through the report API, and the supplier page: its products
(add, edit, delete), its performance over all time and the last 90 days, its documents."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.purchasing import services
from apps.purchasing.reports import supplier_performance
from apps.suppliers.models import SupplierProduct
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from tests.reports.helpers import D, free_receipt, order, pay, read_xlsx, receive, return_goods, same_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/supplier-performance/"
# Long enough ago to fall outside "the last 90 days" of the supplier page.
NOV = datetime.date(2025, 11, 1)


def day(n: int) -> datetime.date:
    return NOV + datetime.timedelta(days=n - 1)


@pytest.fixture
def deliveries(make_user):
    wh = WarehouseFactory(code="WH-A")
    buyer, manager = make_user("purchasing"), make_user("management")
    clerk = make_user("warehouse", warehouses=[wh])
    supplier = SupplierFactory(code="S1", name="甲")
    product = ProductFactory(sku="A")
    # On time: ordered 11-01 for 11-10, received 11-08 (7 days).
    first = order(buyer, manager, supplier, wh, [(product, 10, "10.00")], date=day(1), expected_date=day(10))
    receive(clerk, first, [10], date=day(8))
    # Late: ordered 11-02 for 11-05, received 11-12 (10 days).
    second = order(buyer, manager, supplier, wh, [(product, 30, "10.00")], date=day(2), expected_date=day(5))
    late = receive(clerk, second, [30], date=day(12))
    # Without an order: a receipt, but neither on time nor late and no lead time.
    free_receipt(clerk, supplier, wh, [(product, 10, "5.00")], date=day(15))
    # 5 of the late delivery go back (at 10.00).
    return_goods(clerk, late, [5], date=day(16))
    # Never counted: a cancelled order, a draft order, a cancelled receipt, a draft return.
    cancelled = order(buyer, manager, supplier, wh, [(product, 1, "1.00")], date=day(3))
    services.purchase_order_cancel(order=cancelled, user=buyer)
    services.purchase_order_create(
        user=buyer, supplier=supplier, warehouse=wh, date=day(3), lines=[{"product": product, "qty": D(1)}]
    )
    undone = free_receipt(clerk, supplier, wh, [(product, 99, "1.00")], date=day(9))
    services.purchase_receipt_cancel(receipt=undone, user=clerk)
    services.purchase_return_create(
        user=clerk,
        purchase_receipt=late,
        date=day(17),
        lines=[{"purchase_receipt_line": late.lines.get(), "qty": D(1)}],
    )
    return {"wh": wh, "supplier": supplier, "product": product, "clerk": clerk, "buyer": buyer, "manager": manager}


FIGURES = {
    "orders": 2,
    "receipts": 3,
    "on_time_receipts": 1,
    "due_receipts": 2,
    "on_time_rate": "0.5000",
    "avg_lead_time_days": "8.50",  # (7 + 10) / 2
    "received_qty": "50.0000",
    "received_value": "450.00",  # 100 + 300 + 50, without VAT
    "returned_qty": "5.0000",
    "returned_value": "50.00",
    "return_rate_qty": "0.1000",
    "return_rate_value": "0.1111",  # 50 / 450
}


def test_performance_from_posted_documents(api_as, deliveries):
    data = api_as("purchasing").get(URL).json()

    assert len(data["rows"]) == 1
    row = data["rows"][0]
    assert (row["supplier"], row["code"], row["name"]) == (deliveries["supplier"].pk, "S1", "甲")
    assert {key: row[key] for key in FIGURES} == FIGURES
    assert {key: data["totals"][key] for key in FIGURES} == FIGURES


def test_the_period_counts_documents_by_their_dates(api_as, deliveries):
    client = api_as("purchasing")

    row = client.get(URL, {"date_from": "2025-11-10", "date_to": "2025-11-30"}).json()["rows"][0]

    # Only the late receipt (11-12), the free one (11-15) and the return (11-16) fall in it.
    assert (row["orders"], row["receipts"], row["on_time_rate"], row["avg_lead_time_days"]) == (0, 2, "0.0000", "10.00")
    assert (row["received_qty"], row["returned_qty"], row["return_rate_qty"]) == ("40.0000", "5.0000", "0.1250")
    assert client.get(URL, {"date_to": "2025-10-31"}).json()["rows"] == []


def test_a_supplier_with_nothing_yet_reads_as_zeros_and_blanks(deliveries, make_user):
    idle = SupplierFactory(code="S9")

    row = supplier_performance(user=make_user("purchasing"), supplier=idle)["rows"][0]

    assert (row["code"], row["orders"], row["receipts"], row["received_qty"]) == ("S9", 0, 0, D(0))
    assert (row["on_time_rate"], row["avg_lead_time_days"], row["return_rate_qty"]) == (None, None, None)


def test_clerks_see_their_warehouses_documents_only(api_as, deliveries):
    assert api_as("warehouse", warehouses=[deliveries["wh"]]).get(URL).json()["rows"][0]["receipts"] == 3
    assert api_as("warehouse", warehouses=[WarehouseFactory()]).get(URL).json()["rows"] == []


@pytest.mark.parametrize(("department", "status"), [("purchasing", 200), ("warehouse", 200), ("finance", 200),
                                                    ("management", 200), ("sales", 403), ("customer_service", 403),
                                                    ("it_admin", 403)])  # fmt: skip
def test_performance_permissions(api_as, department, status):
    assert api_as(department).get(URL).status_code == status


def test_anonymous_gets_401(api_as):
    assert api_as(None).get(URL).status_code == 401


def test_performance_excel_equals_the_json_rows(api_as, deliveries):
    SupplierFactory(code="S0")
    client = api_as("purchasing")
    data = client.get(URL).json()

    header, sheet = read_xlsx(client.get(URL, {"format": "xlsx"}))

    keys = ["supplier", "code", "name", *FIGURES]
    assert header[:4] == ["Supplier ID", "Code", "Supplier", "Orders"]
    assert same_rows(data["rows"], sheet[:-1], keys)
    assert sheet[-1][2] == "Total"


# --- The supplier page -----------------------------------------------------------------------


def page_of(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def page_url(supplier):
    return f"/suppliers/{supplier.pk}/"


def test_the_supplier_page_shows_performance_all_time_and_last_90_days(client_as, deliveries):
    s = deliveries
    # A delivery within the last 90 days: ordered 20 days ago for 15 days ago, received 10 days ago.
    today = timezone.localdate()
    recent = order(
        s["buyer"],
        s["manager"],
        s["supplier"],
        s["wh"],
        [(s["product"], 4, "10.00")],
        date=today - datetime.timedelta(days=20),
        expected_date=today - datetime.timedelta(days=15),
    )
    receive(s["clerk"], recent, [4], date=today - datetime.timedelta(days=10))

    response = client_as("purchasing").get(page_url(s["supplier"]))

    assert response.status_code == 200
    card = response.context["scorecard"]
    assert (card["all_time"]["orders"], card["all_time"]["receipts"], card["all_time"]["received_qty"]) == (
        3,
        4,
        D(54),
    )
    assert card["all_time"]["on_time_rate"] == D("0.3333")  # 1 of 3 receipts against dated orders
    assert (card["recent"]["orders"], card["recent"]["receipts"], card["recent"]["on_time_rate"]) == (1, 1, D(0))
    assert (card["recent"]["received_qty"], card["recent"]["return_rate_qty"]) == (D(4), D(0))
    assert card["recent"]["avg_lead_time_days"] == D("10.00")
    html = response.content.decode()
    assert "Last 90 days" in html and "All time" in html
    assert "33.33%" in html


def test_the_supplier_page_lists_recent_documents_with_links(client_as, deliveries, make_user):
    s = deliveries
    pay(make_user("finance"), s["supplier"], "100.00", date=day(20))

    purchasing = client_as("purchasing").get(page_url(s["supplier"]))
    sections = {section["name"]: section for section in purchasing.context["documents"]}
    assert set(sections) == {"orders", "receipts", "returns"}  # buyers do not read payments
    assert len(sections["orders"]["rows"]) == 4  # incl. the draft and the cancelled one
    assert len(sections["receipts"]["rows"]) == 4
    first = sections["receipts"]["rows"][0]
    assert first["document"].date == day(15)
    # Linked to the documents' pages (once the purchasing pages exist).
    assert first["url"] == page_of("purchasing:receipt-detail", first["document"].pk)
    orders = page_of("purchasing:order-list")
    assert sections["orders"]["all_url"] == (orders and f"{orders}?supplier={s['supplier'].pk}")

    finance = client_as("finance").get(page_url(s["supplier"]))
    sections = {section["name"]: section for section in finance.context["documents"]}
    payment = sections["payments"]["rows"][0]
    assert (payment["amount"], payment["document"].status) == (D("100.00"), "posted")
    # owed: 113 + 339 + 56.50 − 56.50 (return) − 100 (paid)
    assert finance.context["owed"] == D("352.00")


def test_the_supplier_page_lists_its_products(client_as, deliveries):
    s = deliveries
    SupplierProduct.objects.filter(supplier=s["supplier"], product=s["product"]).update(
        is_preferred=True, lead_time_days=4, min_order_qty=D(12)
    )

    response = client_as("purchasing").get(page_url(s["supplier"]))

    rows = response.context["products"]
    assert len(rows) == 1
    item = rows[0]["item"]
    # The last price and date come from the latest posted receipt.
    assert (item.product.sku, item.last_price, item.last_purchase_date, item.lead_time_days) == ("A", D(5), day(15), 4)
    assert rows[0]["edit_url"] and rows[0]["delete_url"]
    assert "product_form" in response.context
    html = response.content.decode()
    assert "Preferred" in html and "¥5.00" in html


def test_a_receipt_dated_before_the_last_purchase_keeps_the_later_price(deliveries):
    s = deliveries
    link = SupplierProduct.objects.get(supplier=s["supplier"], product=s["product"])
    assert (link.last_price, link.last_purchase_date) == (D(5), day(15))

    free_receipt(s["clerk"], s["supplier"], s["wh"], [(s["product"], 1, "7.00")], date=day(14))
    link.refresh_from_db()
    assert (link.last_price, link.last_purchase_date) == (D(5), day(15))

    free_receipt(s["clerk"], s["supplier"], s["wh"], [(s["product"], 1, "6.00")], date=day(15))
    link.refresh_from_db()
    assert (link.last_price, link.last_purchase_date) == (D(6), day(15))


def test_buyers_add_edit_and_delete_a_suppliers_product(client_as, deliveries):
    s = deliveries
    supplier = s["supplier"]
    client = client_as("purchasing")
    tea = ProductFactory(sku="TEA-1", barcode="6900001")

    added = client.post(
        f"/suppliers/{supplier.pk}/products/new/",
        {
            "product": "6900001",
            "supplier_sku": "X-1",
            "lead_time_days": "3",
            "min_order_qty": "24",
            "is_preferred": "on",
        },
    )
    assert added.status_code == 302
    item = SupplierProduct.objects.get(supplier=supplier, product=tea)
    assert (item.supplier_sku, item.lead_time_days, item.min_order_qty, item.is_preferred) == ("X-1", 3, D(24), True)

    # A second preferred supplier for the product is refused next to the form, keeping the input.
    other = SupplierFactory()
    refused = client.post(
        f"/suppliers/{other.pk}/products/new/",
        {"product": "TEA-1", "lead_time_days": "5", "min_order_qty": "0", "is_preferred": "on"},
    )
    assert refused.status_code == 200
    assert "already has a preferred supplier" in refused.content.decode()
    assert not SupplierProduct.objects.filter(supplier=other).exists()
    unknown = client.post(f"/suppliers/{other.pk}/products/new/", {"product": "NOPE", "lead_time_days": "5"})
    assert "No active product has this SKU or barcode." in unknown.content.decode()

    edited = client.post(
        f"/suppliers/{supplier.pk}/products/{item.pk}/edit/",
        {"supplier_sku": "X-2", "lead_time_days": "6", "min_order_qty": "12"},
    )
    assert edited.status_code == 302
    item.refresh_from_db()
    assert (item.supplier_sku, item.lead_time_days, item.min_order_qty, item.is_preferred) == ("X-2", 6, D(12), False)

    assert client.get(f"/suppliers/{supplier.pk}/products/{item.pk}/delete/").status_code == 405
    deleted = client.post(f"/suppliers/{supplier.pk}/products/{item.pk}/delete/")
    assert deleted.status_code == 302
    assert not SupplierProduct.objects.filter(pk=item.pk).exists()


def test_a_product_of_another_supplier_is_404(client_as, deliveries):
    other = SupplierFactory()
    item = SupplierProduct.objects.get(supplier=deliveries["supplier"])

    response = client_as("purchasing").post(f"/suppliers/{other.pk}/products/{item.pk}/delete/")

    assert response.status_code == 404
    assert SupplierProduct.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("department", ["warehouse", "finance"])
def test_readers_cannot_change_a_suppliers_products(client_as, deliveries, department):
    supplier = deliveries["supplier"]
    item = SupplierProduct.objects.get(supplier=supplier)
    client = client_as(department, warehouses=[deliveries["wh"]])

    page = client.get(page_url(supplier))
    assert page.status_code == 200
    assert "product_form" not in page.context
    assert page.context["products"][0]["edit_url"] is None
    assert client.post(f"/suppliers/{supplier.pk}/products/new/", {"product": "A"}).status_code == 403
    assert client.post(f"/suppliers/{supplier.pk}/products/{item.pk}/edit/", {"lead_time_days": "1"}).status_code == 403
    assert client.post(f"/suppliers/{supplier.pk}/products/{item.pk}/delete/").status_code == 403
    item.refresh_from_db()
    assert item.lead_time_days == 7
    assert SupplierProduct.objects.filter(supplier=supplier).count() == 1
