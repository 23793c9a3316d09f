"""The customer statement (对账单): the opening balance, each delivery, return and receipt with
the running balance, the totals and the closing balance — the same figures over the API, in
its Excel file, on the page and on the print view. Who may read it and whose."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.finance import receivables
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

D = Decimal
NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def statement_url(customer):
    return f"/api/v1/customers/{customer.pk}/statement/"


def test_the_statement_of_november_to_the_cent(api_as, customer, history):
    client = api_as("finance")

    response = client.get(statement_url(customer), NOVEMBER)

    assert response.status_code == 200
    data = response.json()
    assert (data["customer"], data["code"], data["date_from"], data["date_to"]) == (
        customer.pk,
        "C-STMT",
        "2026-11-01",
        "2026-11-30",
    )
    # The first delivery (904.00 on 2026-10-30) is before the period: the opening balance.
    assert data["opening"] == "904.00"
    assert [(r["date"], r["number"], r["kind"], r["debit"], r["credit"], r["balance"]) for r in data["rows"]] == [
        ("2026-11-03", history["second"].number, "delivery", "452.00", "0.00", "1356.00"),
        ("2026-11-05", history["return"].number, "sales_return", "0.00", "271.20", "1084.80"),
        ("2026-11-10", history["receipt"].number, "receipt", "0.00", "1000.00", "84.80"),
    ]
    assert data["totals"] == {"debit": "452.00", "credit": "1271.20"}
    assert data["closing"] == "84.80"
    # The closing balance is what the customer owes: the open items say the same.
    assert receivables.customer_balance(customer.pk) == D("84.80")


def test_october_holds_the_first_delivery_only(api_as, customer, history):
    data = api_as("finance").get(statement_url(customer), {"date_from": "2026-10-01", "date_to": "2026-10-31"}).json()

    assert data["opening"] == "0.00"
    assert [(r["number"], r["debit"], r["balance"]) for r in data["rows"]] == [
        (history["first"].number, "904.00", "904.00")
    ]
    assert data["closing"] == "904.00"


def test_the_cancelled_and_draft_receipts_never_count(api_as, customer, history):
    data = api_as("finance").get(statement_url(customer), NOVEMBER).json()

    numbers = {row["number"] for row in data["rows"]}
    assert history["cancelled_receipt"].number not in numbers
    assert history["draft_receipt"].number not in numbers
    assert data["totals"]["credit"] == "1271.20"


def test_without_dates_the_statement_covers_this_month_to_today(api_as, customer, history):
    today = datetime.date.today()

    data = api_as("finance").get(statement_url(customer)).json()

    assert (data["date_from"], data["date_to"]) == (today.replace(day=1).isoformat(), today.isoformat())


def test_the_excel_file_holds_the_same_numbers(api_as, customer, history):
    response = api_as("finance").get(statement_url(customer), {**NOVEMBER, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="statement-C-STMT-2026-11-01-2026-11-30.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Date", "Number", "Kind", "Debit", "Credit", "Balance")
    assert rows[1][2:] == ("Opening balance", None, None, 904)
    assert [(row[1], row[2], row[3], row[4], row[5]) for row in rows[2:5]] == [
        (history["second"].number, "Delivery", 452, 0, 1356),
        (history["return"].number, "Sales return", 0, 271.2, 1084.8),
        (history["receipt"].number, "Customer receipt", 0, 1000, 84.8),
    ]
    assert rows[5][2:] == ("Closing balance", 452, 1271.2, 84.8)
    assert len(rows) == 6


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-11-30", "date_to": "2026-11-01"}, "date_to"),
        ({"date_from": "30/11/2026"}, "date_from"),
        ({"date_to": "2026-02-30"}, "date_to"),
    ],
)
def test_bad_dates_are_a_400_on_the_field(api_as, customer, history, query, field):
    response = api_as("finance").get(statement_url(customer), query)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_bad_dates_in_excel_are_a_json_400(api_as, customer, history):
    response = api_as("finance").get(statement_url(customer), {"date_from": "x", "format": "xlsx"})

    assert response.status_code == 400
    assert list(response.json()) == ["date_from"]


@pytest.mark.parametrize(("department", "status"), [("warehouse", 403), ("purchasing", 403), ("it_admin", 403)])
def test_departments_without_receivables_may_not_read_a_statement(api_as, customer, history, department, status):
    assert api_as(department).get(statement_url(customer), NOVEMBER).status_code == status


@pytest.mark.parametrize("department", ["customer_service", "management", "finance"])
def test_departments_with_receivables_read_every_customers(api_as, customer, history, department):
    assert api_as(department).get(statement_url(customer), NOVEMBER).json()["closing"] == "84.80"


def test_the_customers_own_salesperson_reads_it(customer, history, people):
    client = APIClient()
    client.force_authenticate(people["seller"])

    assert client.get(statement_url(customer), NOVEMBER).json()["closing"] == "84.80"


def test_a_salesperson_cannot_read_another_salespersons_customer(customer, history, people):
    client = APIClient()
    client.force_authenticate(people["other_seller"])
    mine = CustomerFactory(salesperson=people["other_seller"])

    assert client.get(statement_url(customer), NOVEMBER).status_code == 404
    assert client.get(statement_url(customer), {**NOVEMBER, "format": "xlsx"}).status_code == 404
    assert client.get(statement_url(mine), NOVEMBER).json()["closing"] == "0.00"


# --- The pages -------------------------------------------------------------------------------


def test_the_statement_page_shows_the_running_balances(client_as, customer, history, people):
    client = client_as("finance")

    response = client.get(f"/customers/{customer.pk}/statement/", NOVEMBER)

    assert response.status_code == 200
    statement = response.context["statement"]
    assert (statement["opening"], statement["closing"]) == (D("904.00"), D("84.80"))
    assert [row["balance"] for row in statement["rows"]] == [D("1356.00"), D("1084.80"), D("84.80")]
    html = response.content.decode()
    for text in ("¥904.00", "¥452.00", "¥1,356.00", "¥271.20", "¥1,084.80", "¥1,000.00", "¥84.80", "¥1,271.20"):
        assert text in html
    assert response.context["excel_url"] == (
        f"/api/v1/customers/{customer.pk}/statement/?date_from=2026-11-01&date_to=2026-11-30&format=xlsx"
    )
    assert response.context["print_url"].startswith(f"/customers/{customer.pk}/statement/print/?date_from=2026-11-01")


def test_the_page_excel_link_downloads_the_same_numbers(client_as, customer, history):
    client = client_as("customer_service")
    excel_url = client.get(f"/customers/{customer.pk}/statement/", NOVEMBER).context["excel_url"]

    response = client.get(excel_url)

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == [904, 1356, 1084.8, 84.8, 84.8]


def test_the_print_view_is_an_a4_sheet_with_signature_lines(client_as, customer, history):
    response = client_as("finance").get(f"/customers/{customer.pk}/statement/print/", NOVEMBER)

    assert response.status_code == 200
    html = response.content.decode()
    assert "css/print.css" in html
    assert "2026-11-01 to 2026-11-30" in html
    assert [str(label) for label in response.context["signatures"]] == [
        "Prepared by",
        "Checked by",
        "Customer's confirmation",
    ]
    assert html.count('class="signature"') == 3
    assert "¥84.80" in html and "¥904.00" in html


def test_bad_dates_on_the_page_show_the_error_and_no_table(client_as, customer, history):
    response = client_as("finance").get(
        f"/customers/{customer.pk}/statement/", {"date_from": "2026-12-01", "date_to": "2026-11-01"}
    )

    assert response.status_code == 200
    assert response.context["statement"] is None
    assert "The end date is before the start date." in response.content.decode()


def test_the_statement_pages_follow_permissions_and_scope(client_as, customer, history, people):
    assert client_as("warehouse").get(f"/customers/{customer.pk}/statement/").status_code == 403
    assert client_as("warehouse").get(f"/customers/{customer.pk}/statement/print/").status_code == 403
    stranger = client_as("sales")
    assert stranger.get(f"/customers/{customer.pk}/statement/").status_code == 404
    assert stranger.get(f"/customers/{customer.pk}/statement/print/").status_code == 404
    assert client_as(None).get(f"/customers/{customer.pk}/statement/").status_code == 302
