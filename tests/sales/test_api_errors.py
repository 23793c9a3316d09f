"""Bad input and refused states over the sales API: 400 with the field named for invalid input,
409 with the contract's code (and its figures) when the business state refuses, never a 500,
and nothing written either way. Idempotency-Key on confirming, posting and creating replays the
first answer."""

import pytest

from apps.finance.models import Receivable
from apps.inventory.models import StockLedgerEntry
from apps.sales.models import Delivery, SalesOrder, SalesReturn

from .api_helpers import (
    DELIVERIES,
    ORDERS,
    QUOTATIONS,
    RETURNS,
    D,
    confirmed_order,
    deliver,
    draft_delivery,
    draft_order,
    make_world,
    ok,
    order_payload,
    refused,
    return_payload,
    snapshot,
    stock,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api_as):
    return make_world(api_as)


# --- The business refusals (409) --------------------------------------------------------------


def test_confirming_above_the_credit_limit_is_refused_with_the_figures(world):
    customer = world["customer"]
    customer.credit_limit = D("1400.00")
    customer.save()
    earlier = confirmed_order(world, qty="1")  # 90.40 already confirmed, undelivered
    order = draft_order(world)  # 1,356.00
    before = snapshot()

    body = refused(world["seller"].post(f"{ORDERS}{order['id']}/confirm/"), 409, "credit_limit_exceeded")

    assert {key: body[key] for key in ("credit_limit", "receivables", "open_orders", "order_total", "exposure")} == {
        "credit_limit": "1400.00",
        "receivables": "0",
        "open_orders": "90.40",
        "order_total": "1356.00",
        "exposure": "1446.40",
    }
    assert (body["available"], body["can_override"]) == ("1309.60", False)
    assert "1400.00" in body["detail"] and customer.name in body["detail"]
    assert snapshot() == before
    assert SalesOrder.objects.get(pk=order["id"]).status == "draft"
    assert stock(world) == (D(20), D("1000.00"), D(1))  # only the earlier order reserved
    assert earlier["status"] == "confirmed"
    # The draft's credit block tells the same story before anyone tries.
    credit = ok(world["seller"].get(f"{ORDERS}{order['id']}/"))["credit"]
    assert (credit["exposure"], credit["available"]) == ("1446.40", "1309.60")
    # A manager may override; the answer says so.
    assert refused(world["manager"].post(f"{ORDERS}{order['id']}/confirm/"), 409)["can_override"] is True


def test_delivering_more_than_the_order_line_left_is_over_delivery(world):
    order = confirmed_order(world)
    deliver(world, order, 10)
    before = snapshot()

    body = refused(
        world["clerk"].post(
            DELIVERIES,
            {"sales_order": order["id"], "lines": [{"sales_order_line": order["lines"][0]["id"], "qty": "6"}]},
        ),
        409,
        "over_delivery",
    )

    assert (body["ordered"], body["delivered"], body["requested"], body["left"]) == (
        "15.0000",
        "10.0000",
        "6.0000",
        "5.0000",
    )
    assert body["product"] == world["product"].pk
    assert snapshot() == before
    assert stock(world) == (D(10), D("500.00"), D(5))


def test_two_drafts_that_together_deliver_too_much_post_one_after_the_other(world):
    order = confirmed_order(world)
    first, second = draft_delivery(world, order, 10), draft_delivery(world, order, 10)
    ok(world["clerk"].post(f"{DELIVERIES}{first['id']}/post/"))
    before = snapshot()

    refused(world["clerk"].post(f"{DELIVERIES}{second['id']}/post/"), 409, "over_delivery")

    assert snapshot() == before
    assert Delivery.objects.get(pk=second["id"]).status == "draft"
    assert Receivable.objects.count() == 1


def test_delivering_more_than_on_hand_is_insufficient_stock(world):
    delivery = ok(
        world["clerk"].post(
            DELIVERIES,
            {
                "customer": world["customer"].pk,
                "warehouse": world["warehouse"].pk,
                "lines": [{"product": world["product"].pk, "qty": "25"}],
            },
        ),
        201,
    )
    assert delivery["total"] == "2260.00"  # 25 × 80.00, the sale price, + 13%
    before = snapshot()

    body = refused(world["clerk"].post(f"{DELIVERIES}{delivery['id']}/post/"), 409, "insufficient_stock")

    assert "SP0001" in body["detail"]
    assert snapshot() == before
    assert Delivery.objects.get(pk=delivery["id"]).status == "draft"
    assert not Receivable.objects.exists()
    assert stock(world) == (D(20), D("1000.00"), D(0))


def test_returning_more_than_delivered_minus_returned_is_over_return(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    earlier = ok(world["service"].post(RETURNS, return_payload(delivery, 7)), 201)
    ok(world["service"].post(f"{RETURNS}{earlier['id']}/post/"))
    before = snapshot()

    body = refused(world["service"].post(RETURNS, return_payload(delivery, 4)), 409, "over_return")

    assert (body["delivered"], body["returned"], body["requested"], body["left"]) == (
        "10.0000",
        "7.0000",
        "4.0000",
        "3.0000",
    )
    assert snapshot() == before
    assert stock(world) == (D(17), D("850.00"), D(5))


def test_two_return_drafts_that_together_return_too_much_post_one_after_the_other(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    first = ok(world["service"].post(RETURNS, return_payload(delivery, 6)), 201)
    second = ok(world["service"].post(RETURNS, return_payload(delivery, 6)), 201)
    ok(world["service"].post(f"{RETURNS}{first['id']}/post/"))
    before = snapshot()

    refused(world["service"].post(f"{RETURNS}{second['id']}/post/"), 409, "over_return")

    assert snapshot() == before
    assert SalesReturn.objects.get(pk=second["id"]).status == "draft"


def test_delivering_against_a_draft_or_cancelled_order_is_invalid_state(world):
    draft = draft_order(world)
    cancelled = confirmed_order(world, qty="2")
    ok(world["seller"].post(f"{ORDERS}{cancelled['id']}/cancel/"))
    before = snapshot()

    for order in (draft, cancelled):
        body = refused(world["clerk"].post(DELIVERIES, {"sales_order": order["id"]}), 409, "invalid_state")
        assert order["number"] in body["detail"]

    assert snapshot() == before


def test_cancelling_an_order_with_goods_delivered_is_invalid_state(world):
    order = confirmed_order(world)
    deliver(world, order, 10)
    before = snapshot()

    refused(world["seller"].post(f"{ORDERS}{order['id']}/cancel/"), 409, "invalid_state")

    assert snapshot() == before


def test_editing_a_confirmed_order_or_a_posted_delivery_is_invalid_state(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    before = snapshot()

    refused(world["seller"].patch(f"{ORDERS}{order['id']}/", {"note": "x"}), 409, "invalid_state")
    refused(
        world["seller"].put(f"{ORDERS}{order['id']}/", order_payload(world, qty="1")),
        409,
        "invalid_state",
    )
    refused(world["clerk"].patch(f"{DELIVERIES}{delivery['id']}/", {"note": "x"}), 409, "invalid_state")

    assert snapshot() == before


def test_cancelling_a_delivery_with_a_posted_return_is_invalid_state(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    returned = ok(world["service"].post(RETURNS, return_payload(delivery, 1)), 201)
    ok(world["service"].post(f"{RETURNS}{returned['id']}/post/"))
    before = snapshot()

    refused(world["clerk"].post(f"{DELIVERIES}{delivery['id']}/cancel/"), 409, "invalid_state")

    assert snapshot() == before


def test_cancelling_a_posted_delivery_reverses_it(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)

    cancelled = ok(world["clerk"].post(f"{DELIVERIES}{delivery['id']}/cancel/"))

    assert cancelled["status"] == "cancelled"
    assert stock(world) == (D(20), D("1000.00"), D(15))
    assert ok(world["seller"].get(f"{ORDERS}{order['id']}/"))["status"] == "confirmed"
    assert list(Receivable.objects.values_list("status", flat=True)) == ["cancelled"]


# --- Bad input (400) ------------------------------------------------------------------------


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
@pytest.mark.parametrize("url", [ORDERS, QUOTATIONS])
def test_a_bad_order_or_quotation_line_is_a_400_naming_the_field(world, url, line, field):
    payload = order_payload(world)
    payload["lines"][0].update(line)
    before = snapshot()

    body = refused(world["seller"].post(url, payload), 400)

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
        {"customer": 999999},
        {"customer": None},
        {"warehouse": None},
        {"warehouse": 999999},
        {"date": "2026-13-45"},
        {"delivery_date": "soon"},
        {"note": ["a"]},
        {"customer_reference": "x" * 65},
    ],
)
def test_a_bad_order_header_is_a_400(world, payload):
    before = snapshot()

    body = refused(world["seller"].post(ORDERS, {**order_payload(world), **payload}), 400)

    assert set(body) == set(payload)
    assert snapshot() == before


def test_an_inactive_customer_is_a_400(world):
    world["customer"].is_active = False
    world["customer"].save()
    before = snapshot()

    body = refused(world["seller"].post(ORDERS, order_payload(world)), 400)

    assert list(body) == ["customer"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sales_order": 999999}, "sales_order"),
        ({"lines": [{"qty": "5", "unit_price": "1"}]}, "lines"),  # neither a product nor an order line
        ({"lines": [{"product": 999999, "qty": "5"}]}, "lines"),
        ({"lines": [{"product": "PRODUCT", "qty": "-1"}]}, "lines"),
        ({"lines": [{"sales_order_line": 999999, "qty": "5"}]}, "lines"),
        ({"lines": [{"product": "PRODUCT", "qty": "5", "unit_price": "-3"}]}, "lines"),
        ({"customer": None}, "customer"),
        ({"lines": []}, "lines"),
    ],
)
def test_a_bad_free_delivery_is_a_400(world, payload, field):
    base = {
        "customer": world["customer"].pk,
        "warehouse": world["warehouse"].pk,
        "lines": [{"product": world["product"].pk, "qty": "5"}],
    }
    if "lines" in payload and payload["lines"]:
        payload = {"lines": [{k: world["product"].pk if v == "PRODUCT" else v for k, v in payload["lines"][0].items()}]}
    before = snapshot()

    body = refused(world["clerk"].post(DELIVERIES, {**base, **payload}), 400)

    assert field in body
    assert snapshot() == before


def test_a_delivery_line_of_another_order_is_a_400(world):
    order, other = confirmed_order(world, qty="2"), confirmed_order(world, qty="3")
    before = snapshot()

    body = refused(
        world["clerk"].post(
            DELIVERIES,
            {"sales_order": order["id"], "lines": [{"sales_order_line": other["lines"][0]["id"], "qty": "1"}]},
        ),
        400,
    )

    assert order["number"] in body["lines"][0]
    assert snapshot() == before


def test_a_delivery_for_another_customer_than_its_order_is_a_400(world):
    order = confirmed_order(world)
    before = snapshot()

    body = refused(
        world["clerk"].post(DELIVERIES, {"sales_order": order["id"], "customer": world["other_customer"].pk}), 400
    )

    assert list(body) == ["customer"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload",
    [
        {"reason": "bored"},
        {"reason_note": "x" * 201},
        {"is_exchange": "perhaps"},
        {"delivery": 999999},
        {"lines": [{"delivery_line": 999999, "qty": "1"}]},
        {"lines": [{"delivery_line": "LINE", "qty": "0"}]},
        {"lines": [{"delivery_line": "LINE", "qty": "1", "unit_price": "-1"}]},
        {"lines": [{"product": "PRODUCT", "qty": "1"}]},  # against a delivery, a line names its delivery line
        {"lines": []},
    ],
)
def test_a_bad_return_is_a_400(world, payload):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    swap = {"LINE": delivery["lines"][0]["id"], "PRODUCT": world["product"].pk}
    if payload.get("lines"):
        payload = {"lines": [{k: swap.get(v, v) for k, v in payload["lines"][0].items()}]}
    before = snapshot()

    body = refused(world["service"].post(RETURNS, {**return_payload(delivery, 1), **payload}), 400)

    assert set(body) == set(payload)
    assert snapshot() == before


def test_a_bad_confirm_or_convert_body_is_a_400(world):
    order = draft_order(world)
    quotation = ok(world["seller"].post(QUOTATIONS, order_payload(world)), 201)
    before = snapshot()

    body = refused(world["manager"].post(f"{ORDERS}{order['id']}/confirm/", {"override_reason": "x" * 201}), 400)
    assert list(body) == ["override_reason"]
    body = refused(world["manager"].post(f"{ORDERS}{order['id']}/confirm/", {"override_reason": ["a"]}), 400)
    assert list(body) == ["override_reason"]
    body = refused(world["seller"].post(f"{QUOTATIONS}{quotation['id']}/convert/", {"date": "never"}), 400)
    assert list(body) == ["date"]

    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (ORDERS, {"status": "nonsense"}),
        (ORDERS, {"status": "draft,nonsense"}),
        (ORDERS, {"open": "perhaps"}),
        (ORDERS, {"customer": "abc"}),
        (ORDERS, {"date_from": "yesterday"}),
        (QUOTATIONS, {"status": "posted"}),
        (DELIVERIES, {"sales_order": "x"}),
        (DELIVERIES, {"status": "delivered"}),
        (RETURNS, {"reason": "bored"}),
        (RETURNS, {"is_exchange": "maybe"}),
    ],
)
def test_a_bad_filter_is_a_400(world, url, query):
    body = refused(world["manager"].get(url, query), 400)

    assert set(body) == set(query)


def test_a_missing_document_is_a_404(world):
    for url in (QUOTATIONS, ORDERS, DELIVERIES, RETURNS):
        refused(world["manager"].get(f"{url}999999/"), 404)
        refused(world["manager"].post(f"{url}999999/cancel/"), 404)
    refused(world["manager"].post(f"{ORDERS}999999/confirm/"), 404)
    refused(world["manager"].post(f"{QUOTATIONS}999999/convert/"), 404)


def test_a_body_that_is_not_json_is_a_400(world):
    before = snapshot()

    response = world["seller"].post(ORDERS, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert snapshot() == before


GARBAGE = [
    {},
    {"lines": None},
    {"lines": [{}]},
    {"lines": [None]},
    {"lines": {"a": 1}},
    {"lines": [{"product": True, "qty": "1"}]},
    {"lines": [{"qty": "1e40"}]},
    {"lines": [{"qty": "NaN"}]},
    {"lines": [{"sales_order_line": "x", "qty": 1}]},
    {"lines": [{"delivery_line": -1, "qty": 1}]},
    {"customer": [1]},
    {"warehouse": {"a": 1}},
    {"sales_order": "abc"},
    {"delivery": -1},
    {"date": 5},
    {"valid_until": "tomorrow"},
    {"reason": ["x"]},
    {"reason": "x" * 500},
    {"override_reason": {"a": 1}},
    {"is_exchange": [True]},
    {"unit_price": "Infinity"},
]


def test_garbage_is_never_a_500(world):
    order = confirmed_order(world)
    delivery = deliver(world, order, 10)
    # Confirming, closing or converting these is refused whatever the body: nothing may change.
    cancelled = draft_order(world)
    ok(world["seller"].post(f"{ORDERS}{cancelled['id']}/cancel/"))
    quotation = ok(world["seller"].post(QUOTATIONS, order_payload(world)), 201)
    ok(world["seller"].post(f"{QUOTATIONS}{quotation['id']}/cancel/"))
    manager = world["manager"]
    targets = [
        (manager.post, QUOTATIONS),
        (manager.post, ORDERS),
        (manager.post, DELIVERIES),
        (manager.post, RETURNS),
        (manager.post, f"{ORDERS}{cancelled['id']}/confirm/"),
        (manager.post, f"{ORDERS}{cancelled['id']}/close/"),
        (manager.post, f"{QUOTATIONS}{quotation['id']}/convert/"),
        (manager.patch, f"{ORDERS}{order['id']}/"),
        (manager.patch, f"{QUOTATIONS}{quotation['id']}/"),
        (manager.patch, f"{DELIVERIES}{delivery['id']}/"),
    ]
    before = snapshot()

    answers = {(url, str(payload)): send(url, payload).status_code for send, url in targets for payload in GARBAGE}

    assert {status for status in answers.values() if status >= 500} == set()
    assert set(answers.values()) <= {400, 409}
    assert snapshot() == before


# --- Idempotency-Key ----------------------------------------------------------------------------
# The middleware knows the user from the session or the token (as in real use), so these tests
# send a token rather than force_authenticate.


def test_an_idempotency_key_replays_the_first_posting_of_a_delivery(world, token_as):
    clerk = token_as("warehouse", warehouses=[world["warehouse"]])
    order = confirmed_order(world)
    delivery = draft_delivery(world, order, 10)
    headers = {"HTTP_IDEMPOTENCY_KEY": "post-dn-1"}

    first = clerk.post(f"{DELIVERIES}{delivery['id']}/post/", **headers)
    again = clerk.post(f"{DELIVERIES}{delivery['id']}/post/", **headers)

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert StockLedgerEntry.objects.filter(source_type="delivery").count() == 1
    assert stock(world) == (D(10), D("500.00"), D(5))
    assert list(Receivable.objects.values_list("amount", flat=True)) == [D("904.00")]


def test_an_idempotency_key_on_creating_an_order_and_confirming_it_acts_once(world, token_as):
    seller = token_as("sales")
    world["customer"].salesperson = seller.user
    world["customer"].save()

    created = seller.post(ORDERS, order_payload(world), HTTP_IDEMPOTENCY_KEY="new-so-1")
    again = seller.post(ORDERS, order_payload(world), HTTP_IDEMPOTENCY_KEY="new-so-1")
    assert created.status_code == again.status_code == 201
    assert again.content == created.content
    assert SalesOrder.objects.count() == 1
    order = created.json()

    first = seller.post(f"{ORDERS}{order['id']}/confirm/", HTTP_IDEMPOTENCY_KEY="confirm-so-1")
    again = seller.post(f"{ORDERS}{order['id']}/confirm/", HTTP_IDEMPOTENCY_KEY="confirm-so-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert stock(world) == (D(20), D("1000.00"), D(15))


def test_an_idempotency_key_replays_a_refusal_too(world, token_as):
    clerk = token_as("warehouse", warehouses=[world["warehouse"]])
    order = confirmed_order(world)
    deliver(world, order, 10)
    draft = draft_delivery(world, order, 5)
    ok(world["seller"].post(f"{ORDERS}{order['id']}/close/"))
    headers = {"HTTP_IDEMPOTENCY_KEY": "post-dn-2"}
    before = snapshot()

    first = clerk.post(f"{DELIVERIES}{draft['id']}/post/", **headers)
    again = clerk.post(f"{DELIVERIES}{draft['id']}/post/", **headers)

    assert first.status_code == again.status_code == 409
    assert first.json()["code"] == "invalid_state"
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert snapshot() == before


def test_posting_twice_without_a_key_books_once(world):
    order = confirmed_order(world)
    delivery = draft_delivery(world, order, 10)

    first = ok(world["clerk"].post(f"{DELIVERIES}{delivery['id']}/post/"))
    again = ok(world["clerk"].post(f"{DELIVERIES}{delivery['id']}/post/"))

    assert first == again
    assert StockLedgerEntry.objects.filter(source_type="delivery").count() == 1
    assert list(Receivable.objects.values_list("amount", flat=True)) == [D("904.00")]
