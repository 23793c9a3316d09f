"""Malformed bodies on every write of the general-ledger API: 400 with field messages, never
a 500, and nothing written."""

import pytest
from django.utils import timezone

from .helpers import ACCOUNTS, CASH_ACCOUNTS, CATEGORIES, ENTRIES, MONEY, PERIODS, TRANSFERS, account_id, ok, snapshot

pytestmark = pytest.mark.django_db

BODIES = [
    [],
    ["lines"],
    "a string",
    42,
    {},
    {"lines": "not a list"},
    {"lines": [1, 2]},
    {"lines": [{"account": "x", "debit": "abc"}]},
    {"lines": [{"category": None, "amount": None}]},
    {"date": "2026-02-30", "amount": "1e400", "kind": ["expense"]},
    {"code": {"a": 1}, "name": ["x"], "opening_balance": "ten", "parent": "x", "account": [], "reason": None},
    {"from_account": "x", "to_account": None, "amount": "12.345"},
]
WRITES = [CASH_ACCOUNTS, ACCOUNTS, ENTRIES, TRANSFERS, MONEY, CATEGORIES]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
@pytest.mark.parametrize("url", WRITES)
def test_a_malformed_post_is_400(finance, url, body):
    before = snapshot()

    response = finance.post(url, body, format="json")

    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert isinstance(response.json(), dict)
    assert snapshot() == before


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_a_malformed_change_of_a_draft_changes_nothing(finance, body):
    lines = [{"account": account_id("1001"), "debit": "1"}, {"account": account_id("1002"), "credit": "1"}]
    draft = ok(finance.post(ENTRIES, {"lines": lines}), 201)
    before = snapshot()

    response = finance.patch(f"{ENTRIES}{draft['id']}/", body, format="json")

    assert response.status_code in (200, 400), response.content[:300]
    assert snapshot() == before  # none of them carries a valid change (unknown fields are ignored)


def test_a_body_that_is_not_json_is_400(finance):
    before = snapshot()
    response = finance.post(ENTRIES, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_a_malformed_reopen_is_400(manager, body):
    before = snapshot()
    response = manager.post(f"{PERIODS}2026-11/reopen/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert snapshot() == before


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_a_malformed_reverse_is_400_or_a_reversal_dated_today(finance, body):
    lines = [{"account": account_id("1001"), "debit": "1"}, {"account": account_id("1002"), "credit": "1"}]
    entry = ok(finance.post(ENTRIES, {"lines": lines}), 201)
    ok(finance.post(f"{ENTRIES}{entry['id']}/post/"))
    before = snapshot()

    response = finance.post(f"{ENTRIES}{entry['id']}/reverse/", body, format="json")

    assert response.status_code in (201, 400), response.content[:300]
    if response.status_code == 400:
        assert snapshot() == before
    else:
        assert response.json()["date"] == timezone.localdate().isoformat()
