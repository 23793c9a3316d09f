"""The financial statements as reports (/api/v1/reports/trial-balance/, income-statement/,
balance-sheet/, cash-flow/): the small month of tests/books/test_month_of_business.py (its
documents and journal entries are listed in tests/reports/statements_world.py) and the
hand-computed answers from there, as JSON (money as strings with two decimals) and as Excel
(the totals cells equal the JSON's); bad dates are a 400; only finance and management read
them."""

from decimal import Decimal

import pytest

from apps.finance.models import JournalEntry
from tests.books.support import november_of_business

from .helpers import read_xlsx

pytestmark = pytest.mark.django_db

D = Decimal
TRIAL = "/api/v1/reports/trial-balance/"
INCOME = "/api/v1/reports/income-statement/"
BALANCE = "/api/v1/reports/balance-sheet/"
CASH = "/api/v1/reports/cash-flow/"
MONTH = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


@pytest.fixture
def november(make_user):
    return november_of_business(make_user)


def amounts(row, keys):
    return tuple(row[key] for key in keys)


# --- Trial balance -----------------------------------------------------------------------------

CLOSING = ("debit", "credit")
ALL = ("opening_debit", "opening_credit", "period_debit", "period_credit", "debit", "credit")


def test_trial_balance_at_month_end(api_as, november):
    """1002: 50,000 − 2,000 + 2,825 − 1,500 = 49,325; 1405: 2,000 − 1,200 + 200 − 40 = 960;
    1122: 3,390 − 565 − 2,825 = 0 (listed: it moved); debits 53,085 = credits."""
    data = api_as("finance").get(TRIAL, {"date_to": "2026-11-30"}).json()

    assert {row["account"]: amounts(row, CLOSING) for row in data["rows"]} == {
        "1002": ("49325.00", "0.00"),
        "1122": ("0.00", "0.00"),
        "1405": ("960.00", "0.00"),
        "2202": ("0.00", "260.00"),
        "2221.01": ("260.00", "0.00"),
        "2221.02": ("0.00", "325.00"),
        "3001": ("0.00", "50000.00"),
        "6001": ("0.00", "2500.00"),
        "6401": ("1000.00", "0.00"),
        "6602": ("1500.00", "0.00"),
        "6711": ("40.00", "0.00"),
    }
    assert [row["account"] for row in data["rows"]] == sorted(row["account"] for row in data["rows"])
    assert data["count"] == 11
    assert (data["total_debit"], data["total_credit"], data["balanced"]) == ("53085.00", "53085.00", True)
    assert data["date_to"] == "2026-11-30" and data["date_from"] is None
    # Without a start date nothing is opening: the period is everything up to the end date,
    # 63,980.00 each side (the eight entries' totals: 50,000 + 2,260 + 4,590 + 765 + 40 +
    # 2,000 + 2,825 + 1,500).
    assert data["totals"] == {
        "opening_debit": "0.00",
        "opening_credit": "0.00",
        "period_debit": "63980.00",
        "period_credit": "63980.00",
        "debit": "53085.00",
        "credit": "53085.00",
    }
    bank = next(row for row in data["rows"] if row["account"] == "1002")
    assert amounts(bank, ALL) == ("0.00", "0.00", "52825.00", "3500.00", "49325.00", "0.00")
    assert bank["name"] == "Bank deposits"


def test_trial_balance_of_a_period_has_opening_and_movements(api_as, november):
    """Opening at the 9th (after the receipt, the delivery and its return): 1002 50,000 Dr,
    1122 2,825 Dr, 1405 1,000 Dr, 2202 2,260 Cr, 2221.01 260 Dr, 2221.02 325 Cr, 3001 50,000
    Cr, 6001 2,500 Cr, 6401 1,000 Dr: 55,085 each side. From the 10th: the count (40), the
    payment (2,000), the receipt (2,825), the rent (1,500): 6,365 each side."""
    data = api_as("management").get(TRIAL, {"date_from": "2026-11-10", "date_to": "2026-11-30"}).json()

    rows = {row["account"]: amounts(row, ALL) for row in data["rows"]}
    assert rows["1002"] == ("50000.00", "0.00", "2825.00", "3500.00", "49325.00", "0.00")
    assert rows["1122"] == ("2825.00", "0.00", "0.00", "2825.00", "0.00", "0.00")
    assert rows["1405"] == ("1000.00", "0.00", "0.00", "40.00", "960.00", "0.00")
    assert rows["2202"] == ("0.00", "2260.00", "2000.00", "0.00", "0.00", "260.00")
    assert rows["6001"] == ("0.00", "2500.00", "0.00", "0.00", "0.00", "2500.00")
    assert rows["6711"] == ("0.00", "0.00", "40.00", "0.00", "40.00", "0.00")
    assert data["totals"] == {
        "opening_debit": "55085.00",
        "opening_credit": "55085.00",
        "period_debit": "6365.00",
        "period_credit": "6365.00",
        "debit": "53085.00",
        "credit": "53085.00",
    }
    assert data["date_from"] == "2026-11-10"


def test_trial_balance_on_an_earlier_day(api_as, november):
    """The 10th: before the count and the money: 1405 1,000 Dr, 1122 2,825 Dr."""
    data = api_as("finance").get(TRIAL, {"date_to": "2026-11-10"}).json()

    rows = {row["account"]: amounts(row, CLOSING) for row in data["rows"]}
    assert rows["1405"] == ("1000.00", "0.00")
    assert rows["1122"] == ("2825.00", "0.00")
    assert "6602" not in rows
    assert (data["total_debit"], data["total_credit"]) == ("55085.00", "55085.00")


def test_trial_balance_excel_has_the_rows_and_the_totals(api_as, november):
    client = api_as("finance")
    data = client.get(TRIAL, MONTH).json()

    header, sheet = read_xlsx(client.get(TRIAL, {**MONTH, "format": "xlsx"}))

    assert header == [
        "Account code", "Account", "Opening debit", "Opening credit", "Period debit", "Period credit",
        "Closing debit", "Closing credit",
    ]  # fmt: skip
    assert len(sheet) == data["count"] + 1
    assert sheet[0][:2] == ["1002", "Bank deposits"]
    assert [D(str(v)) for v in sheet[0][2:]] == [D("0"), D("0"), D("52825"), D("3500"), D("49325"), D("0")]
    total = sheet[-1]
    assert total[1] == "Total"
    assert [D(str(v)) for v in total[2:]] == [D(data["totals"][key]) for key in ALL]
    assert D(str(total[6])) == D(str(total[7])) == D("53085.00")


# --- Income statement --------------------------------------------------------------------------


def test_income_statement_of_the_month(api_as, november):
    """Revenue 2,500 − cost of sales 1,000 − administrative 1,500 = operating profit 0; the
    count loss 40 below the line: net profit −40.00."""
    data = api_as("finance").get(INCOME, MONTH).json()

    assert [(row["key"], row["amount"], row["is_total"]) for row in data["rows"]] == [
        ("revenue", "2500.00", False),
        ("cost_of_sales", "1000.00", False),
        ("taxes", "0.00", False),
        ("selling", "0.00", False),
        ("administrative", "1500.00", False),
        ("finance", "0.00", False),
        ("investment", "0.00", False),
        ("other_operating", "0.00", False),
        ("operating_profit", "0.00", True),
        ("non_operating_income", "0.00", False),
        ("non_operating_expenses", "40.00", False),
        ("profit_before_tax", "-40.00", True),
        ("income_tax", "0.00", False),
        ("net_profit", "-40.00", True),
    ]
    assert data["rows"][0]["label"] == "Revenue" and data["rows"][-1]["label"] == "Net profit"
    assert (data["revenue"], data["cost_of_sales"], data["administrative"]) == ("2500.00", "1000.00", "1500.00")
    assert (data["operating_profit"], data["non_operating_expenses"]) == ("0.00", "40.00")
    assert data["net_profit"] == "-40.00"
    assert data["totals"] == {"net_profit": "-40.00"}
    assert data["count"] == 14
    assert (data["date_from"], data["date_to"]) == ("2026-11-01", "2026-11-30")


def test_income_statement_of_the_first_week(api_as, november):
    """Revenue 3,000 − cost 1,200 = 1,800 (the return came on the 8th)."""
    data = api_as("finance").get(INCOME, {"date_from": "2026-11-01", "date_to": "2026-11-07"}).json()

    assert (data["revenue"], data["cost_of_sales"], data["net_profit"]) == ("3000.00", "1200.00", "1800.00")


def test_income_statement_defaults_to_the_month_of_the_end_date(api_as, november):
    data = api_as("finance").get(INCOME, {"date_to": "2026-11-30"}).json()

    assert (data["date_from"], data["net_profit"]) == ("2026-11-01", "-40.00")


def test_income_statement_excel_ends_on_the_net_profit(api_as, november):
    client = api_as("finance")
    data = client.get(INCOME, MONTH).json()

    header, sheet = read_xlsx(client.get(INCOME, {**MONTH, "format": "xlsx"}))

    assert header == ["Item", "Amount"]
    assert [row[0] for row in sheet] == [row["label"] for row in data["rows"]]
    assert sheet[0] == ["Revenue", 2500]
    assert sheet[-1][0] == "Net profit"
    assert D(str(sheet[-1][1])) == D(data["totals"]["net_profit"]) == D("-40.00")


# --- Balance sheet -----------------------------------------------------------------------------


def test_balance_sheet_balances(api_as, november):
    """Assets: bank 49,325 + inventory 960 = 50,285. Liabilities: payables 260 + VAT (325 output
    − 260 input) 65 = 325. Equity: capital 50,000 − the month's loss 40 = 49,960."""
    data = api_as("management").get(BALANCE, {"date": "2026-11-30"}).json()

    assert [(r["account"], r["name"], r["amount"]) for r in data["assets"]] == [
        ("1002", "Bank deposits", "49325.00"),
        ("1405", "Inventory (goods)", "960.00"),
    ]
    assert [(r["account"], r["amount"]) for r in data["liabilities"]] == [("2202", "260.00"), ("2221", "65.00")]
    assert [(r["account"], r["amount"]) for r in data["equity"]] == [("3001", "50000.00"), ("", "-40.00")]
    assert data["total_assets"] == "50285.00"
    assert data["total_liabilities"] == "325.00"
    assert data["total_equity"] == "49960.00"
    assert data["total_liabilities_and_equity"] == "50285.00"
    assert data["balanced"] is True
    assert data["date"] == "2026-11-30"


def test_balance_sheet_before_the_month(api_as, november):
    data = api_as("finance").get(BALANCE, {"date": "2026-10-31"}).json()

    assert (data["assets"], data["liabilities"], data["equity"]) == ([], [], [])
    assert (data["total_assets"], data["total_liabilities_and_equity"], data["balanced"]) == ("0.00", "0.00", True)


def test_balance_sheet_excel_has_three_sections_and_their_totals(api_as, november):
    client = api_as("finance")

    header, sheet = read_xlsx(client.get(BALANCE, {"date": "2026-11-30", "format": "xlsx"}))

    assert header == ["Account code", "Account", "Amount"]
    assert sheet == [
        [None, "Assets", None],
        ["1002", "Bank deposits", 49325],
        ["1405", "Inventory (goods)", 960],
        [None, "Total assets", 50285],
        [None, "Liabilities", None],
        ["2202", "Accounts payable", 260],
        ["2221", "Taxes payable", 65],
        [None, "Total liabilities", 325],
        [None, "Equity", None],
        ["3001", "Paid-in capital", 50000],
        [None, "Profit not yet carried forward", -40],
        [None, "Total equity", 49960],
        [None, "Total liabilities and equity", 50285],
    ]
    total_assets, total_both = sheet[3][2], sheet[-1][2]
    assert D(str(total_assets)) == D(str(total_both)) == D("50285.00")


# --- Cash flow ---------------------------------------------------------------------------------


def test_cash_flow_of_the_month(api_as, november):
    """In: the opening 50,000 and 2,825 from the customer; out: 1,500 rent and 2,000 to the
    supplier; closing 49,325 (the bank's balance)."""
    data = api_as("finance").get(CASH, MONTH).json()

    assert [(r["key"].split(":")[0], r["inflow"], r["outflow"], r["net"]) for r in data["rows"]] == [
        ("cash_opening", "50000.00", "0.00", "50000.00"),
        ("customer_receipt", "2825.00", "0.00", "2825.00"),
        ("category", "0.00", "1500.00", "-1500.00"),
        ("supplier_payment", "0.00", "2000.00", "-2000.00"),
    ]
    assert (data["opening"], data["inflow"], data["outflow"]) == ("0.00", "52825.00", "3500.00")
    assert (data["net_change"], data["closing"]) == ("49325.00", "49325.00")
    assert data["totals"] == {"inflow": "52825.00", "outflow": "3500.00", "net": "49325.00"}
    assert data["accounts"] == [
        {
            "account": november["bank"].pk,
            "code": "B01",
            "name": "工商银行",
            "opening": "0.00",
            "inflow": "52825.00",
            "outflow": "3500.00",
            "closing": "49325.00",
        }
    ]
    december = api_as("finance").get(CASH, {"date_from": "2026-12-01", "date_to": "2026-12-31"}).json()
    assert (december["opening"], december["closing"], december["rows"], december["count"]) == (
        "49325.00",
        "49325.00",
        [],
        0,
    )


def test_cash_flow_excel_opening_rows_totals_closing(api_as, november):
    client = api_as("finance")
    data = client.get(CASH, MONTH).json()

    header, sheet = read_xlsx(client.get(CASH, {**MONTH, "format": "xlsx"}))

    assert header == ["Item", "Inflow", "Outflow", "Net"]
    assert sheet[0] == ["Opening balance", None, None, 0]
    assert [row[0] for row in sheet[1:-2]] == [row["label"] for row in data["rows"]]
    assert sheet[-2][0] == "Total"
    assert [D(str(v)) for v in sheet[-2][1:]] == [D("52825.00"), D("3500.00"), D("49325.00")]
    assert sheet[-1][0] == "Closing balance" and D(str(sheet[-1][3])) == D(data["closing"])


# --- Parameters and permissions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (TRIAL, {"date_to": "30/11/2026"}, "date_to"),
        (TRIAL, {"date_from": "2026-13-01"}, "date_from"),
        (TRIAL, {"date_from": "2026-11-30", "date_to": "2026-11-01"}, "date_to"),
        (TRIAL, {"date_from": "2999-01-01"}, "date_from"),
        (INCOME, {"date_from": "yesterday"}, "date_from"),
        (INCOME, {"date_from": "2026-11-30", "date_to": "2026-11-01"}, "date_to"),
        (INCOME, {"date_from": "2999-01-01"}, "date_from"),
        (BALANCE, {"date": "2026-02-30"}, "date"),
        (CASH, {"date_to": "x"}, "date_to"),
        (CASH, {"date_from": "2026-12-01", "date_to": "2026-11-30"}, "date_to"),
    ],
)
def test_bad_dates_are_a_400_on_the_field(api_as, november, url, query, field):
    client = api_as("finance")
    entries = JournalEntry.objects.count()

    for fmt in ({}, {"format": "xlsx"}):
        response = client.get(url, {**query, **fmt})
        assert response.status_code == 400, response.content
        assert response["Content-Type"].startswith("application/json")
        assert list(response.json()) == [field]
        assert response.json()[field][0]
    assert JournalEntry.objects.count() == entries == 8


def test_defaults_are_today_and_this_month(api_as):
    import datetime

    today = datetime.date.today()
    client = api_as("finance")

    trial = client.get(TRIAL).json()
    assert (trial["date_from"], trial["date_to"], trial["total_debit"], trial["balanced"]) == (
        None,
        today.isoformat(),
        "0.00",
        True,
    )
    income = client.get(INCOME).json()
    assert (income["date_from"], income["date_to"]) == (today.replace(day=1).isoformat(), today.isoformat())
    assert income["net_profit"] == "0.00"
    assert client.get(BALANCE).json()["date"] == today.isoformat()
    cash = client.get(CASH).json()
    assert (cash["date_from"], cash["closing"]) == (today.replace(day=1).isoformat(), "0.00")


@pytest.mark.parametrize("url", [TRIAL, INCOME, BALANCE, CASH])
@pytest.mark.parametrize(
    ("department", "status"),
    [("finance", 200), ("management", 200), ("warehouse", 403), ("sales", 403), ("purchasing", 403),
     ("customer_service", 403), ("it_admin", 403)],
)  # fmt: skip
def test_statements_need_view_statements(api_as, url, department, status):
    client = api_as(department)
    assert client.get(url).status_code == status
    assert client.get(url, {"format": "xlsx"}).status_code == status


@pytest.mark.parametrize("url", [TRIAL, INCOME, BALANCE, CASH])
def test_anonymous_is_refused(api_as, url):
    assert api_as(None).get(url).status_code in (401, 403)


def test_refused_readers_learn_no_figures(api_as, november):
    response = api_as("sales").get(BALANCE, {"date": "2026-11-30"})

    assert response.status_code == 403
    assert "50285" not in response.content.decode()
