"""/api/v1/books-check/: the checks of ``manage.py check_books`` — all clean after a month of
business, and a manual entry on the bank account (no cash movement behind it) is found."""

import io

import openpyxl
import pytest

from tests.books import support

from .helpers import BOOKS_CHECK, ENTRIES, account_id, ok

pytestmark = pytest.mark.django_db
KEYS = ["journal", "inventory", "receivables", "payables", "vat", "cash", "documents", "open_items"]


@pytest.fixture
def november(world):
    support.receive(world, "100", "20.00", on=support.day(3))
    delivery = support.deliver(world, "60", "50.00", on=support.day(5))
    support.take_back(world, delivery, "10", on=support.day(8))
    support.pay(world, "2000.00", on=support.day(20))
    support.collect(world, "2825.00", on=support.day(25))
    support.spend(world, "房租", "1500.00", on=support.day(30))
    return world


def test_the_books_reconcile_after_a_month_of_business(finance, november):
    body = ok(finance.get(BOOKS_CHECK))

    assert body["ok"] is True
    assert [(c["key"], c["ok"], c["problems"]) for c in body["checks"]] == [(key, True, []) for key in KEYS]
    assert body["checks"][1]["label"] == "Inventory (1405) = stock ledger value"


def test_a_bank_entry_without_money_behind_it_is_found(finance, manager, november):
    lines = [{"account": account_id("1002"), "debit": "99.00"}, {"account": account_id("3001"), "credit": "99.00"}]
    entry = ok(finance.post(ENTRIES, {"date": "2026-11-30", "lines": lines}), 201)
    ok(finance.post(f"{ENTRIES}{entry['id']}/post/"))

    body = ok(manager.get(BOOKS_CHECK))

    assert body["ok"] is False
    failing = {c["key"]: c["problems"] for c in body["checks"] if not c["ok"]}
    assert failing == {
        "cash": ["1002 cash/bank: books 49424.00, cash/bank account balances 49325.00 (difference 99.00)"]
    }


def test_the_checks_in_excel(finance, november):
    response = finance.get(BOOKS_CHECK, {"format": "xlsx"})

    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == KEYS
