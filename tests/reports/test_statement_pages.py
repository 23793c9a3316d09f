"""The financial statement pages (/reports/trial-balance/, income-statement/, balance-sheet/,
cash-flow/): the month of tests/books/test_month_of_business.py on screen, with the numbers
in the HTML, the balanced checks, the Excel links with the page's dates, bad dates shown on
the form, and only finance and management let in."""

import datetime

import pytest

from tests.books.support import november_of_business

pytestmark = pytest.mark.django_db

TRIAL = "/reports/trial-balance/"
INCOME = "/reports/income-statement/"
BALANCE = "/reports/balance-sheet/"
CASH = "/reports/cash-flow/"
MONTH = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


@pytest.fixture
def november(make_user):
    return november_of_business(make_user)


def cells(response):
    return [[cell["text"] for cell in row["cells"]] for row in response.context["rows"]]


def totals(response):
    return [cell["text"] for cell in response.context["totals_row"]]


def test_trial_balance_page(client_as, november):
    response = client_as("finance").get(TRIAL, MONTH)

    assert response.status_code == 200
    rows = cells(response)
    assert rows[0] == ["1002", "Bank deposits", "¥0.00", "¥0.00", "¥52,825.00", "¥3,500.00", "¥49,325.00", "¥0.00"]
    assert [row[0] for row in rows] == [
        "1002", "1122", "1405", "2202", "2221.01", "2221.02", "3001", "6001", "6401", "6602", "6711",
    ]  # fmt: skip
    assert rows[3][-2:] == ["¥0.00", "¥260.00"]
    assert totals(response) == [
        "", "Total", "¥0.00", "¥0.00", "¥63,980.00", "¥63,980.00", "¥53,085.00", "¥53,085.00",
    ]  # fmt: skip
    assert response.context["balanced"] is True
    assert response.context["excel_url"] == (
        "/api/v1/reports/trial-balance/?date_from=2026-11-01&date_to=2026-11-30&format=xlsx"
    )
    assert [tab["label"] for tab in response.context["tabs"]] == [
        "Trial balance", "Income statement", "Balance sheet", "Cash flow",
    ]  # fmt: skip
    html = response.content.decode()
    assert "¥49,325.00" in html and "¥53,085.00" in html and "¥63,980.00" in html
    assert 'data-balanced="true"' in html
    assert 'class="sub-account"' in html  # 2221.01 and 2221.02 under 2221
    assert 'href="/api/v1/reports/trial-balance/?date_from=2026-11-01&amp;date_to=2026-11-30&amp;format=xlsx"' in html


def test_trial_balance_page_opens_on_the_month_of_its_end_date(client_as, november):
    response = client_as("management").get(TRIAL, {"date_to": "2026-11-30"})

    assert response.context["params"]["date_from"] == datetime.date(2026, 11, 1)
    today = client_as("management").get(TRIAL)
    assert today.context["params"]["date_from"] == datetime.date.today().replace(day=1)
    # Emptied on purpose: everything up to the end date.
    everything = client_as("finance").get(TRIAL, {"date_from": "", "date_to": "2026-11-10"})
    assert everything.context["params"]["date_from"] is None
    assert totals(everything)[-2:] == ["¥55,085.00", "¥55,085.00"]
    assert "date_from=" not in everything.context["excel_url"]


def test_trial_balance_accounts_link_to_their_journal_entries_when_that_page_exists(client_as, november):
    from django.urls import NoReverseMatch, reverse

    from apps.finance.models import Account

    response = client_as("finance").get(TRIAL, MONTH)
    first = response.context["rows"][0]["cells"]
    try:
        journal = reverse("finance:journal-list")
    except NoReverseMatch:
        assert first[0]["url"] is None and first[1]["url"] is None
    else:
        bank = Account.objects.get(code="1002")
        period = "date_from=2026-11-01&date_to=2026-11-30"
        assert first[0]["url"] == first[1]["url"] == f"{journal}?account={bank.pk}&{period}"


def test_income_statement_page(client_as, november):
    response = client_as("finance").get(INCOME, MONTH)

    assert response.status_code == 200
    rows = cells(response)
    assert rows[0] == ["Revenue", "¥2,500.00"]
    assert rows[1] == ["Cost of sales", "¥1,000.00"]
    assert rows[4] == ["Administrative expenses", "¥1,500.00"]
    assert rows[8] == ["Operating profit", "¥0.00"]
    assert rows[10] == ["Non-operating expenses", "¥40.00"]
    assert rows[-1] == ["Net profit", "-¥40.00"]
    assert [row["css"] for row in response.context["rows"] if row["css"]] == ["subtotal"] * 3
    assert response.context["totals_row"] is None
    assert response.context["excel_url"] == (
        "/api/v1/reports/income-statement/?date_from=2026-11-01&date_to=2026-11-30&format=xlsx"
    )
    html = response.content.decode()
    assert "¥2,500.00" in html and "-¥40.00" in html
    # A zero line is never "-¥0.00".
    assert "-¥0.00" not in html


def test_income_statement_page_defaults_to_this_month(client_as):
    response = client_as("management").get(INCOME)

    today = datetime.date.today()
    assert (response.context["params"]["date_from"], response.context["params"]["date_to"]) == (
        today.replace(day=1),
        today,
    )
    # The start date the page chose is in the filter bar.
    assert f'name="date_from" value="{today.replace(day=1).isoformat()}"' in response.content.decode()


def test_balance_sheet_page(client_as, november):
    response = client_as("management").get(BALANCE, {"date": "2026-11-30"})

    assert response.status_code == 200
    sections = response.context["sections"]
    assert [[(row["account"], row["amount"]) for row in section["rows"]] for section in sections] == [
        [("1002", 49325), ("1405", 960)],
        [("2202", 260), ("2221", 65)],
        [("3001", 50000), ("", -40)],
    ]
    assert [section["total"] for section in sections] == [50285, 325, 49960]
    html = response.content.decode()
    for text in ("¥49,325.00", "¥960.00", "¥260.00", "¥65.00", "¥50,000.00", "-¥40.00", "¥325.00", "¥49,960.00"):
        assert text in html, text
    assert '<td class="num" data-total="assets">¥50,285.00</td>' in html
    assert '<td class="num" data-total="liabilities_and_equity">¥50,285.00</td>' in html
    assert 'data-balanced="true"' in html
    assert "Profit not yet carried forward" in html
    assert response.context["excel_url"] == "/api/v1/reports/balance-sheet/?date=2026-11-30&format=xlsx"


def test_cash_flow_page(client_as, november):
    response = client_as("finance").get(CASH, MONTH)

    assert response.status_code == 200
    rows = cells(response)
    assert rows[0] == ["Opening balances", "¥50,000.00", "¥0.00", "¥50,000.00"]
    assert rows[1] == ["Received from customers", "¥2,825.00", "¥0.00", "¥2,825.00"]
    assert rows[2][1:] == ["¥0.00", "¥1,500.00", "-¥1,500.00"]
    assert rows[3] == ["Paid to suppliers", "¥0.00", "¥2,000.00", "-¥2,000.00"]
    assert totals(response) == ["Total", "¥52,825.00", "¥3,500.00", "¥49,325.00"]
    html = response.content.decode()
    assert '<dd data-figure="opening">¥0.00</dd>' in html
    assert '<dd data-figure="closing">¥49,325.00</dd>' in html
    assert "工商银行" in html
    assert response.context["account_totals"]["closing"] == 49325


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (TRIAL, {"date_to": "30/11/2026"}, "date_to"),
        (INCOME, {"date_from": "2026-11-30", "date_to": "2026-11-01"}, "date_to"),
        (BALANCE, {"date": "2026-02-30"}, "date"),
        (CASH, {"date_from": "2999-01-01"}, "date_from"),
    ],
)
def test_bad_dates_are_shown_on_the_form(client_as, november, url, query, field):
    response = client_as("finance").get(url, query)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["rows"] is None
    assert "report" not in response.context
    assert 'class="errorlist filter-errors"' in response.content.decode()


@pytest.mark.parametrize("url", [TRIAL, INCOME, BALANCE, CASH])
def test_statement_pages_for_finance_and_management_only(client_as, url):
    for department in ("finance", "management"):
        assert client_as(department).get(url).status_code == 200, (url, department)
    for department in ("sales", "warehouse", "purchasing", "customer_service", "it_admin"):
        assert client_as(department).get(url).status_code == 403, (url, department)
    anonymous = client_as(None).get(url)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]


def test_sales_sees_no_figures(client_as, november):
    response = client_as("sales").get(BALANCE, {"date": "2026-11-30"})

    assert response.status_code == 403
    assert "50,285" not in response.content.decode()
