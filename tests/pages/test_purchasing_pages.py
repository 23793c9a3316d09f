"""Purchasing pages: a buyer raises an order in the editor (scan box, prices, VAT), another
approves it from the inbox, a clerk receives it on the receiving screen, goods go back on a
return — each step through the pages, with the stock, order, and payable numbers exact; bad
input and business refusals keep what was typed; who may open what."""

import datetime
import re
from decimal import Decimal

import pytest

from apps.finance.models import Payable
from apps.inventory.models import StockBalance
from apps.purchasing import services
from apps.purchasing.models import PurchaseOrder, PurchaseReceipt, PurchaseReturn
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def sh():
    return WarehouseFactory(code="SH01", name="上海总仓")


@pytest.fixture
def supplier():
    return SupplierFactory(code="S001", name="农夫山泉", payment_terms_days=30)


@pytest.fixture
def water():
    return ProductFactory(sku="SP0001", name="矿泉水", barcode="6901234567892", purchase_price=D("10.00"))


@pytest.fixture
def cola():
    return ProductFactory(sku="SP0002", name="可乐", barcode="6901939621608", purchase_price=D("2.50"))


@pytest.fixture
def buyer(client_as):
    return client_as("purchasing")


@pytest.fixture
def approver(client_as):
    return client_as("purchasing")


@pytest.fixture
def clerk(client_as, sh):
    return client_as("warehouse", warehouses=[sh])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return re.findall(r'<li class="msg msg-\w+">([^<]*)</li>', response.content.decode())


def inputs(response, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}" value="([^"]*)"', response.content.decode())


def balance(product, warehouse) -> tuple[Decimal, Decimal, Decimal]:
    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (row.qty, row.value, row.ordered_qty) if row else (D(0), D(0), D(0))


def order_form(supplier, warehouse, **extra) -> dict:
    return {
        "supplier": supplier.pk,
        "warehouse": warehouse.pk,
        "date": "2026-11-02",
        "expected_date": "2026-11-09",
        "note": "",
        **extra,
    }


def receiving_form(order, *qtys: str, **extra) -> dict:
    """What the receiving screen posts for ``order``: its lines with the quantities typed."""
    lines = list(order.lines.order_by("line_no"))
    return {
        "purchase_order": order.pk,
        "line-product": [line.product_id for line in lines],
        "line-purchase_order_line": [line.pk for line in lines],
        "line-qty": list(qtys),
        "line-unit_cost": [""] * len(lines),
        "line-tax_rate": [""] * len(lines),
        **extra,
    }


def make_order(user, supplier, warehouse, lines, *, approve_by=None):
    order = services.purchase_order_create(
        user=user,
        supplier=supplier,
        warehouse=warehouse,
        date=DAY,
        lines=[{"product": p, "qty": D(q), "unit_price": D(price), "tax_rate": D("0.13")} for p, q, price in lines],
    )
    if approve_by is not None:
        order = services.purchase_order_submit(order=order, user=user)
        order = services.purchase_order_approve(order=order, user=approve_by)
    return order


@pytest.fixture
def approved(buyer, approver, supplier, sh, water):
    """PO: 100 water @ 10.00 + 13% VAT, approved."""
    return make_order(buyer.user, supplier, sh, [(water, "100", "10.00")], approve_by=approver.user)


# --- the buyer's editor ------------------------------------------------------------------------


def test_a_buyer_scans_lines_into_a_new_order_and_submits_it(buyer, supplier, sh, water, cola):
    page = buyer.get("/purchasing/orders/new/")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*id="scan"[^>]*autofocus', page.content.decode())

    # a barcode adds the product at its purchase price and VAT rate; the same barcode again is +1
    form = order_form(supplier, sh, scan="6901234567892")
    grid = buyer.post("/purchasing/orders/grid/", form)
    assert inputs(grid, "line-qty") == ["1"]
    assert inputs(grid, "line-unit_price") == ["10"]
    assert inputs(grid, "line-tax_rate") == ["13"]
    form |= {"line-product": [water.pk], "line-qty": ["1"], "line-unit_price": ["10"], "line-tax_rate": ["13"]}
    grid = buyer.post("/purchasing/orders/grid/", form)
    assert inputs(grid, "line-qty") == ["2"]
    assert "¥20.00" in text(grid) and "¥2.60" in text(grid)  # net and VAT of 2 × 10.00

    # a SKU typed into the scan box adds another line
    form["scan"] = "sp0002"
    grid = buyer.post("/purchasing/orders/grid/", form)
    assert re.findall(r'name="line-product" value="(\d+)"', grid.content.decode()) == [str(water.pk), str(cola.pk)]

    # save the draft with 100 water @ 10.00 and 40 cola @ 2.40 (typed over the 2.50 default)
    lines = {
        "line-product": [water.pk, cola.pk],
        "line-qty": ["100", "40"],
        "line-unit_price": ["10", "2.4"],
        "line-tax_rate": ["13", "9"],
    }
    saved = buyer.post("/purchasing/orders/new/", order_form(supplier, sh, **lines, _action="save"))
    order = PurchaseOrder.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/purchasing/orders/{order.pk}/edit/"
    assert order.status == "draft"
    assert list(order.lines.values_list("product__sku", "qty", "unit_price", "tax_rate")) == [
        ("SP0001", D(100), D(10), D("0.13")),
        ("SP0002", D(40), D("2.4"), D("0.09")),
    ]
    assert (order.total_net, order.total_tax, order.total) == (D("1096.00"), D("138.64"), D("1234.64"))
    reopened = buyer.get(saved["Location"])
    assert inputs(reopened, "line-tax_rate") == ["13", "9"]
    assert "¥1,234.64" in text(reopened)  # the running total

    # submit from the editor: saved, then submitted
    submitted = buyer.post(saved["Location"], order_form(supplier, sh, **lines, _action="submit"), follow=True)
    order.refresh_from_db()
    assert order.status == "submitted"
    assert messages_of(submitted) == [f"{order.number} was submitted for approval."]
    assert submitted.request["PATH_INFO"] == f"/purchasing/orders/{order.pk}/"
    body = text(submitted)
    assert 'class="badge badge-submitted"' in body
    assert "You created this order: someone else approves it." in body
    assert balance(water, sh) == (D(0), D(0), D(0))  # nothing counts as ordered before approval


def test_bad_input_keeps_what_was_typed_and_writes_nothing(buyer, supplier, sh, water):
    lines = {"line-product": [water.pk], "line-qty": ["abc"], "line-unit_price": ["10"], "line-tax_rate": ["13"]}

    not_a_number = buyer.post("/purchasing/orders/new/", order_form(supplier, sh, **lines))
    no_supplier = buyer.post("/purchasing/orders/new/", order_form(supplier, sh, **lines) | {"supplier": ""})
    negative = buyer.post("/purchasing/orders/new/", order_form(supplier, sh, **lines) | {"line-qty": ["-3"]})

    assert not_a_number.status_code == no_supplier.status_code == negative.status_code == 400
    assert "Line 1: “abc” is not a number." in text(not_a_number)
    assert inputs(not_a_number, "line-qty") == ["abc"]
    assert re.search(r'class="field has-error required">\s*<label for="id_supplier"', no_supplier.content.decode())
    assert "This field is required." in text(no_supplier)
    assert "Line 1: qty: Ensure this value is greater than or equal to 0.0001." in text(negative)
    assert inputs(negative, "line-qty") == ["-3"]
    assert PurchaseOrder.objects.count() == 0


# --- approval ----------------------------------------------------------------------------------


def test_another_buyer_approves_from_the_inbox(buyer, approver, supplier, sh, water):
    order = make_order(buyer.user, supplier, sh, [(water, "100", "10.00")])
    services.purchase_order_submit(order=order, user=buyer.user)

    inbox = approver.get("/purchasing/approvals/")
    assert order.number in text(inbox)
    assert order.number not in text(buyer.get("/purchasing/approvals/"))  # not one's own

    done = approver.post(f"/purchasing/orders/{order.pk}/approve/", {"next": "/purchasing/approvals/"}, follow=True)

    order.refresh_from_db()
    assert order.status == "approved"
    assert order.approved_by == approver.user
    assert done.request["PATH_INFO"] == "/purchasing/approvals/"
    assert messages_of(done) == [f"{order.number} was approved."]
    assert "Nothing is waiting for your approval." in text(done)
    assert balance(water, sh) == (D(0), D(0), D(100))


def test_approving_ones_own_order_shows_the_sentence_and_changes_nothing(buyer, supplier, sh, water):
    order = make_order(buyer.user, supplier, sh, [(water, "100", "10.00")])
    services.purchase_order_submit(order=order, user=buyer.user)

    response = buyer.post(f"/purchasing/orders/{order.pk}/approve/", follow=True)

    order.refresh_from_db()
    assert order.status == "submitted"
    assert messages_of(response) == [f"You created {order.number}: someone else has to approve it."]
    assert balance(water, sh) == (D(0), D(0), D(0))


def test_above_the_threshold_only_management_approves(buyer, approver, client_as, supplier, sh, water, settings):
    settings.JXC_PO_APPROVAL_THRESHOLD = "1000"
    order = make_order(buyer.user, supplier, sh, [(water, "100", "10.00")])  # 1,130.00 with VAT
    services.purchase_order_submit(order=order, user=buyer.user)
    manager = client_as("management")

    assert order.number not in text(approver.get("/purchasing/approvals/"))
    assert "management approves it" in text(approver.get(f"/purchasing/orders/{order.pk}/"))
    refused = approver.post(f"/purchasing/orders/{order.pk}/approve/")
    order.refresh_from_db()
    assert refused.status_code == 403
    assert order.status == "submitted"

    assert order.number in text(manager.get("/purchasing/approvals/"))
    manager.post(f"/purchasing/orders/{order.pk}/approve/")
    order.refresh_from_db()
    assert order.status == "approved"
    assert balance(water, sh) == (D(0), D(0), D(100))


def test_send_back_with_a_reason_returns_the_order_to_its_buyer(buyer, approver, supplier, sh, water):
    order = make_order(buyer.user, supplier, sh, [(water, "5", "10.00")])
    services.purchase_order_submit(order=order, user=buyer.user)

    approver.post(f"/purchasing/orders/{order.pk}/reject/", {"reason": "价格太高"})

    order.refresh_from_db()
    assert order.status == "draft"
    assert order.note == "Sent back: 价格太高"
    editor = buyer.get(f"/purchasing/orders/{order.pk}/", follow=True)
    assert editor.request["PATH_INFO"] == f"/purchasing/orders/{order.pk}/edit/"
    assert inputs(editor, "line-qty") == ["5"]


# --- receiving ---------------------------------------------------------------------------------


def test_a_clerk_picks_the_order_scans_and_posts_a_receipt(clerk, approved, supplier, sh, water, cola):
    picker = clerk.get("/purchasing/receipts/new/")
    assert approved.number in text(picker)
    scanned_number = clerk.get(f"/purchasing/receipts/new/?q={approved.number}")
    assert scanned_number["Location"] == f"/purchasing/receipts/new/?purchase_order={approved.pk}"

    screen = clerk.get(scanned_number["Location"])
    line = approved.lines.get()
    assert inputs(screen, "line-qty") == ["0"]
    assert inputs(screen, "line-purchase_order_line") == [str(line.pk)]
    assert re.search(r'<input[^>]*id="scan"[^>]*autofocus', screen.content.decode())

    form = receiving_form(approved, "0", warehouse=sh.pk, date="2026-11-03", supplier_reference="DN-778")
    scanned = clerk.post("/purchasing/receipts/grid/", form | {"scan": "6901234567892"})
    assert inputs(scanned, "line-qty") == ["1"]
    stranger = clerk.post("/purchasing/receipts/grid/", form | {"scan": "6901939621608"})
    assert f"SP0002 可乐 is not on {approved.number}: only its products can be scanned here." in text(stranger)
    assert inputs(stranger, "line-qty") == ["0"]

    posted = clerk.post("/purchasing/receipts/new/", form | {"line-qty": ["60"], "_action": "post"}, follow=True)

    receipt = PurchaseReceipt.objects.get()
    assert receipt.status == "posted"
    assert messages_of(posted) == [f"{receipt.number} was posted."]
    assert (receipt.purchase_order, receipt.supplier, receipt.total) == (approved, supplier, D("678.00"))
    assert balance(water, sh) == (D(60), D("600.00"), D(40))
    line.refresh_from_db()
    approved.refresh_from_db()
    assert line.received_qty == D(60)
    assert approved.status == "partially_received"
    payable = Payable.objects.get(source_number=receipt.number)
    assert (payable.amount, payable.due_date) == (D("678.00"), datetime.date(2026, 12, 3))
    body = text(posted)
    assert 'class="badge badge-posted"' in body and approved.number in body

    # the order page: received 60 of 100, the receipt linked, who did what
    order_page = text(clerk.get(f"/purchasing/orders/{approved.pk}/"))
    assert receipt.number in order_page
    assert "Partially received" in order_page
    assert ">60<" in order_page and ">40<" in order_page  # received, open


def test_over_receipt_shows_the_sentence_with_the_numbers_and_writes_nothing(clerk, approved, sh, water):
    response = clerk.post("/purchasing/receipts/new/", receiving_form(approved, "101", _action="post"))

    assert response.status_code == 400
    assert (
        f"SP0001: 101 would be received, but order line 1 of {approved.number} has only 100 left to receive "
        "(ordered 100, received 0)." in text(response)
    )
    assert inputs(response, "line-qty") == ["101"]
    assert PurchaseReceipt.objects.count() == 0
    assert balance(water, sh) == (D(0), D(0), D(100))


def test_lines_left_at_zero_are_dropped_and_all_zero_is_refused(clerk, buyer, approver, supplier, sh, water, cola):
    order = make_order(buyer.user, supplier, sh, [(water, "10", "10"), (cola, "20", "2.5")], approve_by=approver.user)
    lines = list(order.lines.order_by("line_no"))
    form = receiving_form(order, "0", "0")

    nothing = clerk.post("/purchasing/receipts/new/", form)
    assert nothing.status_code == 400
    assert "Enter a quantity on at least one line." in text(nothing)
    assert PurchaseReceipt.objects.count() == 0

    clerk.post("/purchasing/receipts/new/", form | {"line-qty": ["0", "20"]})
    receipt = PurchaseReceipt.objects.get()
    assert list(receipt.lines.values_list("product__sku", "qty", "unit_cost", "purchase_order_line")) == [
        ("SP0002", D(20), D("2.5"), lines[1].pk)
    ]
    assert receipt.status == "draft"
    # the draft's screen lists its line and the order's other open line at 0
    screen = clerk.get(f"/purchasing/receipts/{receipt.pk}/edit/")
    assert inputs(screen, "line-qty") == ["20", "0"]


def test_receiving_without_an_order(clerk, supplier, sh, water):
    screen = clerk.get("/purchasing/receipts/new/?free=1")
    assert 'name="supplier"' in screen.content.decode()
    form = {
        "supplier": supplier.pk,
        "warehouse": sh.pk,
        "date": "2026-11-03",
        "line-product": [water.pk],
        "line-qty": ["3"],
        "line-unit_cost": ["9.5"],
        "line-tax_rate": ["13"],
        "_action": "post",
    }

    clerk.post("/purchasing/receipts/new/", form)

    receipt = PurchaseReceipt.objects.get()
    assert (receipt.status, receipt.purchase_order, receipt.total) == ("posted", None, D("32.21"))
    assert balance(water, sh) == (D(3), D("28.50"), D(0))


# --- returns -----------------------------------------------------------------------------------


def test_return_goods_from_a_receipts_page(clerk, approved, supplier, sh, water):
    receipt = services.purchase_receipt_create(
        user=clerk.user, purchase_order=approved, lines=[{"purchase_order_line": approved.lines.get(), "qty": D(60)}]
    )
    receipt = services.purchase_receipt_post(receipt=receipt, user=clerk.user)
    receipt_line = receipt.lines.get()
    detail = clerk.get(f"/purchasing/receipts/{receipt.pk}/")
    assert f"/purchasing/returns/new/?purchase_receipt={receipt.pk}" in text(detail)

    screen = clerk.get(f"/purchasing/returns/new/?purchase_receipt={receipt.pk}")
    assert inputs(screen, "line-qty") == ["0"]
    assert inputs(screen, "line-purchase_receipt_line") == [str(receipt_line.pk)]
    form = {
        "purchase_receipt": receipt.pk,
        "reason": "破损",
        "line-product": [water.pk],
        "line-purchase_receipt_line": [receipt_line.pk],
        "line-qty": ["10"],
        "line-unit_cost": [""],
        "line-tax_rate": [""],
        "_action": "post",
    }
    too_many = clerk.post("/purchasing/returns/new/", form | {"line-qty": ["61"]})
    assert too_many.status_code == 400
    assert (
        f"SP0001: 61 would be returned, but line 1 of {receipt.number} has only 60 left to return "
        "(received 60, returned 0)." in text(too_many)
    )
    assert PurchaseReturn.objects.count() == 0

    posted = clerk.post("/purchasing/returns/new/", form, follow=True)

    purchase_return = PurchaseReturn.objects.get()
    assert (purchase_return.status, purchase_return.total, purchase_return.reason) == ("posted", D("113.00"), "破损")
    assert messages_of(posted) == [f"{purchase_return.number} was posted."]
    assert balance(water, sh) == (D(50), D("500.00"), D(40))
    receipt_line.refresh_from_db()
    assert receipt_line.returned_qty == D(10)
    assert Payable.objects.get(source_number=purchase_return.number).amount == D("-113.00")
    assert Payable.objects.get(source_number=receipt.number).outstanding == D("565.00")
    # the order lists the receipt and, under it, the return
    order_page = text(clerk.get(f"/purchasing/orders/{approved.pk}/"))
    assert order_page.index(receipt.number) < order_page.index(purchase_return.number)
    # cancelling the receipt while a posted return is against it: the service's sentence
    refused = clerk.post(f"/purchasing/receipts/{receipt.pk}/cancel/", follow=True)
    assert messages_of(refused) == [
        f"Goods of {receipt.number} were returned ({purchase_return.number}): cancel the returns first."
    ]
    assert balance(water, sh) == (D(50), D("500.00"), D(40))


# --- order life cycle, lists, print ------------------------------------------------------------


def test_closing_an_order_releases_what_will_not_come(buyer, approved, sh, water):
    detail = text(buyer.get(f"/purchasing/orders/{approved.pk}/"))
    assert f'action="/purchasing/orders/{approved.pk}/close/"' in detail

    response = buyer.post(f"/purchasing/orders/{approved.pk}/close/", {"reason": "供应商缺货"}, follow=True)

    approved.refresh_from_db()
    assert (approved.status, approved.closed_reason) == ("closed", "供应商缺货")
    assert messages_of(response) == [f"{approved.number} was closed."]
    assert balance(water, sh) == (D(0), D(0), D(0))


def test_the_order_list_filters_open_orders_and_totals_them(buyer, approver, supplier, sh, water):
    draft = make_order(buyer.user, supplier, sh, [(water, "1", "10.00")])
    first = make_order(buyer.user, supplier, sh, [(water, "100", "10.00")], approve_by=approver.user)
    second = make_order(buyer.user, supplier, sh, [(water, "10", "2.00")], approve_by=approver.user)

    everything = text(buyer.get("/purchasing/orders/"))
    open_orders = text(buyer.get("/purchasing/orders/?status=open"))

    assert all(order.number in everything for order in (draft, first, second))
    assert draft.number not in open_orders and first.number in open_orders and second.number in open_orders
    assert "¥1,152.60" in open_orders  # 1,130.00 + 22.60
    assert "/api/v1/purchase-orders/?status=approved%2Cpartially_received&amp;format=xlsx" in open_orders
    assert 'class="badge badge-approved"' in open_orders


def test_print_views_have_the_number_barcode_and_signatures(clerk, buyer, approved):
    receipt = services.purchase_receipt_create(user=clerk.user, purchase_order=approved)

    for client, url, number in (
        (buyer, f"/purchasing/orders/{approved.pk}/print/", approved.number),
        (clerk, f"/purchasing/receipts/{receipt.pk}/print/", receipt.number),
    ):
        body = text(client.get(url))
        assert number in body
        assert f'aria-label="{number}"' in body  # the Code 128 barcode
        assert body.count('class="signature"') == 3
        assert "农夫山泉" in body and "¥1,130.00" in body
        assert 'class="sidebar"' not in body


# --- who may open what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "orders", "new_order", "inbox", "receipts", "new_receipt", "returns"),
    [
        ("purchasing", 200, 200, 200, 200, 403, 200),
        ("management", 200, 200, 200, 200, 200, 200),
        ("warehouse", 200, 403, 403, 200, 200, 200),
        ("finance", 200, 403, 403, 200, 403, 200),
        ("sales", 403, 403, 403, 403, 403, 403),
        ("customer_service", 403, 403, 403, 403, 403, 403),
    ],
)
def test_who_may_open_the_pages(client_as, department, orders, new_order, inbox, receipts, new_receipt, returns):
    client = client_as(department)

    assert client.get("/purchasing/orders/").status_code == orders
    assert client.get("/purchasing/orders/new/").status_code == new_order
    assert client.get("/purchasing/approvals/").status_code == inbox
    assert client.get("/purchasing/receipts/").status_code == receipts
    assert client.get("/purchasing/receipts/new/").status_code == new_receipt
    assert client.get("/purchasing/returns/").status_code == returns


def test_a_clerk_may_receive_but_not_approve(clerk, buyer, supplier, sh, water):
    order = make_order(buyer.user, supplier, sh, [(water, "5", "10.00")])
    services.purchase_order_submit(order=order, user=buyer.user)

    page = text(clerk.get(f"/purchasing/orders/{order.pk}/"))
    refused = clerk.post(f"/purchasing/orders/{order.pk}/approve/")

    assert "/approve/" not in page
    assert refused.status_code == 403
    order.refresh_from_db()
    assert order.status == "submitted"
    assert balance(water, sh) == (D(0), D(0), D(0))


def test_sales_may_not_create_an_order(client_as, supplier, sh, water):
    lines = {"line-product": [water.pk], "line-qty": ["1"], "line-unit_price": ["1"], "line-tax_rate": ["13"]}

    response = client_as("sales").post("/purchasing/orders/new/", order_form(supplier, sh, **lines))

    assert response.status_code == 403
    assert PurchaseOrder.objects.count() == 0


def test_a_clerk_of_another_warehouse_cannot_receive_the_order(client_as, approved, water):
    other = client_as("warehouse", warehouses=[WarehouseFactory(code="BJ01")])
    form = receiving_form(approved, "5")

    assert approved.number not in text(other.get("/purchasing/receipts/new/"))
    assert other.get(f"/purchasing/receipts/new/?purchase_order={approved.pk}").status_code == 404
    assert other.post("/purchasing/receipts/new/", form).status_code == 404
    assert PurchaseReceipt.objects.count() == 0


def test_the_purchasing_menu(client_as):
    def nav(department):
        body = client_as(department).get("/").content.decode()
        return re.search(r'<nav class="sidebar".*?</nav>', body, re.S).group(0)

    buyer_nav, clerk_nav = nav("purchasing"), nav("warehouse")
    assert all(label in buyer_nav for label in ("Purchase orders", "Approval inbox", "Purchase receipts"))
    assert "Purchase receipts" in clerk_nav and "Approval inbox" not in clerk_nav
    assert "Purchase orders" not in nav("sales")


def test_anonymous_users_go_to_the_login_page(client_as):
    for url in ("/purchasing/orders/", "/purchasing/receipts/new/", "/purchasing/approvals/"):
        response = client_as(None).get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
