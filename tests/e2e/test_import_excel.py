"""A buyer imports products from Excel in the browser: downloads nothing, uploads a file with
one bad row (sees the row, column and message, nothing imported), corrects it, previews and
confirms; the products are there."""

import pytest

from apps.inventory.models import Product
from tests.factories import UnitFactory, UserFactory
from tests.imports.test_imports_api import PRODUCT_HEADER, product_row, xlsx

from .conftest import screenshot
from .test_login_menus import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_buyer_previews_corrects_and_imports_products(new_page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    UnitFactory(name="个")
    UserFactory(username="buyer", full_name="李采购", departments=["purchasing"])
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(xlsx([PRODUCT_HEADER, product_row(1), product_row(2, unit="盒"), product_row(3)]).read())
    good.write_bytes(xlsx([PRODUCT_HEADER, product_row(1), product_row(2), product_row(3)]).read())
    page = new_page(locale="en")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "buyer")

    page.click("nav.sidebar a[href='/imports/']")
    page.select_option("#id_kind", "products")
    page.set_input_files("#id_file", str(bad))
    page.click(".import-upload button[type=submit]")
    page.wait_for_selector(".import-errors")
    assert page.locator(".import-errors tbody tr").all_inner_texts() == ["3\tUnit 单位\tThere is no unit named 盒."]
    assert page.locator(".import-preview form").count() == 0
    screenshot(page, "e2e-import-errors-en")

    page.set_input_files("#id_file", str(good))
    page.click(".import-upload button[type=submit]")
    page.wait_for_selector(".import-preview form button")
    assert page.locator(".import-rows tbody tr").count() == 3
    assert Product.objects.count() == 0
    page.click(".import-preview form button")
    page.wait_for_selector("#import-progress .badge-done")
    screenshot(page, "e2e-import-done-en")

    assert sorted(Product.objects.values_list("sku", flat=True)) == ["P00001", "P00002", "P00003"]
