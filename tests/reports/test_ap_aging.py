"""AP ageing (应付账龄): open payables' outstanding by days past due at a fixed date, debit
notes included, with the bucket edges, payments, a totals row and the Excel file."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

from .helpers import free_receipt, pay, read_xlsx, return_goods, same_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/ap-aging/"
AT = datetime.date(2026, 12, 31)


@pytest.fixture
def owed(make_user):
    wh = WarehouseFactory()
    clerk, accountant = make_user("warehouse", warehouses=[wh]), make_user("finance")
    product = ProductFactory()
    due_now = SupplierFactory(code="S1", name="甲", payment_terms_days=0)  # due on the receipt date

    def bill(supplier, day, amount):
        return free_receipt(clerk, supplier, wh, [(product, 1, amount)], date=day, tax_rate="0")

    bill(due_now, datetime.date(2026, 12, 31), "100.00")  # 0 days: current
    bill(due_now, datetime.date(2026, 12, 1), "200.00")  # 30 days
    bill(due_now, datetime.date(2026, 11, 30), "300.00")  # 31 days
    bill(due_now, datetime.date(2026, 11, 1), "400.00")  # 60 days
    bill(due_now, datetime.date(2026, 10, 31), "500.00")  # 61 days
    bill(due_now, datetime.date(2026, 10, 2), "600.00")  # 90 days
    bill(due_now, datetime.date(2026, 10, 1), "700.00")  # 91 days
    bill(due_now, datetime.date(2027, 1, 5), "999.00")  # after the date: not yet owed then
    pay(accountant, due_now, "650.00", date=AT)  # oldest first: the 700 (91 days) keeps 50

    on_terms = SupplierFactory(code="S2", name="乙", payment_terms_days=30)
    bill(on_terms, datetime.date(2026, 12, 20), "80.00")  # due 2027-01-19: current

    credit = SupplierFactory(code="S3", name="丙", payment_terms_days=0)
    receipt = bill(credit, datetime.date(2026, 12, 1), "10.00")
    pay(accountant, credit, "10.00", date=datetime.date(2026, 12, 2))
    # Returned after it was paid: a debit note of −4.00 due 2026-12-05, 26 days old.
    return_goods(clerk, receipt, ["0.4"], date=datetime.date(2026, 12, 5))

    paid_off = SupplierFactory(code="S4", payment_terms_days=0)
    bill(paid_off, datetime.date(2026, 12, 1), "50.00")
    pay(accountant, paid_off, "50.00", date=AT)
    return {"S1": due_now, "S2": on_terms, "S3": credit}


def buckets(row):
    return [row[k] for k in ("current", "d1_30", "d31_60", "d61_90", "over_90", "total")]


def test_buckets_at_a_fixed_date(api_as, owed):
    data = api_as("finance").get(URL, {"date": AT.isoformat()}).json()

    assert [(r["supplier"], r["code"], r["name"]) for r in data["rows"]] == [
        (owed["S1"].pk, "S1", "甲"),
        (owed["S2"].pk, "S2", "乙"),
        (owed["S3"].pk, "S3", "丙"),
    ]
    assert [buckets(r) for r in data["rows"]] == [
        ["100.00", "200.00", "700.00", "1100.00", "50.00", "2150.00"],
        ["80.00", "0.00", "0.00", "0.00", "0.00", "80.00"],
        ["0.00", "-4.00", "0.00", "0.00", "0.00", "-4.00"],
    ]
    assert buckets(data["totals"]) == ["180.00", "196.00", "700.00", "1100.00", "50.00", "2226.00"]
    assert data["date"] == "2026-12-31"


def test_a_later_date_ages_the_same_items(api_as, owed):
    data = api_as("finance").get(URL, {"date": "2027-01-31", "supplier": owed["S1"].pk}).json()

    # Now the 2027-01-05 bill counts too (26 days); everything else is a month older:
    # 100 is 31 days late, 200 + 300 61–62, and 400 + 500 + 600 + 50 over 90.
    assert [buckets(r) for r in data["rows"]] == [
        ["0.00", "999.00", "100.00", "500.00", "1550.00", "3149.00"],
    ]


def test_the_date_defaults_to_today(api_as, owed):
    data = api_as("finance").get(URL).json()

    assert data["date"] == timezone.localdate().isoformat()
    assert api_as("finance").get(URL, {"date": "31/12/2026"}).status_code == 400


def test_excel_equals_the_json_rows_plus_totals(api_as, owed):
    client = api_as("purchasing")
    data = client.get(URL, {"date": AT.isoformat()}).json()

    header, sheet = read_xlsx(client.get(URL, {"date": AT.isoformat(), "format": "xlsx"}))

    keys = ["supplier", "code", "name", "current", "d1_30", "d31_60", "d61_90", "over_90", "total"]
    assert header == [
        "Supplier ID", "Code", "Supplier", "Not yet due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days",
        "Total",
    ]  # fmt: skip
    assert same_rows(data["rows"], sheet[:-1], keys)
    assert same_rows([{**data["totals"], "supplier": None, "code": None, "name": "Total"}], sheet[-1:], keys)


@pytest.mark.parametrize(("department", "status"), [("finance", 200), ("purchasing", 200), ("management", 200),
                                                    ("warehouse", 403), ("sales", 403), ("it_admin", 403)])  # fmt: skip
def test_ap_aging_needs_view_payable(api_as, department, status):
    assert api_as(department).get(URL).status_code == status
    assert api_as(department).get(URL, {"format": "xlsx"}).status_code == status
