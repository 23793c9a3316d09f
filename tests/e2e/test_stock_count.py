"""A warehouse clerk counts stock in the browser: starts a count, scans two barcodes into the
scan box (typing the code + Enter, as a scanner does), types one quantity, posts, and the
stock is right."""

from decimal import Decimal

import pytest

from apps.inventory.models import StockBalance, StockCount
from tests.factories import ProductFactory, UserFactory, WarehouseFactory
from tests.inventory.document_helpers import receive

from .conftest import screenshot
from .test_login_menus import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_clerk_scans_types_and_posts_a_count(new_page):
    warehouse = WarehouseFactory(code="SH01", name="上海总仓")
    clerk = UserFactory(username="clerk", full_name="王仓管", departments=["warehouse"], warehouses=[warehouse])
    water = ProductFactory(sku="SP000001", name="农夫山泉 饮用天然水", barcode="6921168509256")
    cola = ProductFactory(sku="SP000002", name="可口可乐 330ml", barcode="6901939621608")
    receive(clerk, water, warehouse, 5, 10)
    receive(clerk, cola, warehouse, 3, 20)
    page = new_page(locale="zh-CN")
    page.on("dialog", lambda dialog: dialog.accept())  # "Post the variances...?" asks once
    log_in(page, "clerk")

    # Start a count of the clerk's only warehouse (preselected).
    page.goto("/inventory/counts/new/")
    page.click("form.record-form button[type=submit]")
    page.wait_for_selector("#scan")
    count = StockCount.objects.get()
    assert page.evaluate("document.activeElement.id") == "scan"  # the cursor starts in the scan box

    # Scan: type each barcode and Enter. Each scan adds one without reloading the page.
    for code, sku in (("6921168509256", "SP000001"), ("6901939621608", "SP000002")):
        page.fill("#scan", code)
        page.press("#scan", "Enter")
        page.wait_for_selector(f"#last-scan .scan-ok:has-text('{sku}')")
    assert page.input_value("#scan") == ""
    assert page.evaluate("document.activeElement.id") == "scan"

    # Type a number for the water: it sets the count (the scan's 1 becomes 4).
    water_line = count.lines.get(product=water)
    box = page.locator(f"#count-line-{water_line.pk} input[name=counted_qty]")
    with page.expect_response(lambda response: response.url.endswith(f"/inventory/counts/{count.pk}/count/")):
        box.fill("4")
        box.press("Enter")
    page.wait_for_selector(f"#count-line-{water_line.pk} td.loss:has-text('-1')")
    cola_line = count.lines.get(product=cola)
    assert page.locator(f"#count-line-{cola_line.pk} td.loss").inner_text().strip() == "-2"
    screenshot(page, "e2e-stock-count-zh")

    # Post, and the stock follows the count.
    page.click("[data-post-count]")
    page.wait_for_selector(".page-head .badge-posted")

    assert StockBalance.objects.get(product=water, warehouse=warehouse).qty == Decimal(4)
    assert StockBalance.objects.get(product=cola, warehouse=warehouse).qty == Decimal(1)
    assert StockBalance.objects.get(product=water, warehouse=warehouse).value == Decimal("40.00")
    assert StockBalance.objects.get(product=cola, warehouse=warehouse).value == Decimal("20.00")
    count.refresh_from_db()
    assert count.status == "posted"
    screenshot(page, "e2e-stock-count-posted-zh")
