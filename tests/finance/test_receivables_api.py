"""GET /api/v1/receivables/: what each customer owes per delivery (a return's credit note
settling the delivery it returns against), days overdue, the filters (customer, status,
overdue, due_before, salesperson, search), Excel, and who reads what: a salesperson their own
customers' items only, the warehouse nothing."""

import datetime
import io

import openpyxl
import pytest

from apps.finance.models import Receivable

from .api_helpers import ok, refused
from .receivable_helpers import DAY, RECEIVABLES, TODAY, owed_by_customer, sales_world, sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, api_as):
    world = sales_world(make_user)
    world["owed"] = owed_by_customer(world)
    # The other salesperson's customer: 2 @ 80.00 + 13% = 180.80, delivered today (not due yet).
    (world["theirs"],) = sell(world, customer=world["other_customer"], qty="2", deliveries=("2",), day=TODAY)
    return world


def as_user(api_as, user):
    client = api_as(None)
    client.force_authenticate(user)
    client.user = user
    return client


def rows(client, **query) -> dict:
    return {
        row["source_number"]: (row["amount"], row["paid"], row["credited"], row["outstanding"], row["status"])
        for row in ok(client.get(RECEIVABLES, query))["results"]
    }


def test_each_item_with_its_credit_note_and_days_overdue(api_as, world):
    owed = world["owed"]
    first, second, note = owed["first"], owed["second"], owed["note"]

    items = {row["source_number"]: row for row in ok(api_as("finance").get(RECEIVABLES))["results"]}

    assert rows(api_as("finance"), customer=world["customer"].pk) == {
        first.source_number: ("904.00", "0.00", "271.20", "632.80", "open"),
        second.source_number: ("452.00", "0.00", "0.00", "452.00", "open"),
        note.source_number: ("-271.20", "0.00", "-271.20", "0.00", "paid"),
    }
    row = items[first.source_number]
    assert (row["customer"], row["customer_name"], row["salesperson"], row["source_type"]) == (
        world["customer"].pk,
        "上海华联超市",
        world["seller"].pk,
        "delivery",
    )
    assert (row["date"], row["due_date"]) == (DAY.isoformat(), (DAY + datetime.timedelta(days=30)).isoformat())
    # Due 10 and 9 days ago; the settled note and today's delivery are not overdue.
    assert {number: row["days_overdue"] for number, row in items.items()} == {
        first.source_number: 10,
        second.source_number: 9,
        note.source_number: 0,
        world["theirs"].number: 0,
    }
    assert items[note.source_number]["source_type"] == "sales_return"


def test_filters(api_as, world):
    finance, owed = api_as("management"), world["owed"]
    first, second, note = (owed[key].source_number for key in ("first", "second", "note"))
    theirs = world["theirs"].number

    assert set(rows(finance, customer=world["other_customer"].pk)) == {theirs}
    assert set(rows(finance, status="paid")) == {note}
    assert set(rows(finance, status="open,paid")) == {first, second, note, theirs}
    assert set(rows(finance, overdue="true")) == {first, second}
    assert set(rows(finance, overdue="false")) == {note, theirs}
    # The credit note is due the day of the return.
    assert set(rows(finance, due_before=(DAY + datetime.timedelta(days=30)).isoformat())) == {first, note}
    assert set(rows(finance, salesperson=world["other_seller"].pk)) == {theirs}
    assert set(rows(finance, search="华联", status="open")) == {first, second}
    assert list(rows(finance, ordering="-outstanding")) == [first, second, theirs, note]


def test_bad_filters_are_400_not_everything(api_as, world):
    finance = api_as("finance")

    for query in ({"overdue": "maybe"}, {"status": "owing"}, {"due_before": "last week"}, {"customer": "abc"}):
        body = refused(finance.get(RECEIVABLES, query), 400)
        assert set(body) == set(query), query


def test_a_salesperson_reads_only_their_own_customers_items(api_as, world):
    seller, other = as_user(api_as, world["seller"]), as_user(api_as, world["other_seller"])
    owed = world["owed"]

    assert set(rows(seller)) == {owed["first"].source_number, owed["second"].source_number, owed["note"].source_number}
    assert set(rows(other)) == {world["theirs"].number}
    assert ok(other.get(RECEIVABLES))["count"] == 1
    # Another's customer cannot be named, nor another's item read.
    assert list(refused(other.get(RECEIVABLES, {"customer": world["customer"].pk}), 400)) == ["customer"]
    refused(other.get(f"{RECEIVABLES}{owed['first'].pk}/"), 404)
    response = other.get(RECEIVABLES, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert world["theirs"].number in cells and owed["first"].source_number not in cells


@pytest.mark.parametrize(
    ("department", "count"),
    [("finance", 4), ("management", 4), ("customer_service", 4), ("sales", 0)],  # a new salesperson owns none
)
def test_who_reads_receivables(api_as, world, department, count):
    assert ok(api_as(department).get(RECEIVABLES))["count"] == count


@pytest.mark.parametrize("department", ["warehouse", "purchasing", "it_admin"])
def test_the_warehouse_and_others_cannot_read_receivables(api_as, world, department):
    client = api_as(department)

    refused(client.get(RECEIVABLES), 403)
    refused(client.get(f"{RECEIVABLES}{world['owed']['first'].pk}/"), 403)
    refused(client.get(RECEIVABLES, {"format": "xlsx"}), 403)


def test_anonymous_is_refused(api_as, world):
    assert api_as(None).get(RECEIVABLES).status_code in (401, 403)


def test_receivables_are_read_only(api_as, world):
    manager = api_as("management")
    item = world["owed"]["second"]
    before = rows(manager)

    assert manager.post(RECEIVABLES, {"customer": world["customer"].pk, "amount": "5"}).status_code in (403, 405)
    assert manager.patch(f"{RECEIVABLES}{item.pk}/", {"paid": "452"}).status_code in (403, 405)
    assert manager.delete(f"{RECEIVABLES}{item.pk}/").status_code in (403, 405)
    assert rows(manager) == before
    assert Receivable.objects.get(pk=item.pk).paid == 0


def test_the_excel_export_holds_the_filtered_rows(api_as, world):
    client = api_as("customer_service")
    expected = ok(client.get(RECEIVABLES, {"ordering": "due_date", "overdue": "true"}))["results"]

    response = client.get(RECEIVABLES, {"ordering": "due_date", "overdue": "true", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="receivables-')
    header, *data = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    number, left, late = header.index("Source number"), header.index("Outstanding"), header.index("Days overdue")
    assert [(row[number], row[left], row[late]) for row in data] == [
        (item["source_number"], float(item["outstanding"]), item["days_overdue"]) for item in expected
    ]
    assert [row[left] for row in data] == [632.80, 452.00]
