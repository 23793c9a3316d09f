"""Delivery and sales return pages: a clerk picks a confirmed order on the shipping screen,
scans and posts a delivery (stock, reservation, order and receivable exact); an over-delivery
or a shortage is the service's sentence and changes no stock; customer service takes goods back
from the delivery's page (stock at the delivery's cost, credit note) and exchanges them, but may
not post a delivery; the delivery note prints the customer, totals and signature spaces; a
salesperson never sees costs and nobody sees another's documents.

Stock 20 @ 50.00; the order: 15 @ 80.00 + 13% VAT (net 1,200.00), confirmed: 15 reserved."""

import datetime
import re
from decimal import Decimal

import pytest

from apps.finance.models import Receivable
from apps.sales import services
from apps.sales.models import Delivery, SalesReturn
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.sales.support import DAY, balance, confirmed, deliver, stock_in

pytestmark = pytest.mark.django_db

D = Decimal
WATER = "6901234567892"
COLA = "6901939621608"


@pytest.fixture
def sh():
    return WarehouseFactory(code="SH01", name="上海总仓")


@pytest.fixture
def water(sh, make_user):
    product = ProductFactory(
        sku="SP0001", name="矿泉水", spec="550ml×24", barcode=WATER, sale_price=D("80.00"), tax_rate=D("0.13")
    )
    stock_in(product, sh, "20", "50.00", user=make_user("management"))
    return product


@pytest.fixture
def cola():
    return ProductFactory(sku="SP0002", name="可乐", barcode=COLA, sale_price=D("3.00"))


@pytest.fixture
def seller(client_as):
    return client_as("sales")


@pytest.fixture
def customer(seller):
    customer = CustomerFactory(
        code="C001",
        name="华联超市",
        address="上海市浦东新区张江路 88 号",
        contact="王经理",
        phone="021-5080 1234",
        payment_terms_days=30,
        salesperson=seller.user,
    )
    return customer


@pytest.fixture
def clerk(client_as, sh):
    return client_as("warehouse", warehouses=[sh])


@pytest.fixture
def service(client_as):
    return client_as("customer_service")


@pytest.fixture
def order(seller, customer, sh, water):
    """SO: 15 water @ 80.00 + 13% VAT, confirmed (15 reserved)."""
    return confirmed(user=seller.user, customer=customer, warehouse=sh, lines=[(water, "15", "80.00")])


@pytest.fixture
def delivered(order, clerk):
    """DN: 10 of the order delivered and posted (net 800.00, VAT 104.00, total 904.00)."""
    return deliver(order, user=clerk.user, quantities={order.lines.get(): "10"})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return re.findall(r'<li class="msg msg-\w+">([^<]*)</li>', response.content.decode())


def inputs(response, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}" value="([^"]*)"', response.content.decode())


def shipping_form(order, *qtys: str, **extra) -> dict:
    """What the shipping screen posts for ``order``: its lines with the quantities typed."""
    lines = list(order.lines.order_by("line_no"))
    return {
        "sales_order": order.pk,
        "date": "2026-11-03",
        "shipping_address": "",
        "line-product": [line.product_id for line in lines],
        "line-sales_order_line": [line.pk for line in lines],
        "line-qty": list(qtys),
        "line-unit_price": [""] * len(lines),
        "line-tax_rate": [""] * len(lines),
        **extra,
    }


def return_form(delivery, *qtys: str, **extra) -> dict:
    lines = list(delivery.lines.order_by("line_no"))
    return {
        "delivery": delivery.pk,
        "date": "2026-11-05",
        "reason": "defective",
        "reason_note": "外包装破损",
        "line-product": [line.product_id for line in lines],
        "line-delivery_line": [line.pk for line in lines],
        "line-qty": list(qtys),
        "line-unit_price": [""] * len(lines),
        "line-tax_rate": [""] * len(lines),
        **extra,
    }


# --- shipping ---------------------------------------------------------------------------------


def test_a_clerk_picks_the_order_scans_and_posts_a_delivery(clerk, client_as, order, sh, water, cola):
    picker = clerk.get("/sales/deliveries/new/")
    assert order.number in text(picker) and "华联超市" in text(picker)
    scanned_number = clerk.get(f"/sales/deliveries/new/?q={order.number}")
    assert scanned_number["Location"] == f"/sales/deliveries/new/?sales_order={order.pk}"

    # the order's open line comes filled in with what is open; "scan" starts it at 0
    line = order.lines.get()
    filled = clerk.get(scanned_number["Location"])
    assert inputs(filled, "line-qty") == ["15"]
    assert inputs(filled, "line-sales_order_line") == [str(line.pk)]
    assert inputs(filled, "shipping_address") == ["上海市浦东新区张江路 88 号"]
    screen = clerk.get(f"/sales/deliveries/new/?sales_order={order.pk}&scan=1")
    assert inputs(screen, "line-qty") == ["0"]
    assert re.search(r'<input[^>]*id="scan"[^>]*autofocus', screen.content.decode())

    # a scan adds one to the order's line; a product not on the order is refused
    form = shipping_form(order, "0")
    scanned = clerk.post("/sales/deliveries/grid/", form | {"scan": WATER})
    assert inputs(scanned, "line-qty") == ["1"]
    assert "¥80.00" in text(scanned) and "¥10.40" in text(scanned)  # net and VAT of 1 × 80.00
    stranger = clerk.post("/sales/deliveries/grid/", form | {"scan": COLA})
    assert f"SP0002 可乐 is not on {order.number}: only its products can be scanned here." in text(stranger)
    assert inputs(stranger, "line-qty") == ["0"]

    posted = clerk.post("/sales/deliveries/new/", form | {"line-qty": ["10"], "_action": "post"}, follow=True)

    delivery = Delivery.objects.get()
    assert messages_of(posted) == [f"{delivery.number} was posted."]
    assert (delivery.status, delivery.sales_order, delivery.total_net, delivery.total) == (
        "posted",
        order,
        D("800.00"),
        D("904.00"),
    )
    assert delivery.shipping_address == "上海市浦东新区张江路 88 号"
    assert balance(water, sh) == (D(10), D("500.00"), D(5), D(5))  # on hand, value, reserved, available
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.delivered_qty, order.status) == (D(10), "partially_delivered")
    receivable = Receivable.objects.get(source_number=delivery.number)
    assert (receivable.amount, receivable.outstanding, receivable.due_date) == (
        D("904.00"),
        D("904.00"),
        datetime.date(2026, 12, 3),
    )
    assert 'class="badge badge-posted"' in text(posted)

    # management's view of the delivery: the order, the receivable with what is outstanding, costs
    detail = text(client_as("management").get(f"/sales/deliveries/{delivery.pk}/"))
    assert order.number in detail
    assert "Receivable" in detail and "¥904.00" in detail
    assert "<strong data-receivable-outstanding>¥904.00</strong>" in detail
    assert "¥500.00" in detail  # the cost of the goods at 50.00
    # the next delivery starts with the 5 still open
    assert inputs(clerk.get(f"/sales/deliveries/new/?sales_order={order.pk}"), "line-qty") == ["5"]


def test_an_over_delivery_is_the_services_sentence_and_changes_nothing(clerk, order, sh, water):
    response = clerk.post("/sales/deliveries/new/", shipping_form(order, "16", _action="post"))

    assert response.status_code == 400
    assert (
        f"SP0001: 16 would be delivered, but order line 1 of {order.number} has only 15 left to deliver "
        "(ordered 15, delivered 0)." in text(response)
    )
    assert inputs(response, "line-qty") == ["16"]  # what was typed stays
    assert Delivery.objects.count() == 0
    assert balance(water, sh) == (D(20), D("1000.00"), D(15), D(5))
    assert order.lines.get().delivered_qty == D(0)
    assert Receivable.objects.count() == 0


def test_a_shortage_keeps_the_draft_and_names_what_is_short(clerk, customer, sh, water):
    form = {
        "customer": customer.pk,
        "warehouse": sh.pk,
        "date": "2026-11-03",
        "shipping_address": "",
        "line-product": [water.pk],
        "line-qty": ["25"],
        "line-unit_price": [""],
        "line-tax_rate": [""],
        "_action": "post",
    }

    response = clerk.post("/sales/deliveries/new/", form, follow=True)

    delivery = Delivery.objects.get()
    assert delivery.status == "draft"
    assert messages_of(response) == [
        f"{delivery.number} was saved as a draft but not posted: Not enough stock: SP0001 矿泉水 in SH01 上海总仓: "
        "on hand 20, requested 25."
    ]
    assert balance(water, sh) == (D(20), D("1000.00"), D(0), D(20))
    assert Receivable.objects.count() == 0
    # the direct delivery took the product's sale price: 25 × 80.00 + 13%
    assert (delivery.sales_order, delivery.total) == (None, D("2260.00"))


def test_delivering_without_an_order(clerk, customer, sh, water):
    screen = clerk.get("/sales/deliveries/new/?free=1")
    assert 'name="customer"' in screen.content.decode()
    grid = clerk.post(
        "/sales/deliveries/grid/", {"customer": customer.pk, "warehouse": sh.pk, "scan": WATER, "line-product": []}
    )
    assert inputs(grid, "line-qty") == ["1"]
    assert inputs(grid, "line-unit_price") == ["80"]
    form = {
        "customer": customer.pk,
        "warehouse": sh.pk,
        "date": "2026-11-03",
        "shipping_address": "苏州仓库",
        "line-product": [water.pk],
        "line-qty": ["2"],
        "line-unit_price": ["75"],
        "line-tax_rate": ["13"],
        "_action": "post",
    }

    clerk.post("/sales/deliveries/new/", form)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.total, delivery.shipping_address) == ("posted", D("169.50"), "苏州仓库")
    assert balance(water, sh) == (D(18), D("900.00"), D(0), D(18))
    assert Receivable.objects.get(source_number=delivery.number).amount == D("169.50")


def test_a_saved_draft_reopens_in_its_editor_and_posts_later(clerk, order, sh, water):
    saved = clerk.post("/sales/deliveries/new/", shipping_form(order, "4", _action="save"))
    delivery = Delivery.objects.get()
    assert saved["Location"] == f"/sales/deliveries/{delivery.pk}/edit/"
    assert (delivery.status, delivery.total) == ("draft", D("361.60"))
    assert balance(water, sh) == (D(20), D("1000.00"), D(15), D(5))  # a draft moves nothing

    screen = clerk.get(f"/sales/deliveries/{delivery.pk}/edit/")
    assert inputs(screen, "line-qty") == ["4"]
    assert order.number in text(screen)
    form = shipping_form(order, "6", _action="post")
    form["line-sales_order_line"] = [order.lines.get().pk]
    clerk.post(f"/sales/deliveries/{delivery.pk}/edit/", form)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.total) == ("posted", D("542.40"))
    assert balance(water, sh) == (D(14), D("700.00"), D(9), D(5))


# --- returns and exchanges --------------------------------------------------------------------


def test_customer_service_returns_goods_from_the_deliverys_page(service, delivered, sh, water):
    delivery_line = delivered.lines.get()
    detail = text(service.get(f"/sales/deliveries/{delivered.pk}/"))
    assert f"/sales/returns/new/?delivery={delivered.pk}" in detail
    assert f'action="/sales/deliveries/{delivered.pk}/cancel/"' not in detail  # not theirs to reverse

    screen = service.get(f"/sales/returns/new/?delivery={delivered.pk}")
    assert screen.status_code == 200
    assert inputs(screen, "line-qty") == ["0"]
    assert inputs(screen, "line-delivery_line") == [str(delivery_line.pk)]
    assert ">10<" in text(screen)  # returnable: delivered 10 − returned 0

    too_many = service.post("/sales/returns/new/", return_form(delivered, "11", _action="post"))
    assert too_many.status_code == 400
    assert (
        f"SP0001: 11 would be returned, but line 1 of {delivered.number} has only 10 left to return "
        "(delivered 10, returned 0)." in text(too_many)
    )
    assert SalesReturn.objects.count() == 0

    posted = service.post("/sales/returns/new/", return_form(delivered, "3", _action="post"), follow=True)

    sales_return = SalesReturn.objects.get()
    assert messages_of(posted) == [f"{sales_return.number} was posted."]
    assert (sales_return.status, sales_return.reason, sales_return.reason_note, sales_return.total) == (
        "posted",
        "defective",
        "外包装破损",
        D("271.20"),
    )
    assert balance(water, sh) == (D(13), D("650.00"), D(5), D(8))  # back at the delivery's cost of 50.00
    delivery_line.refresh_from_db()
    assert delivery_line.returned_qty == D(3)
    assert Receivable.objects.get(source_number=sales_return.number).amount == D("-271.20")
    assert Receivable.objects.get(source_number=delivered.number).outstanding == D("632.80")
    page = text(posted)
    assert "Credit note" in page and "-¥271.20" in page
    assert "¥150.00" not in page and "Unit cost" not in page  # customer service sees no costs
    # the delivery lists the return, and has 7 left to return
    delivery_page = text(service.get(f"/sales/deliveries/{delivered.pk}/"))
    assert sales_return.number in delivery_page
    assert inputs(service.get(f"/sales/returns/new/?delivery={delivered.pk}"), "line-qty") == ["0"]

    # customer service reverses its own return: the goods leave again, the credit note is gone
    cancelled = service.post(f"/sales/returns/{sales_return.pk}/cancel/", follow=True)
    assert messages_of(cancelled) == [f"{sales_return.number} was cancelled."]
    sales_return.refresh_from_db()
    delivery_line.refresh_from_db()
    assert (sales_return.status, delivery_line.returned_qty) == ("cancelled", D(0))
    assert balance(water, sh) == (D(10), D("500.00"), D(5), D(5))
    assert Receivable.objects.get(source_number=delivered.number).outstanding == D("904.00")


def test_customer_service_may_return_but_not_post_a_delivery(service, order, clerk, sh, water):
    draft = services.delivery_create(user=clerk.user, sales_order=order)

    assert service.post(f"/sales/deliveries/{draft.pk}/post/").status_code == 403
    assert service.get(f"/sales/deliveries/new/?sales_order={order.pk}").status_code == 403
    assert service.post("/sales/deliveries/new/", shipping_form(order, "15", _action="post")).status_code == 403

    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Delivery.objects.count() == 1
    assert balance(water, sh) == (D(20), D("1000.00"), D(15), D(5))
    page = service.get(f"/sales/deliveries/{draft.pk}/").content.decode()
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", page)
    assert "Post" not in buttons


def test_an_exchange_links_its_replacement_delivery_for_the_warehouse(service, clerk, delivered, sh, water):
    form = return_form(delivered, "2", reason="wrong_item", is_exchange="on", _action="post")

    posted = service.post("/sales/returns/new/", form, follow=True)

    sales_return = SalesReturn.objects.get()
    replacement = Delivery.objects.get(replaces=sales_return)
    assert (sales_return.is_exchange, replacement.status, replacement.total) == (True, "draft", D("180.80"))
    assert list(replacement.lines.values_list("product__sku", "qty", "unit_price")) == [("SP0001", D(2), D("80.00"))]
    page = text(posted)
    assert f"This exchange's replacement delivery is {replacement.number} (Draft)." in page
    assert f'href="/sales/deliveries/{replacement.pk}/"' in page
    assert balance(water, sh) == (D(12), D("600.00"), D(5), D(7))

    # the clerk opens the replacement (a draft: its editor) and ships it
    editor = clerk.get(f"/sales/deliveries/{replacement.pk}/", follow=True)
    assert sales_return.number in text(editor)
    clerk.post(f"/sales/deliveries/{replacement.pk}/post/")
    replacement.refresh_from_db()
    assert replacement.status == "posted"
    assert balance(water, sh) == (D(10), D("500.00"), D(5), D(5))


def test_a_free_return_into_any_warehouse_by_customer_service(service, customer, sh, water):
    screen = service.get("/sales/returns/new/")
    assert f'<option value="{sh.pk}"' in screen.content.decode()  # assigned no warehouse, offered all
    form = {
        "customer": customer.pk,
        "warehouse": sh.pk,
        "date": "2026-11-05",
        "reason": "not_needed",
        "reason_note": "",
        "line-product": [water.pk],
        "line-qty": ["1"],
        "line-unit_price": [""],
        "line-tax_rate": [""],
        "_action": "post",
    }

    service.post("/sales/returns/new/", form)

    sales_return = SalesReturn.objects.get()
    assert (sales_return.status, sales_return.delivery, sales_return.total) == ("posted", None, D("90.40"))
    assert balance(water, sh) == (D(21), D("1050.00"), D(0), D(21))  # at the current cost of 50.00


# --- print, costs, scope ----------------------------------------------------------------------


def test_the_delivery_note_has_the_customer_totals_and_signature_spaces(clerk, delivered):
    body = text(clerk.get(f"/sales/deliveries/{delivered.pk}/print/"))

    assert "Delivery note" in body
    assert delivered.number in body and f'aria-label="{delivered.number}"' in body  # the Code 128 barcode
    assert "C001 华联超市" in body and "上海市浦东新区张江路 88 号" in body
    assert "王经理" in body and "021-5080 1234" in body
    assert delivered.sales_order.number in body
    assert "550ml×24" in body and ">10<" in body and ">80<" in body
    assert "¥800.00" in body and "¥104.00" in body and "¥904.00" in body
    assert body.count('class="signature"') == 3
    assert "Delivered by" in body and "Customer&#x27;s signature" in body and "Date received" in body
    assert 'class="sidebar"' not in body


def test_the_return_sheet_has_the_reason_and_the_customers_signature(service, delivered):
    sales_return = services.sales_return_create(
        user=service.user,
        delivery=delivered,
        reason="damaged",
        reason_note="纸箱压坏",
        lines=[{"delivery_line": delivered.lines.get(), "qty": D(2)}],
    )

    body = text(service.get(f"/sales/returns/{sales_return.pk}/print/"))

    assert "Sales return" in body and sales_return.number in body and delivered.number in body
    assert "Damaged in transit: 纸箱压坏" in body
    assert "¥160.00" in body and "¥20.80" in body and "¥180.80" in body
    assert body.count('class="signature"') == 3 and "Customer&#x27;s signature" in body


def test_a_salesperson_sees_no_costs_and_only_their_customers_documents(seller, client_as, delivered, clerk):
    detail = text(seller.get(f"/sales/deliveries/{delivered.pk}/"))
    assert delivered.number in detail and "¥904.00" in detail
    assert "Unit cost" not in detail and "¥500.00" not in detail and "Stock ledger entries" not in detail
    assert "¥500.00" not in text(seller.get(f"/sales/deliveries/{delivered.pk}/print/"))
    assert delivered.number in text(seller.get("/sales/deliveries/"))

    other = client_as("sales")
    assert other.get(f"/sales/deliveries/{delivered.pk}/").status_code == 404
    assert other.get(f"/sales/deliveries/{delivered.pk}/print/").status_code == 404
    assert delivered.number not in text(other.get("/sales/deliveries/"))
    stranger_clerk = client_as("warehouse", warehouses=[WarehouseFactory()])
    assert stranger_clerk.get(f"/sales/deliveries/{delivered.pk}/").status_code == 404
    assert stranger_clerk.get(f"/sales/returns/new/?delivery={delivered.pk}").status_code == 404

    costs = text(clerk.get(f"/sales/deliveries/{delivered.pk}/"))
    assert "Unit cost" in costs and "¥500.00" in costs


def test_the_lists_filter_and_total(clerk, delivered, customer, sh, water):
    second = services.delivery_create(
        user=clerk.user,
        customer=customer,
        warehouse=sh,
        date=DAY,
        lines=[{"product": water, "qty": D(1), "unit_price": D("80.00"), "tax_rate": D("0.13")}],
    )
    everything = text(clerk.get("/sales/deliveries/"))
    posted_only = text(clerk.get("/sales/deliveries/?status=posted"))

    assert delivered.number in everything and second.number in everything
    assert "¥994.40" in everything  # 904.00 + 90.40
    assert delivered.number in posted_only and second.number not in posted_only
    assert "/api/v1/deliveries/?status=posted&amp;format=xlsx" in posted_only
    assert clerk.get("/sales/returns/").status_code == 200


@pytest.mark.parametrize(
    ("department", "deliveries", "new_delivery", "returns", "new_return"),
    [
        ("warehouse", 200, 200, 200, 200),
        ("customer_service", 200, 403, 200, 200),
        ("sales", 200, 403, 200, 403),
        ("finance", 200, 403, 200, 403),
        ("management", 200, 200, 200, 200),
        ("purchasing", 403, 403, 403, 403),
    ],
)
def test_who_may_open_the_pages(client_as, department, deliveries, new_delivery, returns, new_return):
    client = client_as(department)

    assert client.get("/sales/deliveries/").status_code == deliveries
    assert client.get("/sales/deliveries/new/").status_code == new_delivery
    assert client.get("/sales/returns/").status_code == returns
    assert client.get("/sales/returns/new/").status_code == new_return
