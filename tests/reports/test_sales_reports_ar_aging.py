"""AR ageing (应收账龄): open receivables' outstanding by days past due at a fixed date, with a
due date placed in every bucket and on each edge, a receipt oldest first, a return's credit
note, a salesperson's own customers only, who may read it and the Excel file."""

import datetime

import pytest
from rest_framework.test import APIClient

from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.sales.support import deliver_direct, give_back, receive_money, stock_in

from .helpers import read_xlsx, same_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/ar-aging/"
AT = datetime.date(2026, 12, 31)


@pytest.fixture
def owed(make_user):
    wh = WarehouseFactory()
    manager, clerk = make_user("management"), make_user("warehouse", warehouses=[wh])
    accountant = make_user("finance")
    wang, li = make_user("sales", username="wang"), make_user("sales", username="li")
    product = ProductFactory()
    stock_in(product, wh, "100", "1.00", user=manager, day=datetime.date(2026, 1, 1))

    def sell(customer, day, amount, qty="1"):
        return deliver_direct(user=clerk, customer=customer, warehouse=wh, lines=[(product, qty, amount, "0")], day=day)

    # KH001: due on the delivery date (no terms).
    kh1 = CustomerFactory(code="KH001", name="上海华联超市", salesperson=wang, payment_terms_days=0, credit_limit=None)
    sell(kh1, datetime.date(2026, 12, 31), "100.00")  # 0 days: not yet due
    sell(kh1, datetime.date(2026, 12, 1), "200.00")  # 30 days
    sell(kh1, datetime.date(2026, 11, 30), "300.00")  # 31 days
    sell(kh1, datetime.date(2026, 11, 1), "400.00")  # 60 days
    sell(kh1, datetime.date(2026, 10, 31), "500.00")  # 61 days
    sell(kh1, datetime.date(2026, 10, 2), "600.00")  # 90 days
    sell(kh1, datetime.date(2026, 10, 1), "700.00")  # 91 days
    sell(kh1, datetime.date(2027, 1, 5), "999.00")  # after the date: not owed yet then
    receive_money(user=accountant, customer=kh1, amount="650.00", day=AT)  # oldest first: the 700 keeps 50

    # KH002 on 30 days' terms: 2 × 40.00 on 12-20 (due 2027-01-19), one returned on 12-22.
    kh2 = CustomerFactory(code="KH002", name="苏州美家便利", salesperson=wang, payment_terms_days=30, credit_limit=None)
    delivery = sell(kh2, datetime.date(2026, 12, 20), "40.00", qty="2")
    give_back(delivery, user=make_user("customer_service"), quantities={delivery.lines.get(): "1"},
              day=datetime.date(2026, 12, 22), reason="defective")  # fmt: skip

    # KH003, li's customer: 50.00 due 2026-12-15 (16 days).
    kh3 = CustomerFactory(code="KH003", name="杭州联华", salesperson=li, payment_terms_days=0, credit_limit=None)
    sell(kh3, datetime.date(2026, 12, 15), "50.00")

    # Paid off: not listed.
    paid = CustomerFactory(code="KH004", salesperson=li, payment_terms_days=0, credit_limit=None)
    sell(paid, datetime.date(2026, 12, 1), "30.00")
    receive_money(user=accountant, customer=paid, amount="30.00", day=AT)
    return {"kh1": kh1, "kh2": kh2, "kh3": kh3, "wang": wang, "li": li}


def buckets(row):
    return [row[k] for k in ("current", "d1_30", "d31_60", "d61_90", "over_90", "total")]


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_buckets_at_a_fixed_date(api_as, owed):
    data = api_as("finance").get(URL, {"date": AT.isoformat()}).json()

    assert [(r["customer"], r["code"], r["name"]) for r in data["rows"]] == [
        (owed["kh1"].pk, "KH001", "上海华联超市"),
        (owed["kh2"].pk, "KH002", "苏州美家便利"),
        (owed["kh3"].pk, "KH003", "杭州联华"),
    ]
    assert [buckets(r) for r in data["rows"]] == [
        ["100.00", "200.00", "700.00", "1100.00", "50.00", "2150.00"],
        ["40.00", "0.00", "0.00", "0.00", "0.00", "40.00"],
        ["0.00", "50.00", "0.00", "0.00", "0.00", "50.00"],
    ]
    assert buckets(data["totals"]) == ["140.00", "250.00", "700.00", "1100.00", "50.00", "2240.00"]
    assert (data["date"], data["count"]) == ("2026-12-31", 3)


def test_a_later_date_ages_the_same_items(api_as, owed):
    data = api_as("management").get(URL, {"date": "2027-01-31", "customer": owed["kh1"].pk}).json()

    # The 2027-01-05 delivery counts now (26 days); everything else is a month older.
    assert [buckets(r) for r in data["rows"]] == [["0.00", "999.00", "100.00", "500.00", "1550.00", "3149.00"]]


def test_a_salesperson_sees_their_own_customers_only(owed):
    wang, li = api_for(owed["wang"]), api_for(owed["li"])

    mine = wang.get(URL, {"date": AT.isoformat()}).json()
    assert [r["code"] for r in mine["rows"]] == ["KH001", "KH002"]
    assert mine["totals"]["total"] == "2190.00"
    theirs = li.get(URL, {"date": AT.isoformat()}).json()
    assert [(r["code"], r["total"]) for r in theirs["rows"]] == [("KH003", "50.00")]

    refused = wang.get(URL, {"customer": owed["kh3"].pk})
    assert refused.status_code == 400
    assert "customer" in refused.json()


def test_bad_date_is_a_400(api_as, owed):
    response = api_as("finance").get(URL, {"date": "31/12/2026"})
    assert response.status_code == 400
    assert "date" in response.json()


def test_excel_equals_the_json_rows_plus_totals(api_as, owed):
    client = api_as("finance")
    data = client.get(URL, {"date": AT.isoformat()}).json()

    header, sheet = read_xlsx(client.get(URL, {"date": AT.isoformat(), "format": "xlsx"}))

    keys = ["customer", "code", "name", "current", "d1_30", "d31_60", "d61_90", "over_90", "total"]
    assert header == [
        "Customer ID", "Code", "Customer", "Not yet due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days",
        "Total",
    ]  # fmt: skip
    assert same_rows(data["rows"], sheet[:-1], keys)
    assert same_rows([{**data["totals"], "customer": None, "code": None, "name": "Total"}], sheet[-1:], keys)
    assert sheet[-1][-1] == 2240


@pytest.mark.parametrize(
    ("department", "status"),
    [("finance", 200), ("management", 200), ("sales", 200), ("customer_service", 200), ("warehouse", 403),
     ("purchasing", 403), ("it_admin", 403)],
)  # fmt: skip
def test_ar_aging_needs_view_receivable(api_as, department, status):
    assert api_as(department).get(URL).status_code == status
    assert api_as(department).get(URL, {"format": "xlsx"}).status_code == status
