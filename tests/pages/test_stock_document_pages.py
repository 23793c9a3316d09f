"""Pages of stock adjustments, transfers and counts: the page flow a clerk follows (editor with a
scan box, save, post, cancel), the count screen's htmx endpoints, print and Excel, and who
may open what."""

import io
import re

import openpyxl
import pytest

from apps.inventory import services
from apps.inventory.models import StockAdjustment, StockBalance, StockCount, StockLedgerEntry, StockTransfer
from tests.factories import ProductFactory, UserFactory, WarehouseFactory
from tests.inventory.document_helpers import receive, stock
from tests.inventory.ledger_helpers import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def sh():
    return WarehouseFactory(code="SH01", name="上海总仓")


@pytest.fixture
def sz():
    return WarehouseFactory(code="SZ01", name="苏州分仓")


@pytest.fixture
def clerk_client(client_as, sh, sz):
    return client_as("warehouse", warehouses=[sh, sz])


@pytest.fixture
def water():
    return ProductFactory(sku="SP0001", name="矿泉水", barcode="6901234567892", purchase_price=D("2.00"))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return re.findall(r'<li class="msg msg-\w+">([^<]*)</li>', response.content.decode())


# --- the adjustment editor ------------------------------------------------------------------


def test_a_clerk_creates_and_posts_an_adjustment_through_the_pages(clerk_client, sh, water):
    receive(clerk_client.user, water, sh, 10, "2.50")

    # the empty editor: the cursor starts in the scan box
    page = clerk_client.get("/inventory/adjustments/new/")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*id="scan"[^>]*autofocus', page.content.decode())

    # scanning the barcode twice: a line, then +1 on it, with the stock beside it
    form = {"warehouse": sh.pk, "reason": "found", "date": "2026-11-22", "note": "", "scan": "6901234567892"}
    grid = clerk_client.post("/inventory/adjustments/grid/", form)
    assert grid.status_code == 200
    assert re.findall(r'name="line-qty" value="([^"]*)"', grid.content.decode()) == ["1"]
    form |= {"line-product": [water.pk], "line-qty": ["1"], "line-unit_cost": [""]}
    grid = clerk_client.post("/inventory/adjustments/grid/", form)
    html = grid.content.decode()
    assert re.findall(r'name="line-qty" value="([^"]*)"', html) == ["2"]
    assert 'placeholder="2.5"' in html  # the average cost an empty unit cost would take
    assert ">10<" in html  # on hand

    # save as a draft, then post from the editor
    saved = clerk_client.post("/inventory/adjustments/new/", form | {"line-qty": ["3"], "_action": "save"})
    adjustment = StockAdjustment.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == f"/inventory/adjustments/{adjustment.pk}/edit/"
    assert adjustment.status == "draft"
    assert list(adjustment.lines.values_list("qty", "unit_cost")) == [(D(3), None)]
    reopened = clerk_client.get(saved["Location"])
    assert messages_of(reopened) == [f"{adjustment.number} was saved as a draft."]
    assert re.findall(r'name="line-qty" value="([^"]*)"', reopened.content.decode()) == ["3"]

    posted = clerk_client.post(
        f"/inventory/adjustments/{adjustment.pk}/edit/", form | {"line-qty": ["3"], "_action": "post"}, follow=True
    )
    adjustment.refresh_from_db()
    assert adjustment.status == "posted"
    assert stock(water, sh) == (D(13), D("32.50"))
    assert messages_of(posted) == [f"{adjustment.number} was posted."]
    assert posted.request["PATH_INFO"] == f"/inventory/adjustments/{adjustment.pk}/"
    body = text(posted)
    assert "badge-posted" in body
    assert "¥7.50" in body  # the entry it wrote: 3 × 2.50


def test_posting_more_than_on_hand_keeps_the_draft_and_says_why_with_the_numbers(clerk_client, sh, water):
    receive(clerk_client.user, water, sh, 2, 1)
    form = {
        "warehouse": sh.pk,
        "reason": "scrap",
        "date": "2026-11-22",
        "line-product": [water.pk],
        "line-qty": ["-5"],
        "line-unit_cost": [""],
        "_action": "post",
    }

    response = clerk_client.post("/inventory/adjustments/new/", form, follow=True)

    adjustment = StockAdjustment.objects.get()
    assert adjustment.status == "draft"
    assert messages_of(response) == [
        f"{adjustment.number} was saved as a draft but not posted: Not enough stock: SP0001 矿泉水 in SH01 上海总仓: "
        "on hand 2, requested 5."
    ]
    assert StockLedgerEntry.objects.filter(source_type="stock_adjustment").count() == 0
    assert stock(water, sh) == (D(2), D("2.00"))


def test_bad_lines_stay_on_the_page_with_their_message(clerk_client, sh, water):
    form = {
        "warehouse": sh.pk,
        "reason": "found",
        "date": "2026-11-22",
        "line-product": [water.pk, water.pk],
        "line-qty": ["0", "abc"],
        "line-unit_cost": ["", ""],
    }

    response = clerk_client.post("/inventory/adjustments/new/", form)

    assert response.status_code == 400
    assert "Line 2: “abc” is not a number." in text(response)
    assert re.findall(r'name="line-qty" value="([^"]*)"', response.content.decode()) == ["0", "abc"]
    response = clerk_client.post("/inventory/adjustments/new/", form | {"line-qty": ["0", "1"]})
    assert response.status_code == 400
    assert "Line 1: the quantity must not be zero" in text(response)
    assert StockAdjustment.objects.count() == 0


def test_the_scan_box_finds_by_sku_or_offers_candidates(clerk_client, sh, water):
    ProductFactory(sku="SP0002", name="矿泉水 大瓶")
    base = {"warehouse": sh.pk, "reason": "found"}

    by_sku = clerk_client.post("/inventory/adjustments/grid/", base | {"scan": "sp0001"})
    several = clerk_client.post("/inventory/adjustments/grid/", base | {"scan": "矿泉水"})
    unknown = clerk_client.post("/inventory/adjustments/grid/", base | {"scan": "nothing"})
    picked = clerk_client.post("/inventory/adjustments/grid/", base | {"pick": water.pk})

    assert re.findall(r'name="line-product" value="(\d+)"', by_sku.content.decode()) == [str(water.pk)]
    assert "Several products match “矿泉水”: pick one." in text(several)
    assert text(several).count('class="btn candidate"') == 2
    assert "No product has the barcode or SKU “nothing”." in text(unknown)
    assert re.findall(r'name="line-product" value="(\d+)"', picked.content.decode()) == [str(water.pk)]


def test_cancel_a_posted_adjustment_from_its_page(clerk_client, sh, water):
    adjustment = services.stock_adjustment_create(
        user=clerk_client.user, warehouse=sh, reason="found", lines=[{"product": water, "qty": D(4)}]
    )
    services.stock_adjustment_post(adjustment=adjustment, user=clerk_client.user)

    response = clerk_client.post(f"/inventory/adjustments/{adjustment.pk}/cancel/", follow=True)

    adjustment.refresh_from_db()
    assert adjustment.status == "cancelled"
    assert messages_of(response) == [f"{adjustment.number} was cancelled."]
    assert stock(water, sh) == (D(0), D("0.00"))
    assert text(response).count('class="reversal"') == 1
    again = clerk_client.post(f"/inventory/adjustments/{adjustment.pk}/cancel/", follow=True)
    assert messages_of(again) == [f"{adjustment.number} is Cancelled: it cannot be cancelled."]


def test_a_posted_document_is_read_only(clerk_client, sh, water):
    adjustment = services.stock_adjustment_create(
        user=clerk_client.user, warehouse=sh, reason="found", lines=[{"product": water, "qty": D(4)}]
    )
    services.stock_adjustment_post(adjustment=adjustment, user=clerk_client.user)

    edit = clerk_client.get(f"/inventory/adjustments/{adjustment.pk}/edit/")
    post_edit = clerk_client.post(
        f"/inventory/adjustments/{adjustment.pk}/edit/",
        {"warehouse": sh.pk, "reason": "found", "line-product": [water.pk], "line-qty": ["9"]},
    )

    assert edit.status_code == 302
    assert edit["Location"] == f"/inventory/adjustments/{adjustment.pk}/"
    assert post_edit.status_code == 302
    assert adjustment.lines.get().qty == D(4)


def test_list_filters_and_status_badges(clerk_client, sh, water):
    draft = services.stock_adjustment_create(
        user=clerk_client.user, warehouse=sh, reason="found", lines=[{"product": water, "qty": D(1)}]
    )
    posted = services.stock_adjustment_create(
        user=clerk_client.user, warehouse=sh, reason="found", lines=[{"product": water, "qty": D(2)}]
    )
    services.stock_adjustment_post(adjustment=posted, user=clerk_client.user)

    everything = text(clerk_client.get("/inventory/adjustments/"))
    only_posted = text(clerk_client.get("/inventory/adjustments/?status=posted"))

    assert draft.number in everything and posted.number in everything
    assert 'class="badge badge-draft"' in everything and 'class="badge badge-posted"' in everything
    assert posted.number in only_posted and draft.number not in only_posted
    assert 'placeholder="YYYY-MM-DD"' in everything
    assert "/api/v1/stock-adjustments/?format=xlsx" in everything


def test_print_view_has_the_number_barcode_and_signature_lines(clerk_client, sh, water):
    adjustment = services.stock_adjustment_create(
        user=clerk_client.user, warehouse=sh, reason="found", lines=[{"product": water, "qty": D(1)}]
    )

    response = clerk_client.get(f"/inventory/adjustments/{adjustment.pk}/print/")

    body = text(response)
    assert response.status_code == 200
    assert adjustment.number in body
    assert f'aria-label="{adjustment.number}"' in body  # the Code 128 barcode
    assert body.count('class="signature"') == 3
    assert 'class="sidebar"' not in body


# --- transfers ------------------------------------------------------------------------------


def test_a_transfer_through_the_pages(clerk_client, sh, sz, water):
    receive(clerk_client.user, water, sh, 10, 3)
    form = {
        "from_warehouse": sh.pk,
        "to_warehouse": sz.pk,
        "date": "2026-11-22",
        "line-product": [water.pk],
        "line-qty": ["4"],
        "_action": "post",
    }

    clerk_client.post("/inventory/transfers/new/", form)

    transfer = StockTransfer.objects.get()
    assert transfer.status == "posted"
    assert stock(water, sz) == (D(4), D("12.00"))
    same = clerk_client.post("/inventory/transfers/new/", form | {"to_warehouse": sh.pk})
    assert same.status_code == 400
    assert "A transfer goes to a different warehouse than it comes from." in text(same)


# --- counts ---------------------------------------------------------------------------------


@pytest.fixture
def count(clerk_client, sh, water):
    receive(clerk_client.user, water, sh, 10, 5)
    StockBalance.objects.filter(product=water, warehouse=sh).update(location="A-01")
    return services.stock_count_create(user=clerk_client.user, warehouse=sh)


def test_start_a_count_from_its_page(clerk_client, sh, water):
    receive(clerk_client.user, water, sh, 10, 5)

    response = clerk_client.post("/inventory/counts/new/", {"warehouse": sh.pk, "date": "2026-11-22"})

    count = StockCount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inventory/counts/{count.pk}/"
    assert count.lines.count() == 1
    screen = text(clerk_client.get(response["Location"]))
    assert 'id="scan"' in screen and "SP0001" in screen and "A-01" not in screen  # no location set yet


def test_a_scan_through_the_htmx_endpoint_adds_one(clerk_client, count, water):
    first = clerk_client.post(
        f"/inventory/counts/{count.pk}/scan/", {"barcode": "6901234567892"}, HTTP_HX_REQUEST="true"
    )
    second = clerk_client.post(
        f"/inventory/counts/{count.pk}/scan/", {"barcode": "6901234567892"}, HTTP_HX_REQUEST="true"
    )

    line = count.lines.get()
    assert (line.counted_qty, line.system_qty) == (D(2), D(10))
    assert first.status_code == second.status_code == 200
    body = text(second)
    assert 'class="last-scan scan-ok"' in body
    assert f'id="count-line-{line.pk}" hx-swap-oob="outerHTML"' in body  # the row, out of band
    assert 'id="count-summary" class="count-summary" hx-swap-oob="true"' in body
    assert 'class="num loss">-8<' in body


def test_an_unknown_barcode_says_so_and_changes_nothing(clerk_client, count):
    response = clerk_client.post(f"/inventory/counts/{count.pk}/scan/", {"barcode": "000"})

    assert "No product has the barcode or SKU “000”." in text(response)
    assert count.lines.get().counted_qty is None


def test_typing_a_number_sets_the_count(clerk_client, count, water):
    clerk_client.post(f"/inventory/counts/{count.pk}/scan/", {"barcode": "6901234567892"})

    response = clerk_client.post(f"/inventory/counts/{count.pk}/count/", {"product": water.pk, "counted_qty": "8"})
    bad = clerk_client.post(f"/inventory/counts/{count.pk}/count/", {"product": water.pk, "counted_qty": "eight"})

    assert count.lines.get().counted_qty == D(8)
    assert 'value="8"' in text(response)
    assert "“eight” is not a number." in text(bad)
    stray = ProductFactory(sku="STRAY")
    assert (
        clerk_client.post(f"/inventory/counts/{count.pk}/count/", {"product": "x", "counted_qty": "1"}).status_code
        == 400
    )
    assert (
        clerk_client.post(f"/inventory/counts/{count.pk}/count/", {"product": stray.pk, "counted_qty": "?"}).status_code
        == 400
    )
    assert count.lines.count() == 1


def test_post_a_count_from_its_screen(clerk_client, count, water, sh):
    clerk_client.post(f"/inventory/counts/{count.pk}/count/", {"product": water.pk, "counted_qty": "8"})
    receive(clerk_client.user, water, sh, 5, 5)

    response = clerk_client.post(f"/inventory/counts/{count.pk}/post/", follow=True)

    assert messages_of(response) == [f"{count.number} was posted."]
    assert stock(water, sh) == (D(13), D("65.00"))
    assert 'class="badge badge-posted"' in text(response)


def test_count_sheet_print_and_excel(clerk_client, count, water):
    clerk_client.post(f"/inventory/counts/{count.pk}/count/", {"product": water.pk, "counted_qty": "8"})

    printed = text(clerk_client.get(f"/inventory/counts/{count.pk}/print/"))
    excel = clerk_client.get(f"/inventory/counts/{count.pk}/sheet.xlsx")

    assert "A-01" in printed and "SP0001" in printed and "6901234567892" in printed
    rows = list(openpyxl.load_workbook(io.BytesIO(excel.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Line",
        "Location",
        "SKU",
        "Name",
        "Specification",
        "Unit",
        "Barcode",
        "Counted",
        "System quantity",
        "Variance",
    )
    assert rows[1] == (1, "A-01", "SP0001", "矿泉水", None, "个", "6901234567892", 8, 10, -2)


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "adjustments", "transfers", "counts", "new_adjustment"),
    [
        ("warehouse", 200, 200, 200, 200),
        ("management", 200, 200, 200, 200),
        ("finance", 200, 200, 200, 403),
        ("purchasing", 403, 200, 403, 403),
        ("sales", 403, 200, 403, 403),
        ("customer_service", 403, 403, 403, 403),
        ("it_admin", 403, 403, 403, 403),
    ],
)
def test_who_may_open_the_pages(client_as, department, adjustments, transfers, counts, new_adjustment):
    client = client_as(department)

    assert client.get("/inventory/adjustments/").status_code == adjustments
    assert client.get("/inventory/transfers/").status_code == transfers
    assert client.get("/inventory/counts/").status_code == counts
    assert client.get("/inventory/adjustments/new/").status_code == new_adjustment


def test_a_clerk_cannot_open_or_post_another_warehouses_document(client_as, water):
    elsewhere = WarehouseFactory(code="BJ01")
    boss = UserFactory(departments=["management"])
    adjustment = services.stock_adjustment_create(
        user=boss, warehouse=elsewhere, reason="found", lines=[{"product": water, "qty": D(1)}]
    )
    client = client_as("warehouse", warehouses=[WarehouseFactory(code="SH09")])

    assert client.get(f"/inventory/adjustments/{adjustment.pk}/").status_code == 404
    assert client.post(f"/inventory/adjustments/{adjustment.pk}/post/").status_code == 404
    adjustment.refresh_from_db()
    assert adjustment.status == "draft"


def test_posting_into_an_unscoped_warehouse_from_the_editor_is_403(clerk_client, water):
    elsewhere = WarehouseFactory(code="BJ01")
    form = {"warehouse": elsewhere.pk, "reason": "found", "line-product": [water.pk], "line-qty": ["1"]}

    response = clerk_client.post("/inventory/adjustments/new/", form)

    # The picker offers only the clerk's warehouses, so the form refuses it first.
    assert response.status_code == 400
    assert StockAdjustment.objects.count() == 0


def test_anonymous_users_go_to_the_login_page(client_as):
    for url in ("/inventory/adjustments/", "/inventory/transfers/new/", "/inventory/counts/new/"):
        response = client_as(None).get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


def test_the_inventory_menu(client_as):
    nav = re.search(r'<nav class="sidebar".*?</nav>', client_as("warehouse").get("/").content.decode(), re.S).group(0)

    assert "Stock adjustments" in nav and "Transfers" in nav and "Stock counts" in nav
    sales_nav = re.search(r'<nav class="sidebar".*?</nav>', client_as("sales").get("/").content.decode(), re.S).group(0)
    assert "Transfers" in sales_nav and "Stock adjustments" not in sales_nav


def test_a_list_filters_by_the_warehouses_its_reader_sees(client_as, sh):
    other = WarehouseFactory(code="ZZ99")
    finance = client_as("finance")  # reads every warehouse, operates none
    clerk = client_as("warehouse", warehouses=[sh])

    finance_page = finance.get("/inventory/adjustments/").content.decode()
    clerk_page = clerk.get("/inventory/adjustments/").content.decode()

    assert f'<option value="{sh.pk}"' in finance_page and f'<option value="{other.pk}"' in finance_page
    assert f'<option value="{sh.pk}"' in clerk_page and f'<option value="{other.pk}"' not in clerk_page
