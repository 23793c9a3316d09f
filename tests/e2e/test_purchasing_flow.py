"""The purchase loop in the browser: a buyer raises an order by scanning barcodes and typing
SKUs into the scan box and submits it; a manager approves it from the approval inbox; a clerk
picks it on the receiving screen, scans the goods as they are counted (barcode + Enter, as a
scanner types) and posts; the stock balances page shows the goods."""

from decimal import Decimal

import pytest

from apps.inventory.models import StockBalance
from apps.purchasing.models import PurchaseOrder, PurchaseReceipt
from tests.factories import ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

from .conftest import screenshot
from .test_login_menus import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATER, COLA, TEA = "6921168509256", "6901939621608", "6921168558049"


def open_as(new_page, username: str):
    """A browser page logged in as ``username`` that accepts the "are you sure?" questions."""
    page = new_page(locale="en")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, username)
    return page


def scan(page, code: str, product_pk: int, qty: str) -> None:
    """Type a code into the scan box and Enter; wait until the product's line shows ``qty``."""
    page.fill("#scan", code)
    page.press("#scan", "Enter")
    page.wait_for_selector(f"#lines tr[data-product='{product_pk}'] input[name=line-qty][value='{qty}']")


def test_order_approve_receive_by_scanning(new_page):
    warehouse = WarehouseFactory(code="SH01", name="上海总仓")
    supplier = SupplierFactory(code="S001", name="农夫山泉股份有限公司")
    water = ProductFactory(
        sku="SP000001", name="农夫山泉 饮用天然水 550ml", barcode=WATER, purchase_price=Decimal("1.20")
    )
    cola = ProductFactory(sku="SP000002", name="可口可乐 330ml", barcode=COLA, purchase_price=Decimal("2.50"))
    ProductFactory(sku="SP000003", name="东方树叶 绿茶", barcode=TEA)
    UserFactory(username="buyer", full_name="李采购", departments=["purchasing"])
    UserFactory(username="boss", full_name="张经理", departments=["management"])
    UserFactory(username="clerk", full_name="王仓管", departments=["warehouse"], warehouses=[warehouse])

    # --- the buyer raises the order ---------------------------------------------------------
    page = open_as(new_page, "buyer")
    page.goto("/purchasing/orders/new/")
    assert page.evaluate("document.activeElement.id") == "scan"  # the cursor starts in the scan box
    page.select_option("#id_supplier", str(supplier.pk))
    page.select_option("#id_warehouse", str(warehouse.pk))
    scan(page, WATER, water.pk, "1")
    scan(page, WATER, water.pk, "2")
    scan(page, WATER, water.pk, "3")
    scan(page, "sp000002", cola.pk, "1")  # a SKU typed into the scan box
    assert page.evaluate("document.activeElement.id") == "scan"
    cola_qty = page.locator(f"#lines tr[data-product='{cola.pk}'] input[name=line-qty]")
    cola_qty.fill("2")  # typing sets the quantity; the totals follow at once
    page.wait_for_function("document.querySelector('.doc-totals [data-total=total]').textContent === '¥9.72'")
    screenshot(page, "purchase-order-editor")
    page.click("button[name=_action][value=submit]")
    page.wait_for_selector(".page-head .badge-submitted")
    order = PurchaseOrder.objects.get()
    assert list(order.lines.values_list("product__sku", "qty", "unit_price")) == [
        ("SP000001", Decimal(3), Decimal("1.2")),
        ("SP000002", Decimal(2), Decimal("2.5")),
    ]
    assert (order.status, order.total) == ("submitted", Decimal("9.72"))  # (3.60 + 5.00) × 1.13

    # --- the manager approves it from the inbox ---------------------------------------------
    page = open_as(new_page, "boss")  # "Approve PO-...?" asks once
    page.goto("/purchasing/approvals/")
    page.click(f"form[action='/purchasing/orders/{order.pk}/approve/'] button")
    page.wait_for_selector("text=Nothing is waiting for your approval.")
    order.refresh_from_db()
    assert order.status == "approved"
    assert StockBalance.objects.get(product=water, warehouse=warehouse).ordered_qty == Decimal(3)

    # --- the clerk receives it, scanning the goods -------------------------------------------
    page = open_as(new_page, "clerk")  # "Post this document?" asks once
    page.goto("/purchasing/receipts/new/")
    page.click(f"a[href='?purchase_order={order.pk}']")
    page.wait_for_selector("#scan")
    assert page.evaluate("document.activeElement.id") == "scan"
    for qty in ("1", "2", "3"):
        scan(page, WATER, water.pk, qty)
    page.fill("#scan", TEA)  # not on the order: refused, nothing changes
    page.press("#scan", "Enter")
    page.wait_for_selector(f".grid-message:has-text('SP000003 东方树叶 绿茶 is not on {order.number}')")
    for qty in ("1", "2"):
        scan(page, COLA, cola.pk, qty)
    screenshot(page, "receiving")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".page-head .badge-posted")

    receipt = PurchaseReceipt.objects.get()
    assert (receipt.status, receipt.total) == ("posted", Decimal("9.72"))
    order.refresh_from_db()
    assert order.status == "received"

    # --- the stock balances page shows the goods ------------------------------------------------
    page.goto("/inventory/stock/balances/")
    water_row = page.locator("tr", has_text="SP000001")
    cola_row = page.locator("tr", has_text="SP000002")
    assert "3" in water_row.locator("td.num").all_inner_texts()
    assert "2" in cola_row.locator("td.num").all_inner_texts()
    assert StockBalance.objects.get(product=water, warehouse=warehouse).qty == Decimal(3)
    assert StockBalance.objects.get(product=cola, warehouse=warehouse).qty == Decimal(2)
    assert StockBalance.objects.get(product=water, warehouse=warehouse).ordered_qty == Decimal(0)
