"""/api/v1/supplier-payments/: drafts with requested allocations (empty = oldest first at
posting), posting shows the allocations made, cancelling gives the amounts back; the default
account when none is named; filters and Excel."""

import io

import openpyxl
import pytest

from apps.finance.models import CashAccount
from tests.factories import SupplierFactory

from .api_helpers import DAY, PAYABLES, PAYMENTS, approved_order, make_world, ok, receive, refused, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api_as):
    """678.00 (first receipt, due first) and 452.00 owed to the supplier."""
    world = make_world(api_as)
    order = approved_order(world)
    world["first"] = receive(world, order, 60)
    world["second"] = receive(world, order, 40, day=DAY.replace(day=3))
    world["payables"] = {row["source_number"]: row["id"] for row in ok(world["finance"].get(PAYABLES))["results"]}
    return world


def owed(world) -> dict:
    return {
        row["source_number"]: (row["paid"], row["outstanding"], row["status"])
        for row in ok(world["finance"].get(PAYABLES, {"supplier": world["supplier"].pk}))["results"]
    }


def test_an_explicit_allocation_first_then_the_rest_oldest_first(world):
    finance, first, second = world["finance"], world["first"]["number"], world["second"]["number"]
    payment = ok(
        finance.post(
            PAYMENTS,
            {
                "supplier": world["supplier"].pk,
                "amount": "500",
                "reference": "银行回单 88",
                "allocations": [{"payable": world["payables"][second], "amount": "452"}],
            },
        ),
        201,
    )
    assert payment["allocations"] == [
        {"payable": world["payables"][second], "source_number": second, "amount": "452.00"}
    ]

    payment = ok(finance.post(f"{PAYMENTS}{payment['id']}/post/"))

    assert [(a["source_number"], a["amount"]) for a in payment["allocations"]] == [(second, "452.00"), (first, "48.00")]
    assert owed(world) == {first: ("48.00", "630.00", "open"), second: ("452.00", "0.00", "paid")}


def test_cancelling_a_posted_payment_gives_the_amounts_back(world):
    finance, first, second = world["finance"], world["first"]["number"], world["second"]["number"]
    payment = ok(finance.post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "1000"}), 201)
    ok(finance.post(f"{PAYMENTS}{payment['id']}/post/"))
    assert owed(world) == {first: ("678.00", "0.00", "paid"), second: ("322.00", "130.00", "open")}

    payment = ok(finance.post(f"{PAYMENTS}{payment['id']}/cancel/"))

    assert payment["status"] == "cancelled"
    assert owed(world) == {first: ("0.00", "678.00", "open"), second: ("0.00", "452.00", "open")}
    before = snapshot()
    refused(finance.post(f"{PAYMENTS}{payment['id']}/cancel/"), 409, "invalid_state")
    refused(finance.post(f"{PAYMENTS}{payment['id']}/post/"), 409, "invalid_state")
    assert snapshot() == before


def test_a_draft_is_changed_with_put_and_patch(world):
    finance, second = world["finance"], world["second"]["number"]
    account = CashAccount.objects.create(code="1002", name="工商银行", kind="bank")
    payment = ok(finance.post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "100"}), 201)

    payment = ok(
        finance.patch(
            f"{PAYMENTS}{payment['id']}/",
            {
                "amount": "200",
                "account": account.pk,
                "allocations": [{"payable": world["payables"][second], "amount": "200"}],
            },
        )
    )
    assert (payment["amount"], payment["account"], [a["amount"] for a in payment["allocations"]]) == (
        "200.00",
        account.pk,
        ["200.00"],
    )
    payment = ok(finance.patch(f"{PAYMENTS}{payment['id']}/", {"note": "分两次付"}))
    assert (payment["note"], len(payment["allocations"])) == ("分两次付", 1)  # allocations kept
    payment = ok(finance.patch(f"{PAYMENTS}{payment['id']}/", {"allocations": []}))
    assert payment["allocations"] == []

    payment = ok(finance.post(f"{PAYMENTS}{payment['id']}/post/"))
    assert [(a["source_number"], a["amount"]) for a in payment["allocations"]] == [(world["first"]["number"], "200.00")]


def test_no_default_account_asks_for_one(world):
    CashAccount.objects.update(is_default=False)
    before = snapshot()

    body = refused(world["finance"].post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "10"}), 400)

    assert list(body) == ["account"]
    assert snapshot() == before


def test_paying_a_supplier_nothing_is_owed_to_is_over_allocation(world):
    other = SupplierFactory()
    payment = ok(world["finance"].post(PAYMENTS, {"supplier": other.pk, "amount": "10"}), 201)
    before = snapshot()

    body = refused(world["finance"].post(f"{PAYMENTS}{payment['id']}/post/"), 409, "over_allocation")

    assert body["owed"] == "0.00"
    assert snapshot() == before


def test_filters_and_excel(world):
    finance = world["finance"]
    other = SupplierFactory(name="别家")
    paid = ok(finance.post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "100", "reference": "R-1"}), 201)
    ok(finance.post(f"{PAYMENTS}{paid['id']}/post/"))
    draft = ok(finance.post(PAYMENTS, {"supplier": other.pk, "amount": "7"}), 201)

    def ids(**query):
        return [p["id"] for p in ok(finance.get(PAYMENTS, query))["results"]]

    assert ids(status="posted") == [paid["id"]]
    assert ids(status="draft,posted", ordering="amount") == [draft["id"], paid["id"]]
    assert ids(supplier=other.pk) == [draft["id"]]
    assert ids(search="R-1") == [paid["id"]]
    assert ids(search="别家") == [draft["id"]]

    response = finance.get(PAYMENTS, {"format": "xlsx", "ordering": "amount"})
    assert response["Content-Disposition"].startswith('attachment; filename="supplier-payments-')
    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert [(row[header.index("Number")], row[header.index("Amount")]) for row in rows] == [
        (draft["number"], 7),
        (paid["number"], 100),
    ]
