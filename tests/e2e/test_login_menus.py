"""A warehouse clerk logs in in Chinese and a buyer in English; each sees their own menu."""

import pytest

from tests.factories import ProductFactory, UserFactory, WarehouseFactory

from .conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"  # tests/factories.py


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/login/"))


def menu_labels(page) -> list[str]:
    return [label.strip() for label in page.locator("nav.sidebar a").all_inner_texts()]


def test_a_clerk_logs_in_in_chinese_and_sees_the_warehouse_menu(new_page):
    warehouse = WarehouseFactory(code="SH01", name="上海总仓")
    UserFactory(username="clerk", full_name="王仓管", departments=["warehouse"], warehouses=[warehouse])
    ProductFactory(sku="SP000001", name="农夫山泉 饮用天然水")
    page = new_page(locale="zh-CN")

    page.goto("/login/")
    assert page.locator(".login button[type=submit]").inner_text().strip() == "登录"
    log_in(page, "clerk")

    assert menu_labels(page)[:7] == ["首页", "商品", "商品类别", "计量单位", "仓库", "供应商", "客户"]
    # and the warehouse's documents (their labels are translated with the rest at the end)
    for url in ("/inventory/adjustments/", "/inventory/transfers/", "/inventory/counts/"):
        assert page.locator(f'nav.sidebar a[href="{url}"]').count() == 1
    assert "王仓管" in page.locator("body").inner_text()
    page.click("nav.sidebar >> text=商品")
    assert page.locator("table").inner_text().count("农夫山泉 饮用天然水") == 1
    assert page.locator("text=新建").count() == 0  # a clerk does not create products
    screenshot(page, "e2e-clerk-products-zh")


def test_a_buyer_switches_to_english_and_sees_the_purchasing_menu(new_page):
    UserFactory(username="buyer", full_name="Li Buyer", departments=["purchasing"])
    page = new_page(locale="zh-CN")

    page.goto("/login/")
    page.click("text=English")
    page.wait_for_selector(".login button:has-text('Log in')")
    log_in(page, "buyer")

    labels = menu_labels(page)
    assert labels[:9] == [
        "Home",
        "Products",
        "Categories",
        "Units",
        "Warehouses",
        "Suppliers",
        "Import from Excel",
        "Stock balances",
        "Stock card",
    ]
    # Then the Purchasing group, and of Finance what a buyer may read: the payables.
    assert "Purchase plan" in labels and "Payables" in labels
    assert "Customers" not in labels and "Audit trail" not in labels and "Supplier payments" not in labels
    page.click("nav.sidebar >> text=Products")
    assert page.locator("a:has-text('New')").count() == 1
    screenshot(page, "e2e-buyer-products-en")
