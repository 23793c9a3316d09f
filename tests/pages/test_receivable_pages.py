"""Pages of receivables (应收) and customer receipts (收款单), over receivables made by the real
sales services (904.00 and 452.00 delivered, a credit note of 271.20 settling the first:
632.80 + 452.00 owed, both overdue): who may open what, the list's exact totals, the overdue
view, a salesperson seeing only their own customers, receiving through the editor (oldest
first, explicit, over-allocation), cancelling, print."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from apps.finance import services as finance
from apps.finance.models import CashAccount, CustomerReceipt, Receivable
from tests.finance.receivable_helpers import TODAY, D, outstanding, owed_by_customer, sales_world, sell, snapshot

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return re.findall(r'<li class="msg msg-\w+">([^<]*)</li>', response.content.decode())


def totals(response) -> list[str]:
    tfoot = re.search(r"<tfoot>(.*?)</tfoot>", text(response)).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", tfoot)


def tbody(response) -> str:
    return text(response).split("<tbody>")[1].split("</tbody>")[0]


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user):
    world = sales_world(make_user)
    world.update(owed_by_customer(world))
    # The other salesperson's customer: 2 @ 80.00 + 13% = 180.80, delivered today (not due yet).
    (world["theirs"],) = sell(world, customer=world["other_customer"], qty="2", deliveries=("2",), day=TODAY)
    return world


def editor_form(world, amount, **extra):
    return {
        "customer": world["customer"].pk,
        "date": TODAY.isoformat(),
        "account": CashAccount.objects.get(is_default=True).pk,
        "amount": amount,
        "reference": "",
        "note": "",
        **extra,
    }


# --- who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "receivables", "receipts"),
    [
        ("finance", 200, 200),
        ("management", 200, 200),
        ("sales", 200, 403),
        ("customer_service", 200, 403),
        ("warehouse", 403, 403),
        ("purchasing", 403, 403),
        ("it_admin", 403, 403),
    ],
)
def test_pages_open_for_the_right_departments(client_as, department, receivables, receipts):
    client = client_as(department)

    assert client.get("/finance/receivables/").status_code == receivables
    assert client.get("/finance/receivables/overdue/").status_code == receivables
    assert client.get("/finance/receipts/").status_code == receipts
    assert client.get("/finance/receipts/new/").status_code == receipts
    assert client.post("/finance/receipts/allocations/", {"customer": ""}).status_code == receipts


# --- the receivables list --------------------------------------------------------------------


def test_the_list_totals_are_exact_and_overdue_rows_stand_out(client_as, world):
    client = client_as("finance")
    first, second, note = world["first"], world["second"], world["note"]

    page = client.get("/finance/receivables/")

    assert page.status_code == 200
    # 904.00 + 452.00 − 271.20 + 180.80; the note's credit and the credit it gave cancel out.
    assert totals(page) == ["Total", "", "", "", "¥1,265.60", "¥0.00", "¥0.00", "¥1,265.60", ""]
    body = tbody(page)
    # Earliest due first: the credit note is due the day of the return.
    assert re.findall(r"(?:DN|SR)-\d{4}-\d+", body) == [
        note.source_number,
        first.source_number,
        second.source_number,
        world["theirs"].number,
    ]
    assert len(re.findall(r'<tr class="overdue">', body)) == 2  # the two deliveries 40 and 39 days ago
    assert "¥632.80" in body and "-¥271.20" in body

    opened = client.get("/finance/receivables/", {"status": "open"})
    assert totals(opened)[4:8] == ["¥1,536.80", "¥0.00", "¥271.20", "¥1,265.60"]

    overdue = client.get("/finance/receivables/", {"overdue": "true"})
    assert totals(overdue)[4:8] == ["¥1,356.00", "¥0.00", "¥271.20", "¥1,084.80"]

    theirs = client.get("/finance/receivables/", {"customer": world["other_customer"].pk})
    assert totals(theirs)[7] == "¥180.80" and first.source_number not in tbody(theirs)


def test_rows_link_to_their_source_document_when_its_page_exists(client_as, world):
    from apps.inventory.selectors import source_url

    body = client_as("management").get("/finance/receivables/").content.decode()

    url = source_url("delivery", world["deliveries"][0].pk)
    if url:  # the delivery pages are another piece of work: a plain number until they land
        assert f'href="{url}"' in body
    assert world["first"].source_number in body


def test_the_excel_button_downloads_the_filtered_rows(client_as, world):
    client = client_as("customer_service")
    page = client.get("/finance/receivables/", {"overdue": "true"})
    url = re.search(r'<a class="btn" href="([^"]+)"[^>]*download>', page.content.decode()).group(1)
    url = url.replace("&amp;", "&")
    assert url.startswith("/api/v1/receivables/?") and "overdue=true" in url and "format=xlsx" in url

    response = client.get(url)

    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    number, left = header.index("Source number"), header.index("Outstanding")
    assert sorted((row[number], row[left]) for row in rows) == sorted(
        [(world["first"].source_number, 632.80), (world["second"].source_number, 452.00)]
    )


def test_a_salesperson_sees_only_their_own_customers(client, world):
    seller = logged_in(client, world["seller"])

    page = seller.get("/finance/receivables/")

    body = text(page)
    assert totals(page)[7] == "¥1,084.80"
    assert world["first"].source_number in body and world["theirs"].number not in body
    # The customer picker offers their own customer only.
    assert "KH001 上海华联超市" in body and "苏州美家便利" not in body

    other = logged_in(client, world["other_seller"])
    page = other.get("/finance/receivables/")
    assert totals(page)[7] == "¥180.80" and world["first"].source_number not in text(page)
    # Naming another's customer in the URL shows nothing of theirs (a filter error, not their rows).
    named = other.get("/finance/receivables/", {"customer": world["customer"].pk})
    assert named.status_code == 200 and world["first"].source_number not in text(named)
    overdue = other.get("/finance/receivables/overdue/")
    assert "No records yet." in text(overdue) and "苏州美家便利" not in tbody(overdue)


# --- the overdue view --------------------------------------------------------------------------


def test_the_overdue_view_shows_days_overdue_and_the_salesperson(client_as, world):
    world["seller"].full_name = "王小明"
    world["seller"].save()
    client = client_as("finance")

    page = client.get("/finance/receivables/overdue/")

    body = text(page)
    assert page.status_code == 200 and "Overdue receivables" in body
    rows = re.findall(r"<tr>(.*?)</tr>", tbody(page))
    cells = [re.findall(r"<td[^>]*>(?:<a [^>]*>)?([^<]*)", row) for row in rows]
    assert [(c[0], c[1], c[2], c[5], c[7]) for c in cells] == [
        ("KH001 上海华联超市", "王小明", world["first"].source_number, "10", "¥632.80"),
        ("KH001 上海华联超市", "王小明", world["second"].source_number, "9", "¥452.00"),
    ]
    assert totals(page)[6:8] == ["¥1,356.00", "¥1,084.80"]
    assert f'href="/finance/receipts/new/?customer={world["customer"].pk}"' in page.content.decode()
    # The salesperson filter narrows it; customer service reads it but records no receipt.
    mine = client.get("/finance/receivables/overdue/", {"salesperson": world["other_seller"].pk})
    assert "No records yet." in text(mine) or "Nothing matches" in text(mine)
    service = client_as("customer_service").get("/finance/receivables/overdue/")
    assert "/finance/receipts/new/" not in service.content.decode()
    assert totals(service)[7] == "¥1,084.80"


# --- receiving through the editor ----------------------------------------------------------------


def test_the_editor_lists_the_customers_open_receivables(client_as, world):
    client = client_as("finance")

    page = client.get("/finance/receipts/new/", {"customer": world["customer"].pk})

    html = page.content.decode()
    assert page.status_code == 200
    assert re.findall(r'name="alloc-(\d+)"', html) == [str(world["first"].pk), str(world["second"].pk)]
    assert "Open receivables" in html and "Owed by this customer" in html
    filled = client.post(
        "/finance/receipts/allocations/", {"customer": world["customer"].pk, "amount": "1000", "fill": "oldest"}
    ).content.decode()
    assert re.findall(r'name="alloc-\d+" value="([^"]*)"', filled) == ["632.80", "367.20"]
    figures = dict(re.findall(r'data-figure="(\w+)"[^>]*>([^<]*)<', filled))
    assert figures == {"amount": "¥1,000.00", "allocated": "¥1,000.00", "unallocated": "¥0.00", "owed": "¥1,084.80"}
    nobody = client.post("/finance/receipts/allocations/", {"customer": ""}).content.decode()
    assert "Choose a customer to see what it owes." in nobody


def test_receiving_1000_oldest_first_through_the_page(client_as, world):
    client = client_as("finance")

    response = client.post("/finance/receipts/new/", editor_form(world, "1000", _action="post"), follow=True)

    receipt = CustomerReceipt.objects.get()
    assert receipt.status == "posted"
    assert messages_of(response) == [f"{receipt.number} was posted."]
    assert response.request["PATH_INFO"] == f"/finance/receipts/{receipt.pk}/"
    assert list(receipt.allocations.order_by("id").values_list("receivable_id", "amount")) == [
        (world["first"].pk, D("632.80")),
        (world["second"].pk, D("367.20")),
    ]
    assert outstanding(world["first"], world["second"]) == [D("0.00"), D("84.80")]
    body = text(response)
    assert "badge-posted" in body and "¥367.20" in body and "¥84.80" in body
    assert f'action="/finance/receipts/{receipt.pk}/cancel/"' in body


def test_an_explicit_allocation_saved_then_posted(client_as, world):
    client = client_as("finance")
    second = world["second"]
    form = editor_form(world, "500", **{f"alloc-{second.pk}": "400", "_action": "save"})

    saved = client.post("/finance/receipts/new/", form)

    receipt = CustomerReceipt.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/finance/receipts/{receipt.pk}/edit/"
    assert list(receipt.allocations.values_list("receivable_id", "amount")) == [(second.pk, D("400.00"))]
    reopened = client.get(saved["Location"]).content.decode()
    assert re.findall(r'name="alloc-\d+" value="([^"]*)"', reopened) == ["", "400.00"]
    assert f'name="receipt" value="{receipt.pk}"' in reopened

    client.post(f"/finance/receipts/{receipt.pk}/edit/", {**form, "_action": "post"})

    receipt.refresh_from_db()
    assert receipt.status == "posted"
    assert sorted(receipt.allocations.values_list("receivable_id", "amount")) == sorted(
        [(second.pk, D("400.00")), (world["first"].pk, D("100.00"))]
    )
    assert outstanding(world["first"], second) == [D("532.80"), D("52.00")]


def test_more_than_an_items_outstanding_keeps_the_draft_and_says_why(client_as, world):
    client = client_as("finance")
    second = world["second"]
    form = editor_form(world, "500", **{f"alloc-{second.pk}": "460.00", "_action": "post"})

    response = client.post("/finance/receipts/new/", form)

    receipt = CustomerReceipt.objects.get()
    assert response.status_code == 409 and receipt.status == "draft"
    assert (
        f"{receipt.number} was saved as a draft but not posted: 460.00 is more than the 452.00 outstanding on "
        f"{second.source_number}." in text(response)
    )
    assert re.findall(r'name="alloc-\d+" value="([^"]*)"', response.content.decode()) == ["", "460.00"]
    assert outstanding(world["first"], second) == [D("632.80"), D("452.00")]


def test_more_than_the_customer_owes_is_refused_with_the_numbers(client_as, world):
    client = client_as("finance")

    response = client.post("/finance/receipts/new/", editor_form(world, "1100", _action="post"))

    assert response.status_code == 409
    assert "The receipt of 1100.00 is more than the 1084.80 this customer owes." in text(response)
    assert CustomerReceipt.objects.get().status == "draft"
    assert outstanding(world["first"], world["second"]) == [D("632.80"), D("452.00")]


def test_bad_input_stays_on_the_form_and_nothing_is_written(client_as, world):
    client = client_as("finance")
    first, second = world["first"], world["second"]
    before = snapshot()

    too_much = client.post(
        "/finance/receipts/new/",
        editor_form(world, "100", **{f"alloc-{first.pk}": "60", f"alloc-{second.pk}": "50", "_action": "save"}),
    )
    typo = client.post("/finance/receipts/new/", editor_form(world, "100", **{f"alloc-{first.pk}": "12x"}))
    no_amount = client.post("/finance/receipts/new/", editor_form(world, "abc"))

    assert too_much.status_code == 400
    assert "The allocations add up to 110.00, more than the amount of 100.00." in text(too_much)
    assert typo.status_code == 400 and "“12x” is not an amount." in text(typo)
    assert no_amount.status_code == 400
    assert snapshot() == before


def test_another_salespersons_customer_cannot_be_chosen_in_the_editor(client_as, world):
    """The receipt editor offers the customers the user sees; finance sees all of them."""
    html = client_as("finance").get("/finance/receipts/new/").content.decode()

    assert "KH001 上海华联超市" in html and "KH002 苏州美家便利" in html


def test_sales_cannot_receive_and_nothing_changes(client, world):
    seller = logged_in(client, world["seller"])
    draft = finance.customer_receipt_create(user=world["finance"], customer=world["customer"], amount=D("100"))
    before = snapshot()

    assert seller.post("/finance/receipts/new/", editor_form(world, "500", _action="post")).status_code == 403
    assert seller.post(f"/finance/receipts/{draft.pk}/post/").status_code == 403
    assert seller.get(f"/finance/receipts/{draft.pk}/").status_code == 403

    assert snapshot() == before


def test_cancel_through_the_detail_page_restores_the_outstanding_amounts(client_as, world):
    client = client_as("management")
    client.post("/finance/receipts/new/", editor_form(world, "1000", _action="post"))
    receipt = CustomerReceipt.objects.get()

    response = client.post(f"/finance/receipts/{receipt.pk}/cancel/", follow=True)

    receipt.refresh_from_db()
    assert receipt.status == "cancelled"
    assert messages_of(response)[-1] == f"{receipt.number} was cancelled."
    assert outstanding(world["first"], world["second"]) == [D("632.80"), D("452.00")]
    assert list(Receivable.objects.filter(pk__in=[world["first"].pk, world["second"].pk]).values_list("status")) == [
        ("open",),
        ("open",),
    ]
    body = text(response)
    assert "badge-cancelled" in body and "the receivables are owed again" in body
    assert "/cancel/" not in body.split('class="page-head"')[1].split("</div>")[0]
    assert re.findall(r"<strong>(\w+)</strong>", body.split('class="timeline"')[1]) == [
        "Created",
        "Posted",
        "Cancelled",
    ]


def test_post_and_cancel_buttons_follow_the_permission(client, world, make_user):
    receipt = finance.customer_receipt_create(user=world["finance"], customer=world["customer"], amount=D("100"))
    reader = make_user("customer_service")  # sees every customer; reads receipts by this grant only
    reader.user_permissions.add(Permission.objects.get(codename="view_customerreceipt"))
    page = logged_in(client, reader).get(f"/finance/receipts/{receipt.pk}/")
    html = page.content.decode()
    assert page.status_code == 200  # a draft stays on its detail page for one who may not edit it
    assert "/post/" not in html and "/cancel/" not in html

    poster = make_user("finance")
    assert logged_in(client, poster).get(f"/finance/receipts/{receipt.pk}/")["Location"].endswith("/edit/")
    response = client.post(f"/finance/receipts/{receipt.pk}/post/", follow=True)
    assert messages_of(response) == [f"{receipt.number} was posted."]
    assert outstanding(world["first"], world["second"]) == [D("532.80"), D("452.00")]


def test_print_view_shows_number_barcode_and_allocations(client_as, world):
    client = client_as("finance")
    client.post("/finance/receipts/new/", editor_form(world, "1000", _action="post"))
    receipt = CustomerReceipt.objects.get()

    page = client.get(f"/finance/receipts/{receipt.pk}/print/")

    body = text(page)
    assert page.status_code == 200
    assert receipt.number in body and "<svg" in body
    assert world["second"].source_number in body and "¥367.20" in body and "Receipt amount" in body
    assert "¥1,000.00" in body


def test_receipt_list_filters_and_totals(client_as, world):
    cashier = world["finance"]
    for amount in ("100.00", "250.50"):
        receipt = finance.customer_receipt_create(user=cashier, customer=world["customer"], amount=D(amount))
        finance.customer_receipt_post(receipt=receipt, user=cashier)
    finance.customer_receipt_create(user=cashier, customer=world["other_customer"], amount=D("9.99"))
    client = client_as("finance")

    assert "¥360.49" in totals(client.get("/finance/receipts/"))
    assert "¥350.50" in totals(client.get("/finance/receipts/", {"status": "posted"}))
    assert "¥9.99" in totals(client.get("/finance/receipts/", {"customer": world["other_customer"].pk}))
    assert "¥9.99" in totals(client.get("/finance/receipts/", {"search": "美家"}))
