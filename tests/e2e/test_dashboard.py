"""A buyer opens the home page and reads the purchasing dashboard's chart (issue 7): the chart
is an accessible SVG carrying its figures, and the page fits 1366×768 without a horizontal
scroll bar."""

import pytest

from tests.books.support import freeze_today
from tests.dashboards.support import TODAY, business

from .conftest import screenshot
from .test_login_menus import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_buyer_opens_the_dashboard_chart(new_page, make_user, monkeypatch):
    freeze_today(monkeypatch, TODAY)
    world = business(make_user)
    page = new_page(locale="en")
    log_in(page, world["buyer"].username)

    panel = page.locator('section[data-panel="purchasing"]')
    chart = panel.locator('svg[role="img"]')
    assert chart.is_visible()
    assert chart.get_attribute("aria-label") == f"Goods in transit by supplier. {world['supplier'].name}: ¥902.50"
    assert panel.locator('[data-figure="awaiting-approval"]').inner_text() == "2"
    assert panel.locator('[data-figure="transit-value"]').inner_text() == "¥902.50"
    assert page.locator("section[data-panel]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(page, "dashboard-buyer")

    panel.locator('table[data-table="awaiting-approval"] a').first.click()
    page.wait_for_url(f"**/purchasing/orders/{world['po_a'].pk}/")
