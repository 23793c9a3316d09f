"""A small month of business booked by the documents themselves, and the statements it gives,
against answers computed by hand (in the docstring of each test).

November 2026, product A at 13% VAT, bank account opened with 50,000.00 on the 1st:
  3rd  receipt 100 A @ 20.00          Dr 1405 2,000.00  Dr 2221.01 260.00  Cr 2202 2,260.00
  5th  delivery 60 A @ 50.00          Dr 1122 3,390.00  Cr 6001 3,000.00  Cr 2221.02 390.00
                                      Dr 6401 1,200.00  Cr 1405 1,200.00
  8th  return 10 A of that delivery   Dr 6001 500.00  Dr 2221.02 65.00  Cr 1122 565.00
                                      Dr 1405 200.00  Cr 6401 200.00
  15th count: 48 found of 50          Dr 6711 40.00  Cr 1405 40.00
  20th payment to the supplier        Dr 2202 2,000.00  Cr 1002 2,000.00
  25th receipt from the customer      Dr 1002 2,825.00  Cr 1122 2,825.00
  30th rent paid (支出单 房租)          Dr 6602 1,500.00  Cr 1002 1,500.00
"""

import pytest
from django.core.management import call_command

from apps.finance import statements
from apps.finance.books import check_books
from apps.finance.models import JournalEntry
from apps.inventory.models import StockBalance

from .support import D, day, november_of_business, trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def november(make_user):
    return november_of_business(make_user)


def test_every_document_wrote_one_balanced_entry(november):
    entries = JournalEntry.objects.filter(status="posted").order_by("date", "id")
    assert [(e.source_type, str(e.total)) for e in entries] == [
        ("cash_opening", "50000.00"),
        ("purchase_receipt", "2260.00"),
        ("delivery", "4590.00"),
        ("sales_return", "765.00"),
        ("stock_count", "40.00"),
        ("supplier_payment", "2000.00"),
        ("customer_receipt", "2825.00"),
        ("money_document", "1500.00"),
    ]
    delivery = entries.get(source_type="delivery")
    assert sorted((line.account.code, line.debit, line.credit) for line in delivery.lines.all()) == [
        ("1122", D("3390.00"), D("0")),
        ("1405", D("0"), D("1200.00")),
        ("2221.02", D("0"), D("390.00")),
        ("6001", D("0"), D("3000.00")),
        ("6401", D("1200.00"), D("0")),
    ]


def test_trial_balance_at_month_end(november):
    """1002: 50,000 − 2,000 + 2,825 − 1,500 = 49,325; 1405: 2,000 − 1,200 + 200 − 40 = 960
    (48 × 20); 1122: 3,390 − 565 − 2,825 = 0; 2202: 2,260 − 2,000 = 260 Cr; 2221.02: 390 − 65
    = 325 Cr; 6001: 3,000 − 500 = 2,500 Cr; 6401: 1,200 − 200 = 1,000 Dr.
    Debits 49,325 + 960 + 260 + 1,000 + 1,500 + 40 = 53,085 = credits 260 + 325 + 50,000 + 2,500."""
    result = statements.trial_balance(date_to=day(30))
    assert trial(result["rows"]) == {
        "1002": (D("49325.00"), D("0")),
        "1122": (D("0"), D("0")),
        "1405": (D("960.00"), D("0")),
        "2202": (D("0"), D("260.00")),
        "2221.01": (D("260.00"), D("0")),
        "2221.02": (D("0"), D("325.00")),
        "3001": (D("0"), D("50000.00")),
        "6001": (D("0"), D("2500.00")),
        "6401": (D("1000.00"), D("0")),
        "6602": (D("1500.00"), D("0")),
        "6711": (D("40.00"), D("0")),
    }
    assert result["total_debit"] == result["total_credit"] == D("53085.00")
    # Before the count and the money: the 10th.
    tenth = trial(statements.trial_balance(date_to=day(10))["rows"])
    assert tenth["1405"] == (D("1000.00"), D("0"))
    assert tenth["1122"] == (D("2825.00"), D("0"))


def test_income_statement(november):
    """Revenue 2,500 − cost of sales 1,000 − administrative 1,500 = operating profit 0;
    non-operating expenses (the count loss) 40: net profit −40.00."""
    result = statements.income_statement(date_from=day(1), date_to=day(30))
    assert result["revenue"] == D("2500.00")
    assert result["cost_of_sales"] == D("1000.00")
    assert result["administrative"] == D("1500.00")
    assert result["operating_profit"] == D("0.00")
    assert result["non_operating_expenses"] == D("40.00")
    assert result["net_profit"] == D("-40.00")
    # The first week only: revenue 3,000 − cost 1,200 = 1,800.
    week = statements.income_statement(date_from=day(1), date_to=day(7))
    assert (week["revenue"], week["cost_of_sales"], week["net_profit"]) == (D("3000.00"), D("1200.00"), D("1800.00"))


def test_balance_sheet_balances(november):
    """Assets: bank 49,325 + inventory 960 = 50,285. Liabilities: payables 260 + VAT (325 output
    − 260 input) 65 = 325. Equity: capital 50,000 − the month's loss 40 = 49,960. 325 + 49,960
    = 50,285."""
    result = statements.balance_sheet(date=day(30))
    assert {row["account"]: row["amount"] for row in result["assets"]} == {"1002": D("49325.00"), "1405": D("960.00")}
    assert {row["account"]: row["amount"] for row in result["liabilities"]} == {"2202": D("260.00"), "2221": D("65.00")}
    assert {row["account"]: row["amount"] for row in result["equity"]} == {"3001": D("50000.00"), "": D("-40.00")}
    assert result["total_assets"] == D("50285.00")
    assert result["total_liabilities"] == D("325.00")
    assert result["total_equity"] == D("49960.00")
    assert result["total_assets"] == result["total_liabilities_and_equity"]
    assert result["balanced"] is True
    assert StockBalance.objects.get().value == D("960.00")


def test_cash_flow(november):
    """In: opening 50,000 and 2,825 from the customer; out: 2,000 to the supplier and 1,500
    rent; closing 49,325 (the bank's balance)."""
    result = statements.cash_flow(date_from=day(1), date_to=day(30))
    flows = {row["key"]: row["net"] for row in result["rows"]}
    assert flows.pop("cash_opening") == D("50000.00")
    assert flows.pop("customer_receipt") == D("2825.00")
    assert flows.pop("supplier_payment") == D("-2000.00")
    [(key, rent)] = flows.items()
    assert key.startswith("category:") and rent == D("-1500.00")
    assert (result["opening"], result["inflow"], result["outflow"]) == (D("0"), D("52825.00"), D("3500.00"))
    assert result["closing"] == D("49325.00")
    november["bank"].refresh_from_db()
    assert november["bank"].balance == D("49325.00")
    december = statements.cash_flow(date_from=day(1, 12), date_to=day(31, 12))
    assert (december["opening"], december["closing"], december["rows"]) == (D("49325.00"), D("49325.00"), [])


def test_the_books_reconcile(november, capsys):
    assert check_books() == []
    call_command("check_books")
    assert "The books reconcile" in capsys.readouterr().out


def test_lines_without_an_account_or_category_are_400_and_write_nothing(november):
    from django.core.exceptions import ValidationError

    from apps.finance import cash, journal
    from apps.finance.models import MoneyDocument

    entries = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        journal.manual_create(
            user=november["finance"],
            lines=[{"account": None, "debit": D("10")}, {"account": None, "credit": D("10")}],
        )
    assert refused.value.message_dict["lines"][0].startswith("Line 1")
    with pytest.raises(ValidationError) as refused:
        cash.money_document_create(
            user=november["finance"],
            kind="expense",
            account=november["bank"],
            lines=[{"category": None, "amount": None}],
        )
    assert len(refused.value.message_dict["lines"]) == 2
    assert (JournalEntry.objects.count(), MoneyDocument.objects.count()) == (entries, 1)
