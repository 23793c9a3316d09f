"""A warehouse clerk sees the alert bell with the unread count (loaded by htmx), opens the
notification centre from it with the keyboard, and marks the stock alert read."""

import pytest

from apps.notifications.services import notify_stock_alerts
from tests.factories import ProductFactory, UserFactory, WarehouseFactory
from tests.inventory.ledger_helpers import post

from .conftest import screenshot
from .test_login_menus import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_clerk_sees_the_alert_bell_and_reads_the_alert(new_page):
    warehouse = WarehouseFactory(code="SH01", name="上海总仓")
    clerk = UserFactory(username="clerk", departments=["warehouse"], warehouses=[warehouse])
    product = ProductFactory(sku="SP000001", name="农夫山泉", safety_stock=10)
    post(clerk, (product, warehouse, 4, 2))
    assert notify_stock_alerts()["notified"] == 1

    page = new_page(locale="en")
    log_in(page, "clerk")
    bell = page.locator("#notification-bell")
    bell.locator("[data-unread]").wait_for()
    assert bell.locator("[data-unread]").inner_text().strip() == "1"
    assert bell.get_attribute("aria-label") == "Notifications: 1 unread"
    screenshot(page, "notification-bell")

    bell.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/notifications/")
    assert "SP000001" in page.locator("table.notifications").inner_text()
    page.get_by_role("button", name="Mark read: ", exact=False).first.click()
    page.wait_for_url("**/notifications/")
    assert page.locator("tr.unread").count() == 0
    page.locator("#notification-bell").wait_for()
    assert page.locator("#notification-bell [data-unread]").count() == 0
