"""/api/v1/income-expenses/ (收入单 / 支出单) and /api/v1/income-expense-categories/: an expense
of 1,500 rent lowers the bank and debits 6602; other income into the default account; cancelling
reverses both; refused input and closed months change nothing; categories in use stay."""

import pytest

from apps.finance.models import MoneyCategory
from tests.books import support

from .helpers import (
    ACCOUNTS,
    CATEGORIES,
    ENTRIES,
    MONEY,
    account_id,
    balances,
    category_id,
    close_month,
    entry_lines,
    ok,
    refused,
    snapshot,
)

pytestmark = pytest.mark.django_db
D = support.D


def rent(world, amount="1500.00", **extra) -> dict:
    return {
        "kind": "expense",
        "account": world["bank"].pk,
        "date": "2026-11-30",
        "counterparty": "房东 王先生",
        "lines": [{"category": category_id("expense", "房租"), "amount": amount, "description": "十一月"}],
        **extra,
    }


def balance(client, code: str) -> str:
    return next(row["balance"] for row in ok(client.get(ACCOUNTS, {"search": code}))["results"] if row["code"] == code)


def test_an_expense_of_1500_rent_lowers_the_bank_and_debits_6602(finance, world):
    document = ok(finance.post(MONEY, rent(world)), 201)
    assert (document["status"], document["kind"], document["total"], document["account_name"]) == (
        "draft",
        "expense",
        "1500.00",
        "工商银行",
    )
    assert document["number"].startswith("OE-2026-")
    assert document["lines"] == [
        {
            "line_no": 1,
            "category": category_id("expense", "房租"),
            "category_name": "Rent",
            "amount": "1500.00",
            "description": "十一月",
        }
    ]

    posted = ok(finance.post(f"{MONEY}{document['id']}/post/"))

    assert posted["status"] == "posted"
    assert balances()["B01"] == D("48500.00")
    assert (balance(finance, "6602"), balance(finance, "1002")) == ("1500.00", "48500.00")
    entry = ok(finance.get(ENTRIES, {"source_number": document["number"]}))["results"][0]
    assert (entry["total"], entry["source_type"]) == ("1500.00", "money_document")
    assert entry_lines(entry) == [("1002", "0.00", "1500.00"), ("6602", "1500.00", "0.00")]


def test_other_income_goes_into_the_default_account(finance, world):
    body = {
        "kind": "income",
        "date": "2026-11-20",
        "lines": [
            {"category": category_id("income", "废品收入"), "amount": "80.00"},
            {"category": category_id("income", "其他收入"), "amount": "20.50"},
        ],
    }
    document = ok(finance.post(MONEY, body), 201)
    assert (document["number"][:3], document["account_name"], document["total"]) == ("OI-", "现金", "100.50")

    ok(finance.post(f"{MONEY}{document['id']}/post/"))

    assert balances()["1001"] == D("100.50")
    entry = ok(finance.get(ENTRIES, {"source_number": document["number"]}))["results"][0]
    assert entry_lines(entry) == [("1001", "100.50", "0.00"), ("6051", "0.00", "80.00"), ("6301", "0.00", "20.50")]


def test_cancelling_a_posted_expense_gives_the_money_back(finance, world):
    document = ok(finance.post(MONEY, rent(world)), 201)
    ok(finance.post(f"{MONEY}{document['id']}/post/"))

    assert ok(finance.post(f"{MONEY}{document['id']}/cancel/"))["status"] == "cancelled"

    assert balances()["B01"] == D("50000.00")
    assert balance(finance, "6602") == "0.00"


def test_the_kind_filter_and_a_changed_draft(finance, world):
    expense = ok(finance.post(MONEY, rent(world)), 201)
    ok(
        finance.post(
            MONEY, {"kind": "income", "lines": [{"category": category_id("income", "其他收入"), "amount": "5"}]}
        ),
        201,
    )

    assert [row["number"] for row in ok(finance.get(MONEY, {"kind": "expense"}))["results"]] == [expense["number"]]
    assert ok(finance.get(MONEY, {"category": category_id("expense", "房租")}))["count"] == 1
    refused(finance.get(MONEY, {"kind": "gift"}), 400)

    changed = ok(
        finance.patch(
            f"{MONEY}{expense['id']}/",
            {"lines": [{"category": category_id("expense", "工资"), "amount": "8000"}], "counterparty": "员工"},
        )
    )
    assert (changed["total"], changed["counterparty"], changed["lines"][0]["category_name"]) == (
        "8000.00",
        "员工",
        "Wages",
    )
    before = snapshot()
    assert list(refused(finance.patch(f"{MONEY}{expense['id']}/", {"kind": "income"}), 400)) == ["kind"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"category": ("income", "其他收入"), "amount": "10"}], "is not a category of this kind of document"),
        ([{"category": ("expense", "房租"), "amount": "0"}], "Line 1: the amount must be more than zero."),
        ([], "Add at least one line."),
    ],
)
def test_bad_lines_are_400_and_write_nothing(finance, world, lines, message):
    for line in lines:
        line["category"] = category_id(*line["category"])
    before = snapshot()

    body = refused(finance.post(MONEY, rent(world, lines=lines)), 400)

    assert list(body) == ["lines"]
    assert message in body["lines"][0]
    assert snapshot() == before


def test_posting_into_a_closed_month_is_409_and_leaves_no_trace(finance, world):
    document = ok(finance.post(MONEY, rent(world)), 201)
    close_month(support.day(1))
    before = snapshot()

    refused(finance.post(f"{MONEY}{document['id']}/post/"), 409, "period_closed")

    assert snapshot() == before
    assert balances()["B01"] == D("50000.00")
    assert ok(finance.get(f"{MONEY}{document['id']}/"))["status"] == "draft"


# --- Categories ----------------------------------------------------------------------------


def test_the_seeded_categories_and_their_accounts(finance):
    rows = ok(finance.get(CATEGORIES, {"kind": "expense", "page_size": 50}))["results"]
    assert [(r["name"], r["label"], r["account_code"]) for r in rows][:2] == [
        ("房租", "Rent", "6602"),
        ("工资", "Wages", "6602"),
    ]
    assert len(rows) == 8


def test_finance_adds_changes_and_deletes_an_unused_category(finance):
    body = {"kind": "expense", "name": "差旅费", "name_en": "Travel", "account": account_id("6602")}
    category = ok(finance.post(CATEGORIES, body), 201)
    assert (category["label"], category["account_code"], category["is_active"]) == ("Travel", "6602", True)

    changed = ok(finance.patch(f"{CATEGORIES}{category['id']}/", {"account": account_id("6601")}))
    assert changed["account_code"] == "6601"

    assert finance.delete(f"{CATEGORIES}{category['id']}/").status_code == 204
    assert not MoneyCategory.objects.filter(pk=category["id"]).exists()


def test_a_used_category_is_not_deleted(finance, world):
    ok(finance.post(MONEY, rent(world)), 201)
    before = snapshot()
    refused(finance.delete(f"{CATEGORIES}{category_id('expense', '房租')}/"), 409, "in_use")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"account": "1002"}, "account"),
        ({"name": "房租"}, "non_field_errors"),
        ({"kind": "gift"}, "kind"),
    ],
)
def test_bad_categories_are_400(finance, change, field):
    body = {"kind": "expense", "name": "差旅费", "account": account_id("6602"), **change}
    if "account" in change:
        body["account"] = account_id(change["account"])
    before = snapshot()
    assert list(refused(finance.post(CATEGORIES, body), 400)) == [field]
    assert snapshot() == before


def test_a_category_s_kind_never_changes(finance):
    before = snapshot()
    url = f"{CATEGORIES}{category_id('expense', '房租')}/"
    assert list(refused(finance.patch(url, {"kind": "income"}), 400)) == ["kind"]
    assert snapshot() == before


def test_management_reads_categories_but_does_not_write_them(manager):
    assert ok(manager.get(CATEGORIES))["count"] == 11
    before = snapshot()
    body = {"kind": "expense", "name": "差旅费", "account": account_id("6602")}
    assert manager.post(CATEGORIES, body).status_code == 403
    assert manager.delete(f"{CATEGORIES}{category_id('expense', '房租')}/").status_code == 403
    assert snapshot() == before
