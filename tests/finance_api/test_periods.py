"""/api/v1/periods/ (月结): the months listed, the pre-close checklist, finance closes a month
(refused while a check fails), postings into it are refused and leave no trace, management
reopens it with a recorded reason."""

import datetime

import pytest
from django.utils import timezone

from apps.finance import periods
from apps.finance.models import JournalEntry, Period, PeriodEvent
from tests.books import support

from .helpers import ENTRIES, MONEY, PERIODS, account_id, balances, category_id, ok, refused, snapshot

pytestmark = pytest.mark.django_db
NOVEMBER = f"{PERIODS}2026-11/"


@pytest.fixture
def november(world):
    support.receive(world, "100", "20.00", on=support.day(3))
    support.deliver(world, "60", "50.00", on=support.day(5))
    support.collect(world, "1000.00", on=support.day(25))
    return world


def draft_entry(client, date="2026-11-30") -> dict:
    lines = [{"account": account_id("6602"), "debit": "10"}, {"account": account_id("2241"), "credit": "10"}]
    return ok(client.post(ENTRIES, {"date": date, "lines": lines}), 201)


def test_the_list_shows_the_last_twelve_months_and_older_ones_with_entries(finance, world):
    draft_entry(finance, date="2025-06-15")
    Period.objects.create(month=datetime.date(2024, 1, 1), is_closed=True)

    rows = ok(finance.get(PERIODS, {"page_size": 100}))["results"]

    month, expected = timezone.localdate().replace(day=1), {"2026-11", "2025-06", "2024-01"}
    for _i in range(12):
        expected.add(month.strftime("%Y-%m"))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    assert [row["month"] for row in rows] == sorted(expected, reverse=True)
    november = next(row for row in rows if row["month"] == "2026-11")
    assert november == {
        "month": "2026-11",
        "date_from": "2026-11-01",
        "date_to": "2026-11-30",
        "is_closed": False,
        "closed_at": None,
        "closed_by": None,
        "events": [],
    }
    assert rows[-1]["is_closed"] is True


def test_a_draft_in_the_month_keeps_it_open(finance, november):
    draft = draft_entry(finance)

    checklist = ok(finance.get(f"{NOVEMBER}checklist/"))

    assert checklist["month"] == "2026-11"
    assert checklist["can_close"] is False
    items = {item["key"]: (item["ok"], item["problems"]) for item in checklist["items"]}
    assert items == {
        "month_ended": (True, []),
        "earlier_closed": (True, []),
        "no_drafts": (False, [draft["number"]]),
        "books": (True, []),
        "stock": (True, []),
    }
    before = snapshot()
    body = refused(finance.post(f"{NOVEMBER}close/"), 409, "invalid_state")
    assert body["checklist"] == [{"key": "no_drafts", "problems": [draft["number"]]}]
    assert snapshot() == before


def test_a_month_that_has_not_ended_cannot_close(finance):
    december = f"/api/v1/periods/{timezone.localdate().strftime('%Y-%m')}/"
    month_end = periods.month_end(timezone.localdate().replace(day=1))

    checklist = ok(finance.get(f"{december}checklist/"))

    item = next(item for item in checklist["items"] if item["key"] == "month_ended")
    expected_ok = month_end <= timezone.localdate()
    assert (item["ok"], checklist["can_close"] and not expected_ok) == (expected_ok, False)
    if not expected_ok:
        assert item["problems"] == [month_end.isoformat()]
        refused(finance.post(f"{december}close/"), 409, "invalid_state")
        assert not Period.objects.filter(is_closed=True).exists()


def test_an_earlier_month_with_entries_must_be_closed_first(finance, november):
    ok(finance.post(f"{ENTRIES}{draft_entry(finance, date='2026-10-31')['id']}/post/"))

    checklist = ok(finance.get(f"{NOVEMBER}checklist/"))

    item = next(item for item in checklist["items"] if item["key"] == "earlier_closed")
    assert (item["ok"], item["problems"], checklist["can_close"]) == (False, ["2026-10"], False)


def test_finance_closes_the_month_and_postings_into_it_leave_no_trace(finance, november):
    assert ok(finance.get(f"{NOVEMBER}checklist/"))["can_close"] is True

    closed = ok(finance.post(f"{NOVEMBER}close/"))

    assert (closed["is_closed"], closed["closed_by"]) == (True, finance.user.pk)
    assert closed["closed_at"] is not None
    assert [(e["action"], e["reason"], e["user"], e["user_name"]) for e in closed["events"]] == [
        ("close", "", finance.user.pk, finance.user.display_name)
    ]
    assert ok(finance.get(f"{NOVEMBER}checklist/"))["can_close"] is False  # already closed

    expense = {
        "kind": "expense",
        "account": november["bank"].pk,
        "date": "2026-11-28",
        "lines": [{"category": category_id("expense", "房租"), "amount": "1500"}],
    }
    document = ok(finance.post(MONEY, expense), 201)  # a draft may be dated in it ...
    before, bank = snapshot(), balances()["B01"]
    entries = JournalEntry.objects.count()

    body = refused(finance.post(f"{MONEY}{document['id']}/post/"), 409, "period_closed")  # ... not posted

    assert "2026-11" in body["detail"]
    assert snapshot() == before
    assert (balances()["B01"], JournalEntry.objects.count()) == (bank, entries)
    refused(finance.post(f"{NOVEMBER}close/"), 409, "invalid_state")  # closing twice


def test_management_reopens_with_a_recorded_reason(finance, manager, november):
    ok(finance.post(f"{NOVEMBER}close/"))
    before = snapshot()

    assert finance.post(f"{NOVEMBER}reopen/", {"reason": "补录发票"}).status_code == 403
    assert list(refused(manager.post(f"{NOVEMBER}reopen/", {}), 400)) == ["reason"]
    assert list(refused(manager.post(f"{NOVEMBER}reopen/", {"reason": "   "}), 400)) == ["reason"]
    assert manager.post(f"{NOVEMBER}close/").status_code == 403
    assert snapshot() == before

    reopened = ok(manager.post(f"{NOVEMBER}reopen/", {"reason": "补录供应商发票"}))

    assert (reopened["is_closed"], reopened["closed_at"], reopened["closed_by"]) == (False, None, None)
    assert [(e["action"], e["reason"], e["user"]) for e in reopened["events"]] == [
        ("reopen", "补录供应商发票", manager.user.pk),
        ("close", "", finance.user.pk),
    ]
    event = PeriodEvent.objects.get(action="reopen")
    assert (event.reason, event.user, event.period.month) == ("补录供应商发票", manager.user, support.day(1))
    assert ok(finance.get(NOVEMBER))["is_closed"] is False
    refused(manager.post(f"{NOVEMBER}reopen/", {"reason": "again"}), 409, "invalid_state")  # not closed


def test_a_later_closed_month_is_reopened_first(finance, manager, november):
    Period.objects.create(month=datetime.date(2026, 12, 1), is_closed=True)
    ok(finance.post(f"{NOVEMBER}close/"))
    before = snapshot()

    body = refused(manager.post(f"{NOVEMBER}reopen/", {"reason": "x"}), 409, "invalid_state")

    assert "2026-12" in body["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "abc", "2026-1", "20261-01", "0000-01"])
def test_a_bad_month_is_404(finance, month):
    before = snapshot()
    assert finance.get(f"{PERIODS}{month}/").status_code == 404
    assert finance.get(f"{PERIODS}{month}/checklist/").status_code == 404
    assert finance.post(f"{PERIODS}{month}/close/").status_code == 404
    assert snapshot() == before


def test_a_month_without_a_row_reads_as_open(finance):
    assert ok(finance.get(f"{PERIODS}2019-02/")) == {
        "month": "2019-02",
        "date_from": "2019-02-01",
        "date_to": "2019-02-28",
        "is_closed": False,
        "closed_at": None,
        "closed_by": None,
        "events": [],
    }
    assert not Period.objects.filter(month=datetime.date(2019, 2, 1)).exists()


def test_the_list_in_excel(finance):
    response = finance.get(PERIODS, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
