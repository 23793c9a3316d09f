"""Bad input and refused states over the purchasing and payment API: 400 with the field named
for invalid input, 409 with the contract's code when the business state refuses, never a 500,
and nothing written either way. Idempotency-Key on posting replays the first answer."""

import pytest

from apps.finance.models import SupplierPayment
from apps.inventory.models import StockLedgerEntry
from apps.purchasing.models import PurchaseReceipt
from tests.finance.api_helpers import (
    ORDERS,
    PAYABLES,
    PAYMENTS,
    RECEIPTS,
    RETURNS,
    D,
    approved_order,
    draft_order,
    draft_receipt,
    make_world,
    ok,
    receive,
    refused,
    snapshot,
    stock,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api_as):
    return make_world(api_as)


def order_payload(world, **line):
    return {
        "supplier": world["supplier"].pk,
        "warehouse": world["warehouse"].pk,
        "lines": [{"product": world["product"].pk, "qty": "5", **line}],
    }


def test_receiving_against_a_draft_order_is_invalid_state(world):
    order = draft_order(world)
    before = snapshot()

    body = refused(world["clerk"].post(RECEIPTS, {"purchase_order": order["id"]}), 409, "invalid_state")

    assert order["number"] in body["detail"]
    assert snapshot() == before


def test_receiving_against_a_cancelled_order_is_invalid_state(world):
    order = approved_order(world)
    assert ok(world["buyer"].post(f"{ORDERS}{order['id']}/cancel/"))["status"] == "cancelled"
    assert stock(world) == (D(0), D(0), D(0))  # no longer ordered
    before = snapshot()

    refused(world["clerk"].post(RECEIPTS, {"purchase_order": order["id"]}), 409, "invalid_state")

    assert snapshot() == before


def test_posting_a_draft_receipt_after_its_order_was_closed_is_invalid_state(world):
    order = approved_order(world)
    receive(world, order, 60)
    receipt = draft_receipt(world, order, 40)
    closed = ok(world["buyer"].post(f"{ORDERS}{order['id']}/close/", {"reason": "供应商缺货"}))
    assert (closed["status"], closed["closed_reason"]) == ("closed", "供应商缺货")
    before = snapshot()

    refused(world["clerk"].post(f"{RECEIPTS}{receipt['id']}/post/"), 409, "invalid_state")

    assert snapshot() == before
    assert stock(world) == (D(60), D("600.00"), D(0))


def test_cancelling_an_order_with_goods_received_is_invalid_state(world):
    order = approved_order(world)
    receive(world, order, 60)
    before = snapshot()

    refused(world["buyer"].post(f"{ORDERS}{order['id']}/cancel/"), 409, "invalid_state")

    assert snapshot() == before


def test_over_receipt_is_refused_with_the_figures(world):
    order = approved_order(world)
    receive(world, order, 60)
    before = snapshot()

    body = refused(
        world["clerk"].post(
            RECEIPTS,
            {"purchase_order": order["id"], "lines": [{"purchase_order_line": order["lines"][0]["id"], "qty": "41"}]},
        ),
        409,
        "over_receipt",
    )

    assert (body["ordered"], body["received"], body["requested"]) == ("100.0000", "60.0000", "41.0000")
    assert snapshot() == before
    assert stock(world) == (D(60), D("600.00"), D(40))


def test_two_drafts_that_together_receive_too_much_post_one_after_the_other(world):
    order = approved_order(world)
    first, second = draft_receipt(world, order, 60), draft_receipt(world, order, 60)
    ok(world["clerk"].post(f"{RECEIPTS}{first['id']}/post/"))
    before = snapshot()

    refused(world["clerk"].post(f"{RECEIPTS}{second['id']}/post/"), 409, "over_receipt")

    assert snapshot() == before
    assert PurchaseReceipt.objects.get(pk=second["id"]).status == "draft"


def test_returning_more_than_received_is_over_return(world):
    order = approved_order(world)
    receipt = receive(world, order, 60)
    line = receipt["lines"][0]["id"]
    earlier = world["clerk"].post(
        RETURNS, {"purchase_receipt": receipt["id"], "lines": [{"purchase_receipt_line": line, "qty": "50"}]}
    )
    ok(world["clerk"].post(f"{RETURNS}{ok(earlier, 201)['id']}/post/"))
    before = snapshot()

    body = refused(
        world["clerk"].post(
            RETURNS, {"purchase_receipt": receipt["id"], "lines": [{"purchase_receipt_line": line, "qty": "11"}]}
        ),
        409,
        "over_return",
    )

    assert (body["received"], body["returned"], body["requested"]) == ("60.0000", "50.0000", "11.0000")
    assert snapshot() == before
    assert stock(world) == (D(10), D("100.00"), D(40))


def test_paying_more_than_owed_is_over_allocation(world):
    order = approved_order(world)
    receive(world, order, 60)  # 678.00 owed
    payment = ok(world["finance"].post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "678.01"}), 201)
    before = snapshot()

    body = refused(world["finance"].post(f"{PAYMENTS}{payment['id']}/post/"), 409, "over_allocation")

    assert body["owed"] == "678.00"
    assert snapshot() == before
    assert ok(world["finance"].get(f"{PAYMENTS}{payment['id']}/"))["status"] == "draft"


def test_an_explicit_allocation_above_the_outstanding_is_over_allocation(world):
    order = approved_order(world)
    receive(world, order, 60)
    payable = ok(world["finance"].get(PAYABLES))["results"][0]
    payment = ok(
        world["finance"].post(
            PAYMENTS,
            {
                "supplier": world["supplier"].pk,
                "amount": "700",
                "allocations": [{"payable": payable["id"], "amount": "700"}],
            },
        ),
        201,
    )
    before = snapshot()

    body = refused(world["finance"].post(f"{PAYMENTS}{payment['id']}/post/"), 409, "over_allocation")

    assert body["outstanding"] == "678.00"
    assert snapshot() == before


def test_editing_a_posted_receipt_is_invalid_state(world):
    order = approved_order(world)
    receipt = receive(world, order, 60)
    before = snapshot()

    for method in ("patch", "put"):
        refused(
            getattr(world["clerk"], method)(
                f"{RECEIPTS}{receipt['id']}/",
                {"note": "改一下", "lines": [{"purchase_order_line": order["lines"][0]["id"], "qty": "1"}]},
            ),
            409,
            "invalid_state",
        )

    assert snapshot() == before


def test_editing_an_approved_order_or_a_posted_payment_is_invalid_state(world):
    order = approved_order(world)
    receive(world, order, 10)
    payment = ok(world["finance"].post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "10"}), 201)
    ok(world["finance"].post(f"{PAYMENTS}{payment['id']}/post/"))
    before = snapshot()

    refused(world["buyer"].patch(f"{ORDERS}{order['id']}/", {"note": "x"}), 409, "invalid_state")
    refused(world["finance"].patch(f"{PAYMENTS}{payment['id']}/", {"amount": "5"}), 409, "invalid_state")

    assert snapshot() == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"product": 999999}, "product"),
        ({"product": "abc"}, "product"),
        ({"qty": "-5"}, "qty"),
        ({"qty": "0"}, "qty"),
        ({"qty": "abc"}, "qty"),
        ({"qty": None}, "qty"),
        ({"unit_price": "-1"}, "unit_price"),
        ({"tax_rate": "1.5"}, "tax_rate"),
        ({"qty": "1.123456"}, "qty"),
    ],
)
def test_a_bad_order_line_is_a_400_naming_the_field(world, line, field):
    before = snapshot()

    body = refused(world["buyer"].post(ORDERS, order_payload(world, **line)), 400)

    assert list(body) == ["lines"]
    assert list(body["lines"]) == ["0"]  # the first line
    assert list(body["lines"]["0"]) == [field]
    assert isinstance(body["lines"]["0"][field][0], str)
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload",
    [
        {"lines": "not a list"},
        {"lines": [1, 2]},
        {"lines": []},
        {"supplier": 999999},
        {"warehouse": None},
        {"date": "2026-13-45"},
        {"expected_date": "soon"},
        {"note": ["a"]},
    ],
)
def test_a_bad_order_header_is_a_400(world, payload):
    before = snapshot()

    body = refused(world["buyer"].post(ORDERS, {**order_payload(world), **payload}), 400)

    assert set(body) == set(payload)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"purchase_order": 999999}, "purchase_order"),
        ({"lines": [{"qty": "5", "unit_cost": "1"}]}, "lines"),  # neither a product nor an order line
        ({"lines": [{"product": 999999, "qty": "5"}]}, "lines"),
        ({"lines": [{"product": "PRODUCT", "qty": "-1"}]}, "lines"),
        ({"lines": [{"purchase_order_line": 999999, "qty": "5"}]}, "lines"),
        ({"lines": [{"product": "PRODUCT", "qty": "5", "unit_cost": "-3"}]}, "lines"),
        ({"supplier": None}, "supplier"),
    ],
)
def test_a_bad_free_receipt_is_a_400(world, payload, field):
    base = {
        "supplier": world["supplier"].pk,
        "warehouse": world["warehouse"].pk,
        "lines": [{"product": world["product"].pk, "qty": "5", "unit_cost": "10"}],
    }
    if "lines" in payload:
        payload = {"lines": [{k: world["product"].pk if v == "PRODUCT" else v for k, v in payload["lines"][0].items()}]}
    before = snapshot()

    body = refused(world["clerk"].post(RECEIPTS, {**base, **payload}), 400)

    assert field in body
    assert snapshot() == before


def test_a_receipt_line_of_another_order_is_a_400(world):
    order, other = approved_order(world), approved_order(world)
    before = snapshot()

    body = refused(
        world["clerk"].post(
            RECEIPTS,
            {"purchase_order": order["id"], "lines": [{"purchase_order_line": other["lines"][0]["id"], "qty": "5"}]},
        ),
        400,
    )

    assert "the line it refers to is not on" in body["lines"][0]
    assert snapshot() == before


def test_a_receipt_for_another_supplier_than_its_order_is_a_400(world):
    from tests.factories import SupplierFactory

    order = approved_order(world)

    body = refused(
        world["clerk"].post(RECEIPTS, {"purchase_order": order["id"], "supplier": SupplierFactory().pk}), 400
    )

    assert list(body) == ["supplier"]


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "abc"},
        {"amount": "1.234"},
        {"account": 999999},
        {"supplier": None},
        {"allocations": [{"payable": 999999, "amount": "5"}]},
        {"allocations": [{"payable": "PAYABLE", "amount": "-5"}]},
        {"allocations": [{"payable": "PAYABLE", "amount": "60"}, {"payable": "PAYABLE", "amount": "1"}]},
        {"allocations": [{"payable": "PAYABLE", "amount": "51"}]},  # more than the payment
    ],
)
def test_a_bad_payment_is_a_400(world, payload):
    order = approved_order(world)
    receive(world, order, 10)
    payable = ok(world["finance"].get(PAYABLES))["results"][0]["id"]
    if "allocations" in payload:
        payload = {
            "allocations": [
                {**a, "payable": payable if a["payable"] == "PAYABLE" else a["payable"]} for a in payload["allocations"]
            ]
        }
    before = snapshot()

    body = refused(world["finance"].post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "50", **payload}), 400)

    assert set(body) == set(payload)
    assert snapshot() == before


def test_allocating_to_another_suppliers_payable_is_a_400(world):
    from tests.factories import SupplierFactory

    order = approved_order(world)
    receive(world, order, 10)
    payable = ok(world["finance"].get(PAYABLES))["results"][0]["id"]
    before = snapshot()

    body = refused(
        world["finance"].post(
            PAYMENTS,
            {"supplier": SupplierFactory().pk, "amount": "5", "allocations": [{"payable": payable, "amount": "5"}]},
        ),
        400,
    )

    assert list(body) == ["allocations"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (ORDERS, {"status": "nonsense"}),
        (ORDERS, {"status": "draft,nonsense"}),
        (ORDERS, {"supplier": "abc"}),
        (ORDERS, {"date_from": "yesterday"}),
        (RECEIPTS, {"purchase_order": "x"}),
        (PAYABLES, {"overdue": "perhaps"}),
        (PAYABLES, {"due_before": "2026-02-30"}),
        (PAYABLES, {"status": "owing"}),
        (PAYMENTS, {"status": "sent"}),
    ],
)
def test_a_bad_filter_is_a_400(world, url, query):
    body = refused(world["manager"].get(url, query), 400)

    assert set(body) == set(query)


def test_a_body_that_is_not_json_is_a_400(world):
    before = snapshot()

    response = world["buyer"].post(ORDERS, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert snapshot() == before


# The Idempotency-Key middleware knows the user from the session or the token (as in real use),
# so these tests send a token rather than force_authenticate.


def test_an_idempotency_key_replays_the_first_posting(world, token_as):
    clerk = token_as("warehouse", warehouses=[world["warehouse"]])
    order = approved_order(world)
    receipt = draft_receipt(world, order, 60)
    headers = {"HTTP_IDEMPOTENCY_KEY": "post-rcp-1"}

    first = clerk.post(f"{RECEIPTS}{receipt['id']}/post/", **headers)
    again = clerk.post(f"{RECEIPTS}{receipt['id']}/post/", **headers)

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert StockLedgerEntry.objects.filter(source_type="purchase_receipt").count() == 1
    assert stock(world) == (D(60), D("600.00"), D(40))
    assert ok(world["finance"].get(PAYABLES))["count"] == 1


def test_an_idempotency_key_replays_a_refusal_too(world, token_as):
    clerk = token_as("warehouse", warehouses=[world["warehouse"]])
    order = approved_order(world)
    receive(world, order, 60)
    receipt = draft_receipt(world, order, 40)
    ok(world["buyer"].post(f"{ORDERS}{order['id']}/close/"))
    headers = {"HTTP_IDEMPOTENCY_KEY": "post-rcp-2"}
    before = snapshot()

    first = clerk.post(f"{RECEIPTS}{receipt['id']}/post/", **headers)
    again = clerk.post(f"{RECEIPTS}{receipt['id']}/post/", **headers)

    assert first.status_code == again.status_code == 409
    assert first.json()["code"] == "invalid_state"
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert snapshot() == before


def test_posting_twice_without_a_key_books_once(world):
    order = approved_order(world)
    receipt = draft_receipt(world, order, 60)
    payment_owed = "678.00"

    first = ok(world["clerk"].post(f"{RECEIPTS}{receipt['id']}/post/"))
    again = ok(world["clerk"].post(f"{RECEIPTS}{receipt['id']}/post/"))

    assert first == again
    assert StockLedgerEntry.objects.filter(source_type="purchase_receipt").count() == 1
    assert [p["amount"] for p in ok(world["finance"].get(PAYABLES))["results"]] == [payment_owed]


def test_an_idempotency_key_on_creating_and_posting_a_payment_pays_once(world, token_as):
    finance = token_as("finance")
    order = approved_order(world)
    receive(world, order, 60)
    data = {"supplier": world["supplier"].pk, "amount": "500"}

    created = finance.post(PAYMENTS, data, HTTP_IDEMPOTENCY_KEY="new-pay-1")
    created_again = finance.post(PAYMENTS, data, HTTP_IDEMPOTENCY_KEY="new-pay-1")
    assert created.status_code == created_again.status_code == 201
    assert created_again.content == created.content
    assert SupplierPayment.objects.count() == 1
    payment = created.json()

    first = finance.post(f"{PAYMENTS}{payment['id']}/post/", HTTP_IDEMPOTENCY_KEY="pay-1")
    again = finance.post(f"{PAYMENTS}{payment['id']}/post/", HTTP_IDEMPOTENCY_KEY="pay-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert [(p["paid"], p["outstanding"]) for p in ok(world["finance"].get(PAYABLES))["results"]] == [
        ("500.00", "178.00")
    ]


def test_cancelling_a_receipt_with_a_posted_return_is_invalid_state(world):
    order = approved_order(world)
    receipt = receive(world, order, 60)
    returned = ok(
        world["clerk"].post(
            RETURNS,
            {
                "purchase_receipt": receipt["id"],
                "lines": [{"purchase_receipt_line": receipt["lines"][0]["id"], "qty": "5"}],
            },
        ),
        201,
    )
    ok(world["clerk"].post(f"{RETURNS}{returned['id']}/post/"))
    before = snapshot()

    refused(world["clerk"].post(f"{RECEIPTS}{receipt['id']}/cancel/"), 409, "invalid_state")

    assert snapshot() == before


def test_a_missing_document_is_a_404(world):
    for url in (ORDERS, RECEIPTS, RETURNS, PAYMENTS):
        refused(world["manager"].get(f"{url}999999/"), 404)
        refused(world["manager"].post(f"{url}999999/cancel/"), 404)
    refused(world["manager"].get(f"{PAYABLES}999999/"), 404)


GARBAGE = [
    {},
    {"lines": None},
    {"lines": [{}]},
    {"lines": [None]},
    {"lines": {"a": 1}},
    {"lines": [{"product": True, "qty": "1"}]},
    {"lines": [{"qty": "1e40"}]},
    {"lines": [{"qty": "NaN"}]},
    {"lines": [{"purchase_order_line": "x", "qty": 1}]},
    {"lines": [{"purchase_receipt_line": 999999, "qty": 1}]},
    {"allocations": "x"},
    {"allocations": [{}]},
    {"allocations": [None]},
    {"supplier": [1]},
    {"warehouse": {"a": 1}},
    {"purchase_order": "abc"},
    {"purchase_receipt": -1},
    {"amount": "NaN"},
    {"amount": "Infinity"},
    {"amount": "1e30"},
    {"date": 5},
    {"reason": ["x"]},
    {"reason": "x" * 500},
]


def test_garbage_is_never_a_500(world):
    order = approved_order(world)
    receipt = receive(world, order, 10)
    draft = draft_order(world)  # closing or sending back a draft is refused whatever the body
    manager = world["manager"]
    targets = [
        (manager.post, ORDERS),
        (manager.post, RECEIPTS),
        (manager.post, RETURNS),
        (manager.post, PAYMENTS),
        (manager.post, "/api/v1/supplier-products/"),
        (manager.post, f"{ORDERS}{draft['id']}/close/"),
        (manager.post, f"{ORDERS}{draft['id']}/reject/"),
        (manager.patch, f"{ORDERS}{order['id']}/"),
        (manager.patch, f"{RECEIPTS}{receipt['id']}/"),
    ]
    before = snapshot()

    answers = {(url, str(payload)): send(url, payload).status_code for send, url in targets for payload in GARBAGE}

    assert {status for status in answers.values() if status >= 500} == set()
    assert snapshot() == before
