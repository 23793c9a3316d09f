"""check_books finds each kind of difference: the books of the month of business are tampered
with behind the services' back (as a bug or a hand edit in the database would), and the check
names the difference with its amounts; the command exits 1 with a readable report."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from apps.finance.books import check_books
from apps.finance.models import CashAccount, JournalEntry, JournalLine, Payable, Receivable
from apps.inventory.models import StockBalance
from apps.sales.models import Delivery

from .support import D, day, november_of_business

pytestmark = pytest.mark.django_db


@pytest.fixture
def november(make_user):
    world = november_of_business(make_user)
    assert check_books() == []
    return world


def line(source_type: str, code: str) -> JournalLine:
    return JournalLine.objects.get(entry__source_type=source_type, account__code=code)


def test_an_unbalanced_entry(november):
    delivery_revenue = line("delivery", "6001")
    JournalLine.objects.filter(pk=delivery_revenue.pk).update(credit=F("credit") - D("0.01"))
    number = delivery_revenue.entry.number

    problems = check_books()

    assert f"journal: {number}: debit 4590.00 ≠ credit 4589.99" in problems
    assert "journal: journal: total debit 63980.00 ≠ total credit 63979.99" in problems


def test_inventory_differs_from_the_stock_ledger(november):
    StockBalance.objects.update(value=F("value") + D("5.00"))

    assert check_books() == ["inventory: 1405 inventory: books 960.00, stock balances value 965.00 (difference -5.00)"]


def test_receivables_and_payables_differ_from_their_open_items(november):
    Receivable.objects.filter(amount__gt=0).update(paid=F("paid") - D("100.00"))
    Payable.objects.update(amount=F("amount") + D("1.00"))

    problems = check_books()

    assert "receivables: 1122 receivables: books 0.00, open receivables 100.00 (difference -100.00)" in problems
    assert "payables: 2202 payables: books 260.00, open payables 261.00 (difference -1.00)" in problems


def test_vat_differs_from_the_documents(november):
    Delivery.objects.update(total_tax=F("total_tax") + D("0.10"))

    assert check_books() == ["vat: 2221.02 output VAT: books 325.00, document taxes 325.10 (difference -0.10)"]


def test_a_cash_balance_differs_from_its_journal(november):
    CashAccount.objects.filter(pk=november["bank"].pk).update(balance=F("balance") + D("1.00"))

    problems = check_books()

    assert "cash: B01 工商银行: balance 49326.00, movements add up to 49325.00" in problems
    assert "cash: 1002 cash/bank: books 49325.00, cash/bank account balances 49326.00 (difference -1.00)" in problems


def test_a_posting_without_its_entry_and_a_cancellation_without_its_reversal(november):
    receipt_entry = JournalEntry.objects.get(source_type="purchase_receipt")
    source = (receipt_entry.source_type, receipt_entry.source_id)
    receipt_entry.delete()

    problems = [p for p in check_books() if p.startswith("documents:")]

    assert problems == [f"documents: {source[0]} {source[1]}: stock value moved but no journal entry"]


def test_a_cancelled_delivery_whose_entry_was_not_reversed(november):
    from apps.sales import services as sales

    from .support import deliver

    delivery = deliver(november, "5", "50.00", on=day(28))
    sales.delivery_cancel(delivery=delivery, user=november["manager"])
    assert check_books() == []
    JournalEntry.objects.filter(source_type="delivery", source_id=delivery.pk, reversal_of__isnull=False).delete()

    problems = [p for p in check_books() if p.startswith("documents:")]

    assert problems == [
        f"documents: delivery {delivery.pk}: cancelled in the stock ledger but its journal entry is not reversed"
    ]


def test_the_command_reports_and_exits_1(november, capsys):
    StockBalance.objects.update(value=F("value") + D("5.00"))

    with pytest.raises(CommandError) as failed:
        call_command("check_books")

    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "books 960.00, stock balances value 965.00" in out
