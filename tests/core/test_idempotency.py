"""``Idempotency-Key`` on POST (API.md, "Conventions"): a repeat with the same key by the same
user returns the first response and changes nothing.

The middleware finds the user from the session or the ``Authorization: Token`` header, before
DRF runs, so these tests log in for real (``force_authenticate`` is invisible to it)."""

import pytest

from apps.core.models import IdempotencyRecord
from apps.inventory.models import Product, Warehouse
from tests.factories import UnitFactory

PRODUCT = {"sku": "IDEM-1", "name": "矿泉水", "unit": "个", "sale_price": "2.50"}


@pytest.fixture(autouse=True)
def unit(db):
    return UnitFactory(name="个")


@pytest.fixture(params=["session", "token"])
def login_as(request, session_as, token_as):
    """A purchasing clerk's client, logged in by session or by token."""
    return session_as if request.param == "session" else token_as


def post(client, payload, key):
    return client.post("/api/v1/products/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeat_with_the_same_key_returns_the_first_response(login_as):
    # given
    client = login_as("purchasing")
    first = post(client, PRODUCT, "key-1")

    # when
    second = post(client, PRODUCT, "key-1")

    # then
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.json()["sku"] == "IDEM-1"
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert list(Product.objects.values_list("sku", flat=True)) == ["IDEM-1"]
    assert Product.history.count() == 1


def test_a_third_repeat_is_still_the_first_response(login_as):
    client = login_as("purchasing")
    first = post(client, PRODUCT, "key-1")

    replies = [post(client, PRODUCT, "key-1") for _ in range(2)]

    assert [r.status_code for r in replies] == [201, 201]
    assert {r.content for r in replies} == {first.content}
    assert Product.objects.count() == 1


def test_the_same_key_by_another_user_executes(login_as):
    alice, bob = login_as("purchasing"), login_as("purchasing")

    first = post(alice, PRODUCT, "shared-key")
    second = post(bob, {**PRODUCT, "sku": "IDEM-2"}, "shared-key")

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["IDEM-1", "IDEM-2"]
    assert IdempotencyRecord.objects.filter(key="shared-key").count() == 2


def test_the_same_body_by_another_user_runs_again_and_meets_the_duplicate(login_as):
    alice, bob = login_as("purchasing"), login_as("purchasing")
    post(alice, PRODUCT, "shared-key")

    response = post(bob, PRODUCT, "shared-key")

    assert response.status_code == 400
    assert response.json() == {"sku": ["This SKU is already used by another product."]}
    assert Product.objects.count() == 1


def test_the_same_key_with_a_different_body_is_409(login_as):
    client = login_as("purchasing")
    post(client, PRODUCT, "key-1")

    response = post(client, {**PRODUCT, "sku": "IDEM-2"}, "key-1")

    assert response.status_code == 409
    assert response.json() == {
        "code": "idempotency_key_reused",
        "detail": "This Idempotency-Key was already used for a different request.",
    }
    assert list(Product.objects.values_list("sku", flat=True)) == ["IDEM-1"]


def test_the_same_key_on_another_endpoint_is_409(login_as):
    client = login_as("management")
    post(client, PRODUCT, "key-1")

    response = client.post(
        "/api/v1/warehouses/", {"code": "WH-1", "name": "仓库"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Warehouse.objects.count() == 0


def test_a_400_answer_is_replayed_too(login_as):
    # given a first attempt that was refused
    client = login_as("purchasing")
    bad = {**PRODUCT, "sale_price": "-1"}
    first = post(client, bad, "key-bad")
    assert first.status_code == 400

    # when the same request is sent again (even though it would still fail)
    second = post(client, bad, "key-bad")

    # then it gets the stored 400, not a fresh one
    assert second.status_code == 400
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert Product.objects.count() == 0


def test_a_replayed_400_stands_even_once_the_request_would_succeed(login_as):
    client = login_as("purchasing")
    payload = {**PRODUCT, "unit": "箱"}
    first = post(client, payload, "key-early")
    UnitFactory(name="箱")

    second = post(client, payload, "key-early")

    assert first.status_code == second.status_code == 400
    assert second.json() == {"unit": ["Object with name=箱 does not exist."]}
    assert Product.objects.count() == 0


def test_without_a_key_every_post_executes(login_as):
    client = login_as("purchasing")

    first = client.post("/api/v1/products/", PRODUCT, format="json")
    second = client.post("/api/v1/products/", PRODUCT, format="json")

    assert (first.status_code, second.status_code) == (201, 400)
    assert IdempotencyRecord.objects.count() == 0


def test_an_anonymous_post_with_a_key_is_401_and_stores_nothing(api_as):
    response = post(api_as(None), PRODUCT, "key-anon")

    assert response.status_code == 401
    assert IdempotencyRecord.objects.count() == 0
    assert Product.objects.count() == 0


def test_a_key_longer_than_255_characters_is_400(login_as):
    client = login_as("purchasing")

    response = post(client, PRODUCT, "k" * 256)

    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": ["Must be at most 255 characters."]}
    assert Product.objects.count() == 0


def test_the_first_response_is_stored_against_user_and_key(token_as):
    client = token_as("purchasing")

    response = post(client, PRODUCT, "key-stored")

    record = IdempotencyRecord.objects.get()
    assert (record.user, record.key, record.status_code) == (client.user, "key-stored", 201)
    assert bytes(record.body) == response.content
    assert record.content_type == "application/json"
