"""Who may open the general-ledger pages: finance and management read them all; only finance
writes manual entries, edits the chart and closes a period; only management reopens one; the
other departments get a 403 everywhere, and a refused write changes nothing. The menu shows
each finance entry only to those who may open it."""

import re

import pytest

from apps.finance import cash
from apps.finance.models import Account, CashTransfer, JournalEntry, MoneyCategory, Period

from .conftest import text

pytestmark = pytest.mark.django_db

OTHERS = ["warehouse", "purchasing", "sales", "customer_service", "it_admin"]


@pytest.fixture
def things(november):
    """One of each document of the month, and a draft cash transfer."""
    finance = november["finance"]
    second = cash.cash_account_create(user=finance, code="C01", name="现金", kind="cash")
    transfer = cash.cash_transfer_create(
        user=finance,
        from_account=november["bank"],
        to_account=second,
        amount="100.00",
        date=november["bank"].opening_date,
    )
    return {
        **november,
        "entry": JournalEntry.objects.get(source_type="delivery"),
        "expense": cash.money_document_create(
            user=finance,
            kind="expense",
            account=november["bank"],
            lines=[{"category": MoneyCategory.objects.get(kind="expense", name="运费"), "amount": "80.00"}],
        ),
        "income": cash.money_document_create(
            user=finance,
            kind="income",
            account=november["bank"],
            lines=[{"category": MoneyCategory.objects.get(kind="income", name="其他收入"), "amount": "20.00"}],
        ),
        "transfer": transfer,
    }


def read_pages(t) -> list[str]:
    return [
        "/finance/accounts/",
        "/finance/journal/",
        f"/finance/journal/{t['entry'].pk}/",
        "/finance/cash-accounts/",
        f"/finance/cash-accounts/{t['bank'].pk}/",
        "/finance/cash-transfers/",
        f"/finance/cash-transfers/{t['transfer'].pk}/",
        "/finance/income/",
        f"/finance/income/{t['income'].pk}/",
        "/finance/expenses/",
        f"/finance/expenses/{t['expense'].pk}/",
        "/finance/periods/",
        "/finance/periods/2026-11/",
        "/finance/books-check/",
    ]


@pytest.mark.parametrize("department", OTHERS)
def test_other_departments_are_refused_every_page(client_as, things, department):
    client = client_as(department)

    for url in read_pages(things) + [
        "/finance/accounts/new/",
        "/finance/journal/new/",
        "/finance/cash-accounts/new/",
        "/finance/cash-transfers/new/",
        "/finance/income/new/",
        "/finance/expenses/new/",
    ]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("department", OTHERS)
def test_other_departments_change_nothing(client_as, things, department):
    client = client_as(department)
    bank = Account.objects.get(code="1002")
    entries = JournalEntry.objects.count()

    responses = [
        client.post("/finance/accounts/new/", {"parent": bank.pk, "code": "1002.01", "name": "工行"}),
        client.post(f"/finance/cash-transfers/{things['transfer'].pk}/post/"),
        client.post(f"/finance/expenses/{things['expense'].pk}/post/"),
        client.post("/finance/periods/2026-11/close/"),
        client.post(
            "/finance/journal/new/",
            {"line-account": [bank.pk, bank.pk], "line-debit": ["1", ""], "line-credit": ["", "1"], "_action": "post"},
        ),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert not Account.objects.filter(code="1002.01").exists()
    assert JournalEntry.objects.count() == entries
    assert CashTransfer.objects.get(pk=things["transfer"].pk).status == "draft"
    assert not Period.objects.filter(is_closed=True).exists()


@pytest.mark.parametrize("department", ["finance", "management"])
def test_finance_and_management_read_every_page(client_as, things, department):
    client = client_as(department)

    for url in read_pages(things):
        response = client.get(url)
        if response.status_code == 302:  # a draft opens in its editor for those who may change it
            response = client.get(response["Location"])
        assert response.status_code == 200, url


def test_management_reads_the_books_but_writes_no_entry_nor_the_chart(client_as, things):
    client = client_as("management")
    bank = Account.objects.get(code="1002")

    assert client.get("/finance/journal/new/").status_code == 403
    assert client.get("/finance/accounts/new/").status_code == 403
    assert client.get(f"/finance/accounts/{bank.pk}/edit/").status_code == 403
    assert client.post("/finance/periods/2026-11/close/").status_code == 403
    assert client.get("/finance/journal/").context["create_url"] is None
    assert "Add sub-account" not in text(client.get("/finance/accounts/"))
    assert not Period.objects.filter(is_closed=True).exists()


def test_finance_may_not_reopen_a_period(client_as, november):
    client = client_as("finance")
    assert client.post("/finance/periods/2026-11/close/").status_code == 302
    assert Period.objects.get(month="2026-11-01").is_closed

    response = client.post("/finance/periods/2026-11/reopen/", {"reason": "late invoice"})

    assert response.status_code == 403
    assert Period.objects.get(month="2026-11-01").is_closed


FINANCE_MENU = [
    "Cash/bank accounts",
    "Cash transfers",
    "Other income",
    "Other expenses",
    "Journal entries",
    "Chart of accounts",
    "Trial balance",
    "Income statement",
    "Balance sheet",
    "Cash flow",
    "Period close",
    "Books check",
]


def finance_group(response) -> list[str]:
    nav = re.search(r'<nav class="sidebar".*?</nav>', response.content.decode(), re.S).group(0)
    groups = re.findall(r'<div class="nav-group-label">([^<]+)</div>(.*?)</div>', nav, re.S)
    entries = dict(groups).get("Finance", "")
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", entries)]


@pytest.mark.parametrize("department", ["finance", "management"])
def test_the_finance_menu_lists_the_ledger_pages_in_order(client_as, department):
    client = client_as(department)
    labels = finance_group(client.get("/"))

    assert labels[-len(FINANCE_MENU) :] == FINANCE_MENU
    nav = re.search(r'<nav class="sidebar".*?</nav>', client.get("/").content.decode(), re.S).group(0)
    for url in re.findall(r'href="(/(?:finance|reports)/[^"]+)"', nav):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("department", OTHERS)
def test_others_see_none_of_them(client_as, department):
    labels = finance_group(client_as(department).get("/"))

    assert not set(labels) & set(FINANCE_MENU)
