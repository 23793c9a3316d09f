"""The import pages: upload, preview with the row errors, confirm, the job's progress."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from apps.imports.models import ImportJob
from apps.inventory.models import Product
from tests.factories import UnitFactory

from .test_imports_api import PRODUCT_HEADER, bad_products_file, product_row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def browser(make_user, *departments, **kwargs) -> Client:
    client = Client()
    client.force_login(make_user(*departments, **kwargs))
    return client


def test_the_page_offers_the_kinds_the_user_may_import_and_is_in_the_menu(make_user):
    page = browser(make_user, "purchasing").get("/imports/")

    assert page.status_code == 200
    html = page.content.decode()
    assert [spec.kind for spec in page.context["kinds"]] == ["products", "suppliers"]
    assert 'href="/imports/templates/products/"' in html
    assert 'href="/imports/templates/customers/"' not in html
    assert 'href="/imports/"' in html  # the menu entry
    assert [spec.kind for spec in browser(make_user, "sales").get("/imports/").context["kinds"]] == ["customers"]


def test_departments_without_imports_get_403(make_user):
    assert browser(make_user, "finance").get("/imports/").status_code == 403
    assert browser(make_user, "customer_service").get("/imports/templates/customers/").status_code == 403


def test_the_template_downloads_from_the_page(make_user):
    response = browser(make_user, "warehouse").get("/imports/templates/opening_stock/")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["Warehouse code 仓库编码", "SKU 编码", "Quantity 数量", "Unit cost 单位成本"]


def test_a_bad_file_is_previewed_with_its_errors_and_cannot_be_confirmed(make_user):
    UnitFactory(name="个")
    client = browser(make_user, "purchasing")

    page = client.post("/imports/", {"kind": "products", "file": bad_products_file()})

    assert page.status_code == 200
    assert page.context["token"] == ""
    assert [(e["row"], e["column"]) for e in page.context["row_errors"]] == [
        (4, "Unit 单位"),
        (7, "Sale price 销售价"),
        (9, "Max stock 最高库存"),
    ]
    assert "There is no unit named 盒." in page.content.decode()
    assert [row["row"] for row in page.context["preview"]["preview"] if row["bad"]] == [4, 7, 9]
    assert Product.objects.count() == 0


def test_a_file_that_is_not_excel_shows_the_message_next_to_the_file(make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = browser(make_user, "purchasing").post(
        "/imports/", {"kind": "products", "file": SimpleUploadedFile("x.xlsx", b"not a workbook")}
    )

    assert page.status_code == 200
    assert page.context["form"].errors == {
        "file": ["The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."]
    }


def test_preview_then_confirm_imports_and_shows_the_finished_job(make_user):
    UnitFactory(name="个")
    client = browser(make_user, "purchasing")

    preview = client.post(
        "/imports/", {"kind": "products", "file": xlsx([PRODUCT_HEADER, product_row(1), product_row(2)])}
    )

    assert preview.context["preview"]["total_rows"] == 2
    first = preview.context["preview"]["preview"][0]
    assert [cell["text"] for cell in first["cells"]][:3] == ["P00001", "商品1", "个"]
    assert [cell["num"] for cell in first["cells"]][4:6] == [False, True]  # barcode text, purchase price number
    assert Product.objects.count() == 0
    token = preview.context["token"]
    confirmed = client.post("/imports/confirm/", {"token": token})
    job = ImportJob.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.total_rows, job.result) == ("done", 2, {"created": 2})
    assert Product.objects.count() == 2
    page = client.get(f"/imports/{job.pk}/")
    assert page.status_code == 200
    assert "2 records imported." in page.content.decode()
    assert 'href="/inventory/products/"' in page.content.decode()
    again = client.post("/imports/confirm/", {"token": token})
    assert again.status_code == 302
    assert again["Location"] == "/imports/"
    assert Product.objects.count() == 2


def test_a_queued_import_shows_a_progress_bar_that_polls_while_it_runs(make_user, settings):
    settings.JXC_IMPORT_SYNC_ROWS = 1
    UnitFactory(name="个")
    client = browser(make_user, "purchasing")
    preview = client.post(
        "/imports/", {"kind": "products", "file": xlsx([PRODUCT_HEADER, product_row(1), product_row(2)])}
    )

    client.post("/imports/confirm/", {"token": preview.context["token"]})  # queued on commit: not run here

    job = ImportJob.objects.get()
    assert job.status == "pending"
    fragment = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert f'hx-get="/imports/{job.pk}/progress/"' in fragment
    assert '<progress max="100" value="0"' in fragment
    ImportJob.objects.filter(pk=job.pk).update(status="running", done_rows=1)
    assert '<progress max="100" value="50"' in client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert browser(make_user, "purchasing").get(f"/imports/{job.pk}/").status_code == 404
