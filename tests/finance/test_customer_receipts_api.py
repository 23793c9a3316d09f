"""/api/v1/customer-receipts/ (收款单) over receivables made by the real sales services: the
issue's receipt of 1,000 oldest first (632.80 + 367.20, 84.80 left), explicit allocations,
over_allocation refused with nothing changed, cancelling gives the amounts back, who may do
what, and malformed bodies (400, never 500)."""

import io
import json

import openpyxl
import pytest

from apps.finance import receivables
from apps.finance.models import CashAccount, CustomerReceipt

from .api_helpers import ok, refused
from .receivable_helpers import (
    DAY,
    RECEIPTS,
    RECEIVABLES,
    D,
    outstanding,
    owed_by_customer,
    sales_world,
    sell,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    world = sales_world(make_user)
    world.update(owed_by_customer(world))
    return world


@pytest.fixture
def finance(api_as):
    return api_as("finance")


def draft(client, world, amount, **extra) -> dict:
    return ok(client.post(RECEIPTS, {"customer": world["customer"].pk, "amount": amount, **extra}, format="json"), 201)


def allocations(receipt) -> list[tuple]:
    return [(a["source_number"], a["amount"]) for a in receipt["allocations"]]


def test_a_receipt_of_1000_goes_to_the_oldest_first(world, finance):
    first, second = world["first"], world["second"]
    assert outstanding(first, second) == [D("632.80"), D("452.00")]  # the credit note settled the first
    receipt = draft(finance, world, "1000", reference="工行回单 0091", date=DAY.isoformat())
    assert (receipt["status"], receipt["amount"], receipt["allocations"]) == ("draft", "1000.00", [])
    assert receipt["account"] == CashAccount.objects.get(is_default=True).pk  # none named: the default
    assert receipt["customer_name"] == "上海华联超市" and receipt["number"].startswith("RC-")

    receipt = ok(finance.post(f"{RECEIPTS}{receipt['id']}/post/"))

    assert receipt["status"] == "posted"
    assert allocations(receipt) == [(first.source_number, "632.80"), (second.source_number, "367.20")]
    assert outstanding(first, second) == [D("0.00"), D("84.80")]
    items = {row["source_number"]: row for row in ok(finance.get(RECEIVABLES, {"status": "open"}))["results"]}
    assert [(n, r["paid"], r["outstanding"]) for n, r in items.items()] == [(second.source_number, "367.20", "84.80")]
    assert receivables.customer_balance(world["customer"].pk) == D("84.80")
    # Posting again changes nothing.
    again = ok(finance.post(f"{RECEIPTS}{receipt['id']}/post/"))
    assert allocations(again) == allocations(receipt)
    assert outstanding(first, second) == [D("0.00"), D("84.80")]


def test_an_explicit_allocation_first_then_the_rest_oldest_first(world, finance):
    first, second = world["first"], world["second"]
    receipt = draft(finance, world, "500", allocations=[{"receivable": second.pk, "amount": "400"}])
    assert allocations(receipt) == [(second.source_number, "400.00")]

    receipt = ok(finance.post(f"{RECEIPTS}{receipt['id']}/post/"))

    assert allocations(receipt) == [(second.source_number, "400.00"), (first.source_number, "100.00")]
    assert outstanding(first, second) == [D("532.80"), D("52.00")]


def test_a_partial_receipt_on_the_newer_item_only(world, finance):
    first, second = world["first"], world["second"]
    receipt = draft(finance, world, "452", allocations=[{"receivable": second.pk, "amount": "452.00"}])

    receipt = ok(finance.post(f"{RECEIPTS}{receipt['id']}/post/"))

    assert allocations(receipt) == [(second.source_number, "452.00")]
    assert outstanding(first, second) == [D("632.80"), D("0.00")]
    assert ok(finance.get(f"{RECEIVABLES}{second.pk}/"))["status"] == "paid"


def test_more_than_the_customer_owes_is_over_allocation_and_changes_nothing(world, finance):
    receipt = draft(finance, world, "1100")
    before = snapshot()

    body = refused(finance.post(f"{RECEIPTS}{receipt['id']}/post/"), 409, "over_allocation")

    assert body["owed"] == "1084.80"
    assert body["detail"] == "The receipt of 1100.00 is more than the 1084.80 this customer owes."
    assert snapshot() == before
    assert ok(finance.get(f"{RECEIPTS}{receipt['id']}/"))["status"] == "draft"


def test_more_than_an_items_outstanding_is_over_allocation_and_changes_nothing(world, finance):
    first, second = world["first"], world["second"]
    receipt = draft(finance, world, "700", allocations=[{"receivable": first.pk, "amount": "632.81"}])
    before = snapshot()

    body = refused(finance.post(f"{RECEIPTS}{receipt['id']}/post/"), 409, "over_allocation")

    assert body["outstanding"] == "632.80"
    assert first.source_number in body["detail"]
    assert snapshot() == before
    assert outstanding(first, second) == [D("632.80"), D("452.00")]


def test_an_item_already_paid_off_is_over_allocation(world, finance):
    second = world["second"]
    paid = draft(finance, world, "452", allocations=[{"receivable": second.pk, "amount": "452"}])
    ok(finance.post(f"{RECEIPTS}{paid['id']}/post/"))
    late = draft(finance, world, "10", allocations=[{"receivable": second.pk, "amount": "10"}])
    before = snapshot()

    refused(finance.post(f"{RECEIPTS}{late['id']}/post/"), 409, "over_allocation")

    assert snapshot() == before


def test_allocations_refused_when_the_draft_is_written(world, finance):
    first, second = world["first"], world["second"]
    (theirs,) = sell(world, customer=world["other_customer"], qty="1", deliveries=("1",))
    their_item = receivables.BOOK.item_of(receivables.Source(type="delivery", id=theirs.pk, number=theirs.number))
    before = snapshot()

    more_than_amount = finance.post(
        RECEIPTS,
        {
            "customer": world["customer"].pk,
            "amount": "100",
            "allocations": [{"receivable": first.pk, "amount": "60"}, {"receivable": second.pk, "amount": "50"}],
        },
        format="json",
    )
    another_customers = finance.post(
        RECEIPTS,
        {
            "customer": world["customer"].pk,
            "amount": "10",
            "allocations": [{"receivable": their_item.pk, "amount": "5"}],
        },
        format="json",
    )
    twice = finance.post(
        RECEIPTS,
        {
            "customer": world["customer"].pk,
            "amount": "10",
            "allocations": [{"receivable": first.pk, "amount": "5"}, {"receivable": first.pk, "amount": "5"}],
        },
        format="json",
    )

    assert refused(more_than_amount, 400)["allocations"] == [
        "The allocations add up to 110.00, more than the amount of 100.00."
    ]
    assert refused(another_customers, 400)["allocations"] == [
        f"Line 1: {theirs.number} is not a receivable of this customer."
    ]
    assert refused(twice, 400)["allocations"] == ["Line 2: this item is already allocated above."]
    assert snapshot() == before


def test_cancelling_a_posted_receipt_gives_the_amounts_back(world, finance):
    first, second = world["first"], world["second"]
    receipt = draft(finance, world, "1000")
    ok(finance.post(f"{RECEIPTS}{receipt['id']}/post/"))
    assert outstanding(first, second) == [D("0.00"), D("84.80")]

    receipt = ok(finance.post(f"{RECEIPTS}{receipt['id']}/cancel/"))

    assert receipt["status"] == "cancelled"
    assert allocations(receipt) == [(first.source_number, "632.80"), (second.source_number, "367.20")]  # kept
    assert outstanding(first, second) == [D("632.80"), D("452.00")]
    statuses = {r["source_number"]: r["status"] for r in ok(finance.get(RECEIVABLES))["results"]}
    assert (statuses[first.source_number], statuses[second.source_number]) == ("open", "open")
    assert receivables.customer_balance(world["customer"].pk) == D("1084.80")
    before = snapshot()
    refused(finance.post(f"{RECEIPTS}{receipt['id']}/cancel/"), 409, "invalid_state")
    refused(finance.post(f"{RECEIPTS}{receipt['id']}/post/"), 409, "invalid_state")
    refused(finance.patch(f"{RECEIPTS}{receipt['id']}/", {"amount": "5"}, format="json"), 409, "invalid_state")
    assert snapshot() == before


def test_a_draft_is_changed_with_put_and_patch(world, finance):
    second = world["second"]
    bank = CashAccount.objects.create(code="1002", name="工商银行基本户", kind="bank")
    receipt = draft(finance, world, "100")

    receipt = ok(
        finance.patch(
            f"{RECEIPTS}{receipt['id']}/",
            {"amount": "200", "account": bank.pk, "allocations": [{"receivable": second.pk, "amount": "200"}]},
            format="json",
        )
    )
    assert (receipt["amount"], receipt["account"], allocations(receipt)) == (
        "200.00",
        bank.pk,
        [(second.source_number, "200.00")],
    )
    receipt = ok(finance.patch(f"{RECEIPTS}{receipt['id']}/", {"note": "分两次收"}, format="json"))
    assert (receipt["note"], len(receipt["allocations"])) == ("分两次收", 1)  # allocations kept
    receipt = ok(
        finance.put(
            f"{RECEIPTS}{receipt['id']}/",
            {"customer": world["customer"].pk, "amount": "300", "account": bank.pk, "allocations": []},
            format="json",
        )
    )
    assert (receipt["amount"], receipt["allocations"]) == ("300.00", [])

    receipt = ok(finance.post(f"{RECEIPTS}{receipt['id']}/post/"))
    assert allocations(receipt) == [(world["first"].source_number, "300.00")]
    assert CustomerReceipt.objects.get(pk=receipt["id"]).account == bank


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"amount": "abc"}, {"amount"}),
        ({"amount": "-5"}, {"amount"}),
        ({"amount": "0"}, {"amount"}),
        ({"amount": "1.234"}, {"amount"}),
        ({"amount": "1e400"}, {"amount"}),
        ({"amount": "NaN"}, {"amount"}),
        ({"amount": None}, {"amount"}),
        ({"customer": None}, {"customer"}),
        ({"customer": 999999}, {"customer"}),
        ({"customer": "KH001"}, {"customer"}),
        ({"account": 999999}, {"account"}),
        ({"date": "yesterday"}, {"date"}),
        ({"allocations": "all of it"}, {"allocations"}),
        ({"allocations": {"receivable": 1}}, {"allocations"}),
        ({"allocations": [{"receivable": 999999, "amount": "5"}]}, {"allocations"}),
        ({"allocations": [{"receivable": "first", "amount": "5"}]}, {"allocations"}),
        ({"allocations": [{"amount": "5"}]}, {"allocations"}),
        ({"allocations": ["5"]}, {"allocations"}),
        ({"allocations": [{"receivable": "FIRST", "amount": "-1"}]}, {"allocations"}),
        ({"allocations": [{"receivable": "FIRST", "amount": "x"}]}, {"allocations"}),
        ({"allocations": [{"receivable": "FIRST", "amount": "0"}]}, {"allocations"}),
    ],
)
def test_malformed_bodies_are_400_and_change_nothing(world, finance, body, fields):
    if "allocations" in body and isinstance(body["allocations"], list):
        body = json.loads(json.dumps(body).replace('"FIRST"', str(world["first"].pk)))
    payload = {"customer": world["customer"].pk, "amount": "100", **body}
    before = snapshot()

    response = finance.post(RECEIPTS, payload, format="json")

    assert set(refused(response, 400)) == fields
    assert snapshot() == before


def test_bodies_that_are_not_objects_are_400(world, finance):
    receipt = draft(finance, world, "10")
    before = snapshot()

    for data, content_type in (("[1, 2]", "application/json"), ("{not json", "application/json"), ("x", "text/csv")):
        assert finance.post(RECEIPTS, data, content_type=content_type).status_code in (400, 415)
        assert finance.patch(f"{RECEIPTS}{receipt['id']}/", data, content_type=content_type).status_code in (400, 415)
    assert finance.post(f"{RECEIPTS}999999/post/").status_code == 404
    assert snapshot() == before


def test_sales_cannot_write_or_post_receipts(api_as, world, finance):
    receipt = draft(finance, world, "100")
    seller = api_as(None)
    seller.force_authenticate(world["seller"])
    before = snapshot()

    refused(seller.post(RECEIPTS, {"customer": world["customer"].pk, "amount": "100"}, format="json"), 403)
    refused(seller.post(f"{RECEIPTS}{receipt['id']}/post/"), 403)
    refused(seller.post(f"{RECEIPTS}{receipt['id']}/cancel/"), 403)
    refused(seller.get(RECEIPTS), 403)

    assert snapshot() == before
    assert outstanding(world["first"], world["second"]) == [D("632.80"), D("452.00")]


@pytest.mark.parametrize("department", ["customer_service", "warehouse", "purchasing", "it_admin"])
def test_other_departments_cannot_read_or_post_receipts(api_as, world, finance, department):
    receipt = draft(finance, world, "100")
    client = api_as(department)
    before = snapshot()

    refused(client.get(RECEIPTS), 403)
    refused(client.get(f"{RECEIPTS}{receipt['id']}/"), 403)
    refused(client.post(f"{RECEIPTS}{receipt['id']}/post/"), 403)

    assert snapshot() == before


def test_management_posts_and_cancels(api_as, world, finance):
    manager = api_as("management")
    receipt = draft(finance, world, "632.80")

    ok(manager.post(f"{RECEIPTS}{receipt['id']}/post/"))
    assert outstanding(world["first"], world["second"]) == [D("0.00"), D("452.00")]
    ok(manager.post(f"{RECEIPTS}{receipt['id']}/cancel/"))
    assert outstanding(world["first"], world["second"]) == [D("632.80"), D("452.00")]


def test_filters_and_excel(world, finance):
    other = world["other_customer"]
    sell(world, customer=other, qty="1", deliveries=("1",))  # 90.40 owed by the other customer
    posted = draft(finance, world, "100", reference="R-1")
    ok(finance.post(f"{RECEIPTS}{posted['id']}/post/"))
    waiting = ok(finance.post(RECEIPTS, {"customer": other.pk, "amount": "7"}, format="json"), 201)

    def ids(**query):
        return [r["id"] for r in ok(finance.get(RECEIPTS, query))["results"]]

    assert ids(status="posted") == [posted["id"]]
    assert ids(status="draft,posted", ordering="amount") == [waiting["id"], posted["id"]]
    assert ids(customer=other.pk) == [waiting["id"]]
    assert ids(search="R-1") == [posted["id"]]
    assert ids(search="美家") == [waiting["id"]]
    refused(finance.get(RECEIPTS, {"status": "paid"}), 400)

    response = finance.get(RECEIPTS, {"format": "xlsx", "ordering": "amount"})
    assert response["Content-Disposition"].startswith('attachment; filename="customer-receipts-')
    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert [(row[header.index("Number")], row[header.index("Amount")]) for row in rows] == [
        (waiting["number"], 7),
        (posted["number"], 100),
    ]
