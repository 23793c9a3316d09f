"""/api/v1/cash-accounts/ (结算账户): the contract's fields, an opening balance booked, money
in and out with running balances in the account's journal (资金流水), a changed opening balance
booking the difference, what cannot change once money moved, and deleting only unused accounts."""

import io

import openpyxl
import pytest
from django.urls import reverse

from apps.finance.models import CashAccount, JournalEntry, MoneyCategory
from tests.books import support

from .helpers import ACCOUNTS, CASH_ACCOUNTS, D, account_id, balances, close_month, ok, refused, snapshot

pytestmark = pytest.mark.django_db


def open_account(client, code="B02", opening="1000.00", **extra) -> dict:
    body = {"code": code, "name": "招商银行", "kind": "bank", "opening_balance": opening, "opening_date": "2026-11-01"}
    return ok(client.post(CASH_ACCOUNTS, {**body, **extra}), 201)


def collect_into(finance, world, account: dict, amount: str, day: int) -> dict:
    """A posted customer receipt (收款单) of ``amount`` into ``account`` over the API."""
    receipt = ok(
        finance.post(
            "/api/v1/customer-receipts/",
            {
                "customer": world["customer"].pk,
                "amount": amount,
                "account": account["id"],
                "date": support.day(day).isoformat(),
            },
        ),
        201,
    )
    return ok(finance.post(f"/api/v1/customer-receipts/{receipt['id']}/post/"))


@pytest.fixture
def owed(world):
    """The customer owes 565.00 for 10 A at 50.00 + 13% VAT delivered on 2026-11-05."""
    support.receive(world, "100", "20.00", on=support.day(3))
    support.deliver(world, "10", "50.00", on=support.day(5))
    return world


def test_an_account_opened_with_1000_books_its_opening_balance(finance):
    account = open_account(finance)

    assert account == {
        "id": account["id"],
        "code": "B02",
        "name": "招商银行",
        "kind": "bank",
        "opening_balance": "1000.00",
        "opening_date": "2026-11-01",
        "balance": "1000.00",
        "ledger_account": account_id("1002"),
        "ledger_account_code": "1002",
        "is_default": False,
        "is_active": True,
    }
    entry = JournalEntry.objects.get(source_type="cash_opening", source_id=account["id"])
    assert (entry.date.isoformat(), entry.total) == ("2026-11-01", D("1000.00"))
    assert sorted((line.account.code, line.debit, line.credit) for line in entry.lines.all()) == [
        ("1002", D("1000.00"), D("0")),
        ("3001", D("0"), D("1000.00")),
    ]


def test_a_receipt_of_300_makes_1300_and_the_journal_shows_running_balances(finance, owed):
    account = open_account(finance)
    receipt = collect_into(finance, owed, account, "300.00", day=10)
    expense = ok(
        finance.post(
            "/api/v1/income-expenses/",
            {
                "kind": "expense",
                "account": account["id"],
                "date": "2026-11-12",
                "counterparty": "物业公司",
                "lines": [{"category": MoneyCategory.objects.get(name="水电费").pk, "amount": "120.50"}],
            },
        ),
        201,
    )
    expense = ok(finance.post(f"/api/v1/income-expenses/{expense['id']}/post/"))

    assert ok(finance.get(f"{CASH_ACCOUNTS}{account['id']}/"))["balance"] == "1179.50"
    journal = ok(finance.get(f"{CASH_ACCOUNTS}{account['id']}/journal/"))
    assert journal["account"]["code"] == "B02"
    assert journal["opening"] == "0.00"
    assert [
        (r["date"], r["source_type"], r["source_number"], r["counterparty"], r["amount"], r["inflow"], r["outflow"])
        + (r["balance"],)
        for r in journal["rows"]
    ] == [
        ("2026-11-01", "cash_opening", "B02-OB", "", "1000.00", "1000.00", "0.00", "1000.00"),
        ("2026-11-10", "customer_receipt", receipt["number"], owed["customer"].name, "300.00", "300.00", "0.00")
        + ("1300.00",),
        ("2026-11-12", "money_document", expense["number"], "物业公司", "-120.50", "0.00", "120.50", "1179.50"),
    ]
    assert (journal["inflow"], journal["outflow"], journal["closing"]) == ("1300.00", "120.50", "1179.50")


def test_the_journal_of_a_date_range_starts_from_the_balance_before_it(finance, owed):
    account = open_account(finance)
    collect_into(finance, owed, account, "300.00", day=10)
    collect_into(finance, owed, account, "200.00", day=20)

    journal = ok(
        finance.get(f"{CASH_ACCOUNTS}{account['id']}/journal/", {"date_from": "2026-11-05", "date_to": "2026-11-15"})
    )

    assert (journal["opening"], [r["balance"] for r in journal["rows"]], journal["closing"]) == (
        "1000.00",
        ["1300.00"],
        "1300.00",
    )
    empty = ok(finance.get(f"{CASH_ACCOUNTS}{account['id']}/journal/", {"date_from": "2026-11-25"}))
    assert (empty["opening"], empty["rows"], empty["closing"]) == ("1500.00", [], "1500.00")


def test_the_journal_in_excel(finance, owed):
    account = open_account(finance)
    collect_into(finance, owed, account, "300.00", day=10)

    response = finance.get(f"{CASH_ACCOUNTS}{account['id']}/journal/", {"format": "xlsx"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert [row[header.index("Balance")] for row in rows[1:]] == [1000, 1300]
    assert [row[header.index("Inflow")] for row in rows[1:]] == [1000, 300]


def test_a_bad_date_range_is_400(finance):
    account = open_account(finance)
    url = f"{CASH_ACCOUNTS}{account['id']}/journal/"
    assert list(refused(finance.get(url, {"date_from": "2026-13-01"}), 400)) == ["date_from"]
    assert list(refused(finance.get(url, {"date_from": "2026-11-20", "date_to": "2026-11-01"}), 400)) == ["date_to"]


def test_changing_the_opening_balance_books_the_difference(finance, owed):
    account = open_account(finance)
    collect_into(finance, owed, account, "300.00", day=10)

    changed = ok(finance.patch(f"{CASH_ACCOUNTS}{account['id']}/", {"opening_balance": "1200.00", "name": "招行"}))

    assert (changed["opening_balance"], changed["balance"], changed["name"]) == ("1200.00", "1500.00", "招行")
    journal = ok(finance.get(f"{CASH_ACCOUNTS}{account['id']}/journal/"))
    assert [(r["date"], r["amount"], r["balance"]) for r in journal["rows"]] == [
        ("2026-11-01", "1000.00", "1000.00"),
        ("2026-11-01", "200.00", "1200.00"),
        ("2026-11-10", "300.00", "1500.00"),
    ]
    openings = JournalEntry.objects.filter(source_type="cash_opening", source_id=account["id"])
    assert sorted(e.total for e in openings) == [D("200.00"), D("1000.00")]


def test_kind_and_ledger_account_stay_once_money_moved(finance):
    account = open_account(finance)
    sub = ok(finance.post(ACCOUNTS, {"parent": account_id("1002"), "code": "1002.01", "name": "招商银行"}), 201)
    other = open_account(finance, code="B03", ledger_account=sub["id"])
    assert (other["ledger_account_code"], other["balance"]) == ("1002.01", "1000.00")
    before = snapshot()

    assert list(refused(finance.patch(f"{CASH_ACCOUNTS}{account['id']}/", {"kind": "cash"}), 400)) == ["kind"]
    assert list(refused(finance.patch(f"{CASH_ACCOUNTS}{other['id']}/", {"ledger_account": None}), 400)) == [
        "ledger_account"
    ]
    body = refused(finance.patch(f"{CASH_ACCOUNTS}{other['id']}/", {"opening_date": "2026-11-02"}), 400)
    assert list(body) == ["opening_date"]

    assert snapshot() == before


def test_a_ledger_account_outside_cash_and_bank_is_400(finance):
    before = snapshot()
    body = refused(
        finance.post(CASH_ACCOUNTS, {"code": "B09", "name": "x", "kind": "bank", "ledger_account": account_id("6602")}),
        400,
    )
    assert list(body) == ["ledger_account"]
    assert snapshot() == before


def test_a_code_used_twice_is_400(finance):
    open_account(finance)
    before = snapshot()
    assert list(refused(finance.post(CASH_ACCOUNTS, {"code": "B02", "name": "x", "kind": "bank"}), 400)) == ["code"]
    assert snapshot() == before


def test_an_opening_balance_in_a_closed_month_is_refused_and_leaves_nothing(finance):
    close_month(support.day(1))
    before = snapshot()

    refused(
        finance.post(
            CASH_ACCOUNTS,
            {
                "code": "B02",
                "name": "招商银行",
                "kind": "bank",
                "opening_balance": "1000",
                "opening_date": "2026-11-03",
            },
        ),
        409,
        "period_closed",
    )

    assert snapshot() == before
    assert not CashAccount.objects.filter(code="B02").exists()


def test_an_account_money_moved_through_is_never_deleted(finance):
    used = open_account(finance)
    unused = open_account(finance, code="B03", opening="0")
    before = snapshot()

    refused(finance.delete(f"{CASH_ACCOUNTS}{used['id']}/"), 409, "in_use")
    assert snapshot() == before

    assert finance.delete(f"{CASH_ACCOUNTS}{unused['id']}/").status_code == 204
    assert sorted(balances()) == ["1001", "B02"]


def test_the_default_account_is_never_deleted(finance):
    default = CashAccount.objects.get(is_default=True)
    assert not default.movements.exists()

    body = refused(finance.delete(f"{CASH_ACCOUNTS}{default.pk}/"), 409, "in_use")

    assert "default" in body["detail"]
    assert CashAccount.objects.filter(pk=default.pk, is_default=True).exists()


def test_the_list_filters_by_kind_and_is_active(finance, world):
    open_account(finance)
    rows = ok(finance.get(CASH_ACCOUNTS, {"kind": "bank"}))["results"]
    assert [(r["code"], r["balance"]) for r in rows] == [("B01", "50000.00"), ("B02", "1000.00")]
    rows = ok(finance.get(CASH_ACCOUNTS, {"kind": "cash"}))["results"]
    assert [(r["code"], r["balance"], r["is_default"]) for r in rows] == [("1001", "0.00", True)]
    refused(finance.get(CASH_ACCOUNTS, {"is_active": "maybe"}), 400)


def test_the_list_url_name_for_the_pages():
    assert reverse("cash-account-list") == CASH_ACCOUNTS


def test_changing_the_kind_before_money_moves_follows_with_the_ledger_account(finance):
    account = open_account(finance, code="B09", opening="0")
    assert account["ledger_account_code"] == "1002"

    changed = ok(finance.patch(f"{CASH_ACCOUNTS}{account['id']}/", {"kind": "cash"}, format="json"))

    assert (changed["kind"], changed["ledger_account_code"]) == ("cash", "1001")
