"""What the general-ledger API tests share: the endpoints, a small company whose business is
written through the services (tests/books/support.py), and a snapshot of everything a write
would change (for "a refusal changes nothing")."""

from __future__ import annotations

from decimal import Decimal

from apps.finance.models import (
    Account,
    CashAccount,
    CashMovement,
    CashTransfer,
    JournalEntry,
    JournalLine,
    MoneyCategory,
    MoneyDocument,
    MoneyLine,
    Period,
    PeriodEvent,
)

D = Decimal
API = "/api/v1/"
CASH_ACCOUNTS = f"{API}cash-accounts/"
ACCOUNTS = f"{API}accounts/"
ENTRIES = f"{API}journal-entries/"
TRANSFERS = f"{API}cash-transfers/"
MONEY = f"{API}income-expenses/"
CATEGORIES = f"{API}income-expense-categories/"
PERIODS = f"{API}periods/"
BOOKS_CHECK = f"{API}books-check/"


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    return response.json()


def refused(response, status, code=None) -> dict:
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


def account_id(code: str) -> int:
    return Account.objects.get(code=code).pk


def category_id(kind: str, name: str) -> int:
    return MoneyCategory.objects.get(kind=kind, name=name).pk


def balances() -> dict[str, Decimal]:
    return dict(CashAccount.objects.values_list("code", "balance"))


def snapshot() -> dict:
    """Everything the ledger writes: entries and their lines, movements and balances, the
    documents and their statuses, the chart, the categories and the periods."""
    return {
        "entries": list(JournalEntry.objects.order_by("id").values_list("id", "status", "date", "total", "memo")),
        "lines": list(JournalLine.objects.order_by("id").values_list("entry", "account", "debit", "credit")),
        "movements": list(CashMovement.objects.order_by("id").values_list("account", "amount", "balance_after")),
        "cash_accounts": list(
            CashAccount.objects.order_by("id").values_list(
                "code", "name", "kind", "opening_balance", "balance", "ledger_account", "is_active"
            )
        ),
        "transfers": list(CashTransfer.objects.order_by("id").values_list("id", "status", "amount", "date")),
        "money": list(MoneyDocument.objects.order_by("id").values_list("id", "status", "kind", "total", "date")),
        "money_lines": list(MoneyLine.objects.order_by("id").values_list("document", "category", "amount")),
        "accounts": list(Account.objects.order_by("id").values_list("code", "name", "name_en", "is_active")),
        "categories": list(MoneyCategory.objects.order_by("id").values_list("kind", "name", "account", "is_active")),
        "periods": list(Period.objects.order_by("month").values_list("month", "is_closed", "closed_by")),
        "events": list(PeriodEvent.objects.order_by("id").values_list("period", "action", "reason", "user")),
    }


def entry_lines(entry: dict) -> list[tuple[str, str, str]]:
    """An API entry's lines as (account code, debit, credit), sorted."""
    return sorted((line["account_code"], line["debit"], line["credit"]) for line in entry["lines"])


def close_month(month) -> None:
    """Mark a month closed directly (set-up; the close itself is tested through the API)."""
    Period.objects.update_or_create(month=month.replace(day=1), defaults={"is_closed": True})
