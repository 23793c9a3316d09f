"""Who may do what in the books: finance and management read cash, the journal, the chart,
the periods and the books check; nobody else does. Only finance writes manual entries and the
chart and closes a month; only management reopens one. A refusal changes nothing."""

import pytest

from tests.books import support

from .helpers import (
    ACCOUNTS,
    BOOKS_CHECK,
    CASH_ACCOUNTS,
    CATEGORIES,
    ENTRIES,
    MONEY,
    PERIODS,
    TRANSFERS,
    account_id,
    ok,
    snapshot,
)

pytestmark = pytest.mark.django_db

READS = [CASH_ACCOUNTS, ACCOUNTS, ENTRIES, TRANSFERS, MONEY, CATEGORIES, PERIODS, BOOKS_CHECK]
OUTSIDERS = ["warehouse", "purchasing", "sales", "customer_service", "it_admin"]


def manual_lines():
    return [{"account": account_id("6602"), "debit": "10"}, {"account": account_id("2241"), "credit": "10"}]


@pytest.mark.parametrize("department", ["finance", "management"])
@pytest.mark.parametrize("url", READS)
def test_finance_and_management_read_the_books(api_as, department, url):
    assert api_as(department).get(url).status_code == 200


@pytest.mark.parametrize("department", OUTSIDERS)
@pytest.mark.parametrize("url", READS)
def test_other_departments_are_refused(api_as, department, url):
    assert api_as(department).get(url).status_code == 403


@pytest.mark.parametrize("department", OUTSIDERS)
def test_other_departments_write_nothing(api_as, world, department):
    client = api_as(department)
    before = snapshot()
    transfer = {"from_account": world["bank"].pk, "to_account": world["bank"].pk, "amount": "1"}
    money = {"kind": "expense", "lines": []}
    for url, body in [
        (CASH_ACCOUNTS, {"code": "X1", "name": "x", "kind": "cash", "opening_balance": "5"}),
        (ENTRIES, {"lines": manual_lines()}),
        (TRANSFERS, transfer),
        (MONEY, money),
        (f"{PERIODS}2026-11/close/", {}),
        (f"{PERIODS}2026-11/reopen/", {"reason": "x"}),
    ]:
        assert client.post(url, body).status_code == 403, url
    assert client.get(f"{CASH_ACCOUNTS}{world['bank'].pk}/journal/").status_code == 403
    assert client.patch(f"{CASH_ACCOUNTS}{world['bank'].pk}/", {"opening_balance": "0"}).status_code == 403
    assert snapshot() == before


def test_anonymous_is_401(api_as):
    for url in READS:
        assert api_as(None).get(url).status_code == 401


def test_only_finance_writes_and_posts_manual_entries(finance, manager):
    draft = ok(finance.post(ENTRIES, {"date": "2026-11-30", "lines": manual_lines()}), 201)
    before = snapshot()

    assert manager.post(ENTRIES, {"lines": manual_lines()}).status_code == 403
    assert manager.post(f"{ENTRIES}{draft['id']}/post/").status_code == 403
    assert manager.patch(f"{ENTRIES}{draft['id']}/", {"memo": "x"}).status_code == 403
    assert manager.delete(f"{ENTRIES}{draft['id']}/").status_code == 403
    assert snapshot() == before

    ok(finance.post(f"{ENTRIES}{draft['id']}/post/"))
    before = snapshot()
    assert manager.post(f"{ENTRIES}{draft['id']}/reverse/").status_code == 403
    assert snapshot() == before
    assert ok(manager.get(f"{ENTRIES}{draft['id']}/"))["status"] == "posted"


def test_management_manages_cash_accounts(manager, world):
    account = ok(manager.post(CASH_ACCOUNTS, {"code": "C09", "name": "备用金", "kind": "cash"}), 201)
    assert ok(manager.patch(f"{CASH_ACCOUNTS}{account['id']}/", {"opening_balance": "300"}))["balance"] == "300.00"
    journal = ok(manager.get(f"{CASH_ACCOUNTS}{account['id']}/journal/"))
    assert [r["balance"] for r in journal["rows"]] == ["300.00"]


def test_management_posts_other_income_and_expenses(manager, world):
    body = {
        "kind": "expense",
        "account": world["bank"].pk,
        "date": "2026-11-30",
        "lines": [{"category": support.MoneyCategory.objects.get(name="运费").pk, "amount": "88.00"}],
    }
    document = ok(manager.post(MONEY, body), 201)
    assert ok(manager.post(f"{MONEY}{document['id']}/post/"))["status"] == "posted"
    assert ok(manager.get(f"{CASH_ACCOUNTS}{world['bank'].pk}/"))["balance"] == "49912.00"
