"""Quotation and sales order pages: a salesperson enters an order in the editor (scan box,
prices, VAT, the stock beside each line), confirms it (the quantities are reserved), a credit
refusal shows the sentence with the figures and changes nothing, management confirms anyway
with a reason, a quotation converts into an order; lists, detail, print; another
salesperson's documents are 404. Stock is 20 @ 50.00 in SH01 (35 in BJ01); the product sells at
80.00 + 13% VAT, so 15 of it come to 1,200.00 + 156.00 = 1,356.00."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.sales import services
from apps.sales.models import Quotation, SalesOrder
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.sales.support import DAY, balance, deliver, stock_in

pytestmark = pytest.mark.django_db

D = Decimal
WATER_CODE = "6901234567892"


@pytest.fixture
def sh():
    return WarehouseFactory(code="SH01", name="上海总仓")


@pytest.fixture
def bj():
    return WarehouseFactory(code="BJ01", name="北京仓")


@pytest.fixture
def water():
    return ProductFactory(
        sku="SP0001", name="矿泉水 550ml", barcode=WATER_CODE, sale_price=D("80.00"), tax_rate=D("0.13")
    )


@pytest.fixture
def tea():
    return ProductFactory(sku="SP0002", name="矿泉茶饮", barcode="6901939621608", sale_price=D("6.50"))


@pytest.fixture
def seller(client_as):
    return client_as("sales")


@pytest.fixture
def other_seller(client_as):
    return client_as("sales")


@pytest.fixture
def manager(client_as):
    return client_as("management")


@pytest.fixture
def customer(seller):
    return CustomerFactory(code="KH001", name="上海华联超市", salesperson=seller.user, credit_limit=None)


@pytest.fixture
def other_customer(other_seller):
    return CustomerFactory(code="KH002", name="苏州美家便利", salesperson=other_seller.user, credit_limit=None)


@pytest.fixture
def stock(manager, sh, bj, water):
    """20 @ 50.00 in SH01, 35 @ 50.00 in BJ01."""
    stock_in(water, sh, "20", "50.00", user=manager.user)
    stock_in(water, bj, "35", "50.00", user=manager.user)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return re.findall(r'<li class="msg msg-\w+">([^<]*)</li>', response.content.decode())


def inputs(response, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}" value="([^"]*)"', response.content.decode())


def order_form(customer, warehouse, **extra) -> dict:
    return {
        "customer": customer.pk,
        "warehouse": warehouse.pk,
        "date": "2026-11-02",
        "delivery_date": "2026-11-09",
        "customer_reference": "PO-HL-7781",
        "note": "",
        **extra,
    }


def lines(*rows) -> dict:
    """The editor's line inputs of (product, qty, unit price, VAT rate %) rows."""
    return {
        "line-product": [row[0].pk for row in rows],
        "line-qty": [row[1] for row in rows],
        "line-unit_price": [row[2] for row in rows],
        "line-tax_rate": [row[3] for row in rows],
    }


def draft_order(user, customer, warehouse, product, qty="15", price="80.00"):
    return services.sales_order_create(
        user=user,
        customer=customer,
        warehouse=warehouse,
        date=DAY,
        lines=[{"product": product, "qty": D(qty), "unit_price": D(price), "tax_rate": D("0.13")}],
    )


def stock_cells(response, product) -> list[str]:
    """The texts of the number cells of ``product``'s row in the editor's grid."""
    row = re.search(rf'<tr[^>]*data-product="{product.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    cells = re.findall(r'<td class="num(?! col-no)[^"]*"[^>]*>(.*?)</td>', row)
    return [re.sub(r"<[^>]+>", " ", cell).split() for cell in cells]


# --- the salesperson's editor --------------------------------------------------------------------


def test_a_salesperson_scans_lines_into_a_new_order_and_saves_it(seller, customer, other_customer, sh, water, tea):
    page = seller.get("/sales/orders/new/")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*id="scan"[^>]*autofocus', page.content.decode())
    # only the salesperson's own customers are offered
    assert f'<option value="{customer.pk}">KH001 上海华联超市</option>' in text(page)
    assert "苏州美家便利" not in text(page)

    # a barcode adds the product at its sale price and VAT rate; again is +1
    form = order_form(customer, sh, scan=WATER_CODE)
    grid = seller.post("/sales/orders/grid/", form)
    assert (inputs(grid, "line-qty"), inputs(grid, "line-unit_price"), inputs(grid, "line-tax_rate")) == (
        ["1"],
        ["80"],
        ["13"],
    )
    form |= lines((water, "1", "80", "13"))
    grid = seller.post("/sales/orders/grid/", form)
    assert inputs(grid, "line-qty") == ["2"]
    assert "¥160.00" in text(grid) and "¥20.80" in text(grid)  # net and VAT of 2 × 80.00

    # a name matching two products lists both to pick from; one more word finds one
    form["scan"] = "矿泉"
    grid = seller.post("/sales/orders/grid/", form)
    assert "Several products match “矿泉”: pick one." in text(grid)
    assert f'"pick": "{tea.pk}"' in grid.content.decode()
    form["scan"] = "矿泉 茶饮"
    grid = seller.post("/sales/orders/grid/", form)
    assert re.findall(r'name="line-product" value="(\d+)"', grid.content.decode()) == [str(water.pk), str(tea.pk)]
    assert inputs(grid, "line-unit_price") == ["80", "6.5"]

    # save: 15 water at 80.00 and 10 tea at 6.00 (typed over 6.50), 9% VAT on the tea
    saved = seller.post(
        "/sales/orders/new/",
        order_form(customer, sh, **lines((water, "15", "80", "13"), (tea, "10", "6", "9")), _action="save"),
    )
    order = SalesOrder.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/sales/orders/{order.pk}/edit/"
    assert (order.status, order.customer, order.warehouse, order.customer_reference) == (
        "draft",
        customer,
        sh,
        "PO-HL-7781",
    )
    assert order.delivery_date == datetime.date(2026, 11, 9)
    assert list(order.lines.values_list("product__sku", "qty", "unit_price", "tax_rate")) == [
        ("SP0001", D(15), D(80), D("0.13")),
        ("SP0002", D(10), D(6), D("0.09")),
    ]
    assert (order.total_net, order.total_tax, order.total) == (D("1260.00"), D("161.40"), D("1421.40"))
    reopened = text(seller.get(saved["Location"]))
    assert "¥1,421.40" in reopened  # the running total
    assert balance(water, sh)[2] == D(0)  # a draft reserves nothing


def test_bad_input_keeps_what_was_typed_and_writes_nothing(seller, customer, other_customer, sh, water):
    form = order_form(customer, sh, **lines((water, "abc", "80", "13")))

    not_a_number = seller.post("/sales/orders/new/", form)
    no_customer = seller.post("/sales/orders/new/", form | {"customer": "", "line-qty": ["5"]})
    someone_elses = seller.post("/sales/orders/new/", form | {"customer": other_customer.pk, "line-qty": ["5"]})
    negative = seller.post("/sales/orders/new/", form | {"line-qty": ["-3"]})

    assert {r.status_code for r in (not_a_number, no_customer, someone_elses, negative)} == {400}
    assert "Line 1: “abc” is not a number." in text(not_a_number)
    assert inputs(not_a_number, "line-qty") == ["abc"]
    assert re.search(r'class="field has-error required">\s*<label for="id_customer"', no_customer.content.decode())
    assert "Select a valid choice." in text(someone_elses)
    assert "Line 1: qty: Ensure this value is greater than or equal to 0.0001." in text(negative)
    assert SalesOrder.objects.count() == 0


def test_the_editor_shows_on_hand_reserved_and_available_beside_each_line(seller, customer, stock, sh, bj, water):
    services.sales_order_confirm(order=draft_order(seller.user, customer, sh, water, qty="5"), user=seller.user)
    assert balance(water, sh)[2:] == (D(5), D(15))

    grid = seller.post("/sales/orders/grid/", order_form(customer, sh, **lines((water, "18", "", ""))))

    cells = stock_cells(grid, water)
    # on hand 20, reserved 5, available 15 (+35 in BJ01); then qty typed in the input, net, VAT
    assert cells[:3] == [["20"], ["5"], ["15", "+35", "elsewhere"]]
    body = text(grid)
    assert 'title="Available elsewhere: BJ01 北京仓: 35"' in body
    assert re.search(r'<td class="num available short"', body)  # 18 asked, 15 available
    assert "¥1,440.00" in body and "¥187.20" in body  # 18 × 80.00 at the product's price and 13%

    # another warehouse chosen: its figures, and SH01's 15 elsewhere
    other = seller.post("/sales/orders/grid/", order_form(customer, bj, **lines((water, "18", "", ""))))
    assert stock_cells(other, water)[:3] == [["35"], ["0"], ["35", "+15", "elsewhere"]]
    assert 'class="num available short"' not in text(other)


# --- confirming and the credit limit -------------------------------------------------------------


def test_confirm_from_the_editor_reserves_the_quantities(seller, customer, stock, sh, water):
    order = draft_order(seller.user, customer, sh, water)
    form = order_form(customer, sh, **lines((water, "15", "80", "13")), _action="confirm")

    response = seller.post(f"/sales/orders/{order.pk}/edit/", form, follow=True)

    order.refresh_from_db()
    assert (order.status, order.confirmed_by, order.total) == ("confirmed", seller.user, D("1356.00"))
    assert messages_of(response) == [f"{order.number} was confirmed: its quantities are reserved."]
    assert response.request["PATH_INFO"] == f"/sales/orders/{order.pk}/"
    assert balance(water, sh) == (D(20), D("1000.00"), D(15), D(5))
    body = text(response)
    assert 'class="badge badge-confirmed"' in body
    assert f'action="/sales/orders/{order.pk}/cancel/"' in body and f'action="/sales/orders/{order.pk}/close/"' in body


def test_a_credit_refusal_shows_the_sentence_and_changes_nothing(seller, customer, stock, sh, water):
    customer.credit_limit = D("1000.00")
    customer.save()
    order = draft_order(seller.user, customer, sh, water)
    sentence = (
        "上海华联超市 would owe ¥1,356.00, above the credit limit of ¥1,000.00: open receivables ¥0.00 + "
        "confirmed undelivered orders ¥0.00 + this order ¥1,356.00."
    )

    refused = seller.post(f"/sales/orders/{order.pk}/confirm/", follow=True)

    assert messages_of(refused) == [sentence]
    assert refused.request["PATH_INFO"] == f"/sales/orders/{order.pk}/edit/"
    body = text(refused)
    assert f'<p class="credit-sentence" role="alert">{sentence}</p>' in body
    assert '<dd data-credit="available">¥1,000.00</dd>' in body
    assert "Confirm anyway" not in body and 'name="override_reason"' not in body
    assert "only management may confirm above a customer's credit limit" in body

    # from the editor: the draft is saved, not confirmed
    form = order_form(customer, sh, **lines((water, "15", "80", "13")), _action="confirm")
    from_editor = seller.post(f"/sales/orders/{order.pk}/edit/", form, follow=True)
    assert messages_of(from_editor) == [f"{order.number} was saved as a draft but not confirmed: {sentence}"]

    # a reason from someone who may not override is 403
    assert seller.post(f"/sales/orders/{order.pk}/confirm/", {"override_reason": "老客户"}).status_code == 403

    order.refresh_from_db()
    assert (order.status, order.confirmed_by, order.credit_override_reason, order.credit_override_by) == (
        "draft",
        None,
        "",
        None,
    )
    assert balance(water, sh) == (D(20), D("1000.00"), D(0), D(20))


def test_management_confirms_above_the_limit_with_a_reason(manager, seller, customer, stock, sh, water):
    customer.credit_limit = D("1000.00")
    customer.save()
    order = draft_order(seller.user, customer, sh, water)
    editor = text(manager.get(f"/sales/orders/{order.pk}/edit/"))
    assert 'name="override_reason"' in editor and "Confirm anyway" in editor
    form = order_form(customer, sh, **lines((water, "15", "80", "13")), _action="confirm")

    # no reason: refused like anyone else, nothing changes
    no_reason = manager.post(f"/sales/orders/{order.pk}/edit/", form | {"override_reason": " "}, follow=True)
    order.refresh_from_db()
    assert order.status == "draft" and "would owe ¥1,356.00" in messages_of(no_reason)[0]
    assert balance(water, sh)[2] == D(0)

    reason = {"override_reason": "老客户，月底付款"}
    confirmed = manager.post(f"/sales/orders/{order.pk}/edit/", form | reason, follow=True)

    order.refresh_from_db()
    assert (order.status, order.credit_override_reason, order.credit_override_by) == (
        "confirmed",
        "老客户，月底付款",
        manager.user,
    )
    assert balance(water, sh) == (D(20), D("1000.00"), D(15), D(5))
    assert messages_of(confirmed) == [f"{order.number} was confirmed: its quantities are reserved."]
    detail = text(seller.get(f"/sales/orders/{order.pk}/"))
    name = manager.user.display_name
    assert f"Confirmed above the customer's credit limit by {name}: 老客户，月底付款" in detail


# --- quotations ----------------------------------------------------------------------------------


def test_a_quotation_is_entered_sent_and_converted_into_an_order(seller, customer, sh, water):
    valid = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    form = {
        "customer": customer.pk,
        "warehouse": sh.pk,
        "date": timezone.localdate().isoformat(),
        "valid_until": valid,
        "note": "含运费",
        **lines((water, "100", "76.5", "13")),
    }
    sent = seller.post("/sales/quotations/new/", form | {"_action": "send"}, follow=True)
    quotation = Quotation.objects.get()
    assert (quotation.status, quotation.total_net, quotation.total) == ("sent", D("7650.00"), D("8644.50"))
    assert messages_of(sent) == [f"{quotation.number} was marked as sent."]
    assert sent.request["PATH_INFO"] == f"/sales/quotations/{quotation.pk}/"
    assert f'action="/sales/quotations/{quotation.pk}/convert/"' in text(sent)

    converted = seller.post(f"/sales/quotations/{quotation.pk}/convert/", follow=True)

    order = SalesOrder.objects.get()
    quotation.refresh_from_db()
    assert quotation.status == "converted"
    assert (order.status, order.quotation, order.customer, order.warehouse, order.note) == (
        "draft",
        quotation,
        customer,
        sh,
        "含运费",
    )
    assert list(order.lines.values_list("product", "qty", "unit_price", "tax_rate")) == [
        (water.pk, D(100), D("76.5"), D("0.13"))
    ]
    assert order.total == D("8644.50")
    assert converted.request["PATH_INFO"] == f"/sales/orders/{order.pk}/edit/"  # the new order's editor
    assert messages_of(converted) == [f"{quotation.number} was converted into {order.number}: check it and confirm it."]
    assert f'href="/sales/quotations/{quotation.pk}/"' in text(converted)
    assert order.number in text(seller.get(f"/sales/quotations/{quotation.pk}/"))  # linked back


def test_a_draft_quotation_converts_from_its_editor_with_what_was_typed(seller, customer, sh, water, tea):
    quotation = services.quotation_create(
        user=seller.user, customer=customer, warehouse=sh, lines=[{"product": water, "qty": D(5)}]
    )
    form = {
        "customer": customer.pk,
        "warehouse": sh.pk,
        "date": timezone.localdate().isoformat(),
        "valid_until": "",
        "note": "",
        **lines((water, "12", "", ""), (tea, "4", "6", "13")),
        "_action": "convert",
    }

    converted = seller.post(f"/sales/quotations/{quotation.pk}/edit/", form)

    order = SalesOrder.objects.get()
    quotation.refresh_from_db()
    assert converted.status_code == 302 and converted["Location"] == f"/sales/orders/{order.pk}/edit/"
    assert (quotation.status, order.quotation, order.status) == ("converted", quotation, "draft")
    assert list(order.lines.values_list("product", "qty", "unit_price")) == [
        (water.pk, D(12), D(80)),  # the product's sale price
        (tea.pk, D(4), D(6)),
    ]
    assert (order.total_net, order.total) == (D("984.00"), D("1111.92"))
    assert seller.get(f"/sales/quotations/{quotation.pk}/edit/")["Location"] == f"/sales/quotations/{quotation.pk}/"


def test_an_expired_quotation_is_marked_and_does_not_convert(seller, customer, sh, water):
    quotation = services.quotation_create(
        user=seller.user,
        customer=customer,
        warehouse=sh,
        date=timezone.localdate() - datetime.timedelta(days=40),
        valid_until=timezone.localdate() - datetime.timedelta(days=10),
        lines=[{"product": water, "qty": D(5), "unit_price": None, "tax_rate": None}],
    )
    services.quotation_send(quotation=quotation, user=seller.user)

    listing = text(seller.get("/sales/quotations/"))
    detail = text(seller.get(f"/sales/quotations/{quotation.pk}/"))
    refused = seller.post(f"/sales/quotations/{quotation.pk}/convert/", follow=True)

    assert re.search(r'<tr class="expired">.*?' + quotation.number, listing)
    assert 'class="badge badge-expired"' in listing and "· expired" in listing
    expiry = quotation.valid_until.isoformat()
    assert f"This quotation expired on {expiry}: it can no longer be converted into an order." in detail
    assert f"/sales/quotations/{quotation.pk}/convert/" not in detail
    assert messages_of(refused) == [f"{quotation.number} expired on {quotation.valid_until}: make a new quotation."]
    quotation.refresh_from_db()
    assert quotation.status == "sent" and SalesOrder.objects.count() == 0


# --- detail, list, print -------------------------------------------------------------------------


def test_the_order_page_shows_delivered_and_open_and_its_deliveries(seller, manager, customer, stock, sh, water):
    order = services.sales_order_confirm(order=draft_order(seller.user, customer, sh, water), user=seller.user)
    line = order.lines.get()
    delivery = deliver(order, user=manager.user, quantities={line: "10"})

    body = text(manager.get(f"/sales/orders/{order.pk}/"))

    assert 'class="badge badge-partially_delivered"' in body
    row = re.search(r"<tbody>\s*<tr>.*?</tr>", body).group(0)
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)[1:4] == ["15", "10", "5"]  # ordered, delivered, open
    assert delivery.number in body and "Deliveries and returns" in body
    try:
        new_delivery = reverse("sales:delivery-new")
    except NoReverseMatch:  # the delivery pages are not there yet
        new_delivery = None
    if new_delivery:
        assert f'href="{new_delivery}?sales_order={order.pk}"' in body
    assert "Confirmed" in body and "Partially delivered" in body  # the timeline

    closed = manager.post(f"/sales/orders/{order.pk}/close/", {"reason": "客户不要了"}, follow=True)
    order.refresh_from_db()
    assert (order.status, order.closed_reason) == ("closed", "客户不要了")
    assert messages_of(closed) == [f"{order.number} was closed."]
    assert balance(water, sh)[2:] == (D(0), D(10))  # 10 left of 20, nothing reserved
    row = re.search(r"<tbody>\s*<tr>.*?</tr>", text(closed)).group(0)
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)[1:3] == ["15", "10"]
    assert 'title="Not to be delivered any more">—' in row  # nothing is open on a closed order
    assert "/sales/deliveries/new/" not in text(closed)


def test_cancelling_a_confirmed_order_releases_its_reservation(seller, customer, stock, sh, water):
    order = services.sales_order_confirm(order=draft_order(seller.user, customer, sh, water), user=seller.user)
    assert balance(water, sh)[2] == D(15)

    response = seller.post(f"/sales/orders/{order.pk}/cancel/", follow=True)

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert messages_of(response) == [f"{order.number} was cancelled."]
    assert balance(water, sh)[2:] == (D(0), D(20))


def test_the_order_list_filters_open_orders_and_totals_them(seller, customer, stock, sh, water):
    draft = draft_order(seller.user, customer, sh, water, qty="1")
    first = services.sales_order_confirm(order=draft_order(seller.user, customer, sh, water), user=seller.user)
    second = services.sales_order_confirm(
        order=draft_order(seller.user, customer, sh, water, qty="2", price="10.00"), user=seller.user
    )

    everything = text(seller.get("/sales/orders/"))
    open_orders = text(seller.get("/sales/orders/?status=open"))
    by_customer = text(seller.get(f"/sales/orders/?customer={customer.pk}&search=PO-NONE"))

    assert all(order.number in everything for order in (draft, first, second))
    assert draft.number not in open_orders and first.number in open_orders and second.number in open_orders
    assert "¥1,378.60" in open_orders  # 1,356.00 + 22.60
    assert "¥1,469.00" in everything  # + the draft's 90.40
    assert "/api/v1/sales-orders/?open=true&amp;format=xlsx" in open_orders
    assert 'class="badge badge-confirmed"' in open_orders and 'class="badge badge-draft"' in everything
    assert first.number not in by_customer


def test_print_views_have_the_number_barcode_customer_and_signatures(seller, customer, sh, water):
    order = draft_order(seller.user, customer, sh, water)
    quotation = services.quotation_create(
        user=seller.user,
        customer=customer,
        warehouse=sh,
        lines=[{"product": water, "qty": D(15), "unit_price": D(80), "tax_rate": D("0.13")}],
    )

    for url, number, signatures in (
        (f"/sales/orders/{order.pk}/print/", order.number, 3),
        (f"/sales/quotations/{quotation.pk}/print/", quotation.number, 2),
    ):
        body = text(seller.get(url))
        assert number in body and f'aria-label="{number}"' in body  # the Code 128 barcode
        assert body.count('class="signature"') == signatures
        assert "上海华联超市" in body and "¥1,200.00" in body and "¥156.00" in body and "¥1,356.00" in body
        assert 'class="sidebar"' not in body


# --- who sees what -------------------------------------------------------------------------------


def test_another_salespersons_documents_are_404(seller, other_seller, manager, customer, sh, water):
    order = draft_order(seller.user, customer, sh, water)
    quotation = services.quotation_create(
        user=seller.user, customer=customer, warehouse=sh, lines=[{"product": water, "qty": D(1)}]
    )

    for url in (
        f"/sales/orders/{order.pk}/",
        f"/sales/orders/{order.pk}/edit/",
        f"/sales/orders/{order.pk}/print/",
        f"/sales/quotations/{quotation.pk}/",
        f"/sales/quotations/{quotation.pk}/print/",
    ):
        assert other_seller.get(url).status_code == 404, url
    assert other_seller.post(f"/sales/orders/{order.pk}/confirm/").status_code == 404
    assert other_seller.post(f"/sales/orders/{order.pk}/cancel/").status_code == 404
    assert other_seller.post(f"/sales/quotations/{quotation.pk}/convert/").status_code == 404
    assert order.number not in text(other_seller.get("/sales/orders/"))
    assert quotation.number not in text(other_seller.get("/sales/quotations/"))
    assert "上海华联超市" not in text(other_seller.get("/sales/orders/"))  # nor in the customer filter

    order.refresh_from_db()
    quotation.refresh_from_db()
    assert (order.status, quotation.status, SalesOrder.objects.count()) == ("draft", "draft", 1)
    assert manager.get(f"/sales/orders/{order.pk}/edit/").status_code == 200


@pytest.mark.parametrize(
    ("department", "orders", "new_order", "quotations", "new_quotation"),
    [
        ("sales", 200, 200, 200, 200),
        ("management", 200, 200, 200, 200),
        ("customer_service", 200, 403, 200, 403),
        ("finance", 200, 403, 200, 403),
        ("warehouse", 200, 403, 403, 403),
        ("purchasing", 403, 403, 403, 403),
    ],
)
def test_who_may_open_the_pages(client_as, department, orders, new_order, quotations, new_quotation):
    client = client_as(department)

    assert client.get("/sales/orders/").status_code == orders
    assert client.get("/sales/orders/new/").status_code == new_order
    assert client.get("/sales/quotations/").status_code == quotations
    assert client.get("/sales/quotations/new/").status_code == new_quotation


def test_a_clerk_sees_the_order_but_may_not_confirm_or_cancel_it(client_as, seller, customer, sh, water):
    clerk = client_as("warehouse", warehouses=[sh])
    order = draft_order(seller.user, customer, sh, water)

    page = text(clerk.get(f"/sales/orders/{order.pk}/"))

    assert page.count("/confirm/") == page.count("/cancel/") == 0
    assert clerk.post(f"/sales/orders/{order.pk}/confirm/").status_code == 403
    assert clerk.post(f"/sales/orders/{order.pk}/cancel/").status_code == 403
    order.refresh_from_db()
    assert order.status == "draft" and balance(water, sh)[2] == D(0)
