"""/api/v1/accounts/ (科目): the chart with each account's balance after a month of business
(tests/books: the hand-computed trial balance), sub-accounts added by finance, renamed and
deactivated, never re-coded; used accounts never deleted."""

import pytest

from apps.finance.models import Account
from tests.books import support

from .helpers import ACCOUNTS, ENTRIES, account_id, ok, refused, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def november(world):
    """tests/books/test_month_of_business.py's month: receipt, delivery, return, count loss,
    payment, receipt, rent."""
    support.receive(world, "100", "20.00", on=support.day(3))
    delivery = support.deliver(world, "60", "50.00", on=support.day(5))
    support.take_back(world, delivery, "10", on=support.day(8))
    support.count(world, "48", on=support.day(15))
    support.pay(world, "2000.00", on=support.day(20))
    support.collect(world, "2825.00", on=support.day(25))
    support.spend(world, "房租", "1500.00", on=support.day(30))
    return world


def chart(client, **params) -> dict[str, str]:
    rows = ok(client.get(ACCOUNTS, {"page_size": 500, **params}))["results"]
    return {row["code"]: row["balance"] for row in rows}


def test_balances_after_the_month_match_the_trial_balance(finance, november):
    balances = chart(finance)

    assert {code: balances[code] for code in ("1002", "1122", "1405", "2202", "2221.01", "2221.02", "3001")} == {
        "1002": "49325.00",
        "1122": "0.00",
        "1405": "960.00",
        "2202": "-260.00",
        "2221.01": "260.00",
        "2221.02": "-325.00",
        "3001": "-50000.00",
    }
    assert balances["2221"] == "-65.00"  # its sub-accounts: 260.00 − 325.00
    assert (balances["6001"], balances["6401"], balances["6602"], balances["6711"]) == (
        "-2500.00",
        "1000.00",
        "1500.00",
        "40.00",
    )
    assert sum(support.D(value) for value in balances.values() if value) == support.D("-65.00")  # 2221 counted twice


def test_balances_at_a_date(finance, november):
    balances = chart(finance, date_to="2026-11-05")
    assert (balances["1002"], balances["1405"], balances["1122"], balances["6001"]) == (
        "50000.00",
        "800.00",
        "3390.00",
        "-3000.00",
    )
    assert list(refused(finance.get(ACCOUNTS, {"date_to": "30/11/2026"}), 400)) == ["date_to"]


def test_the_contract_fields_and_filters(finance):
    row = ok(finance.get(ACCOUNTS, {"search": "2221.01"}))["results"][0]
    assert row == {
        "id": account_id("2221.01"),
        "code": "2221.01",
        "name": "应交增值税（进项税额）",
        "name_en": "VAT payable: input tax",
        "label": "VAT payable: input tax",
        "kind": "liability",
        "parent": account_id("2221"),
        "is_active": True,
        "balance": "0.00",
    }
    expenses = ok(finance.get(ACCOUNTS, {"kind": "expense", "page_size": 100}))["results"]
    assert [r["code"] for r in expenses] == ["6401", "6402", "6403", "6601", "6602", "6603", "6711", "6801"]
    assert [r["code"] for r in ok(finance.get(ACCOUNTS, {"search": "bank"}))["results"]] == ["1002"]
    assert [r["code"] for r in ok(finance.get(ACCOUNTS, {"search": "银行"}))["results"]] == ["1002"]
    refused(finance.get(ACCOUNTS, {"kind": "asset,liability"}), 400)


def test_finance_adds_renames_and_deactivates_a_sub_account(finance):
    account = ok(
        finance.post(
            ACCOUNTS, {"parent": account_id("6602"), "code": "6602.01", "name": "差旅费", "name_en": "Travel"}
        ),
        201,
    )
    assert (account["kind"], account["parent"], account["label"], account["balance"]) == (
        "expense",
        account_id("6602"),
        "Travel",
        "0.00",
    )

    renamed = ok(finance.patch(f"{ACCOUNTS}{account['id']}/", {"name": "差旅交通费", "is_active": False}))
    assert (renamed["name"], renamed["is_active"], renamed["code"]) == ("差旅交通费", False, "6602.01")
    assert ok(finance.get(ACCOUNTS, {"is_active": "false"}))["count"] == 1

    entry = {
        "lines": [
            {"account": account_id("6602"), "debit": "10"},
            {"account": account_id("2241"), "credit": "10"},
        ]
    }
    ok(finance.post(ENTRIES, entry), 201)  # the parent is still open for entries


def test_a_used_account_is_not_deleted_an_unused_one_is(finance, world):
    unused = ok(finance.post(ACCOUNTS, {"parent": account_id("6602"), "code": "6602.01", "name": "差旅费"}), 201)
    before = snapshot()

    refused(finance.delete(f"{ACCOUNTS}{account_id('1002')}/"), 409, "in_use")  # seeded and used
    refused(finance.delete(f"{ACCOUNTS}{account_id('6602')}/"), 409, "in_use")  # has a sub-account
    assert snapshot() == before

    assert finance.delete(f"{ACCOUNTS}{unused['id']}/").status_code == 204
    assert not Account.objects.filter(code="6602.01").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"parent": "6602", "code": "6603.01", "name": "x"}, "code"),
        ({"parent": "6602", "code": "6602", "name": "x"}, "code"),
        ({"parent": "6602", "code": "6602.ab", "name": "x"}, "code"),
        ({"parent": "2221", "code": "2221.01", "name": "x"}, "code"),  # already used
        ({"code": "6602.01", "name": "x"}, "parent"),
        ({"parent": "6602", "code": "6602.01"}, "name"),
    ],
)
def test_a_bad_sub_account_is_400(finance, body, field):
    if "parent" in body:
        body = {**body, "parent": account_id(body["parent"])}
    before = snapshot()
    assert list(refused(finance.post(ACCOUNTS, body), 400)) == [field]
    assert snapshot() == before


def test_codes_kinds_and_parents_never_change_and_posting_accounts_stay_active(finance):
    url = f"{ACCOUNTS}{account_id('1405')}/"
    before = snapshot()

    assert list(refused(finance.patch(url, {"code": "1406"}), 400)) == ["code"]
    assert list(refused(finance.patch(url, {"parent": account_id("1002")}), 400)) == ["parent"]
    assert list(refused(finance.patch(url, {"is_active": False}), 400)) == ["is_active"]
    assert ok(finance.patch(url, {"kind": "expense"}))["kind"] == "asset"  # read-only: ignored

    assert snapshot() == before
    assert ok(finance.patch(url, {"name_en": "Goods"}))["label"] == "Goods"


def test_management_reads_the_chart_but_does_not_write_it(manager):
    assert ok(manager.get(ACCOUNTS))["count"] == Account.objects.count()
    before = snapshot()
    body = {"parent": account_id("6602"), "code": "6602.01", "name": "差旅费"}
    assert manager.post(ACCOUNTS, body).status_code == 403
    assert manager.patch(f"{ACCOUNTS}{account_id('6602')}/", {"name": "x"}).status_code == 403
    assert manager.delete(f"{ACCOUNTS}{account_id('6602')}/").status_code == 403
    assert snapshot() == before
