"""The month-end close on the pages: the months and their status, a month's checklist (a draft
dated in it fails an item, with its number), Close only when every item passes, a posting
dated in a closed month refused with the service's sentence, Reopen by management with a
required reason, and the history of closes and reopens."""

import datetime

import pytest
from django.utils import timezone

from apps.finance import journal
from apps.finance.models import Account, JournalEntry, Period, PeriodEvent

from .conftest import messages_of, text

pytestmark = pytest.mark.django_db


def is_closed(month="2026-11-01") -> bool:
    return Period.objects.filter(month=month, is_closed=True).exists()


def test_the_months_with_their_status(client_as, november):
    response = client_as("finance").get("/finance/periods/")

    rows = {row["key"]: row for row in response.context["rows"]}
    this_month = timezone.localdate().strftime("%Y-%m")
    assert this_month in rows and rows[this_month]["current"]
    assert len(rows) >= 12
    assert (rows["2026-11"]["closed"], rows["2026-11"]["entries"]) == (False, 8)
    assert list(rows) == sorted(rows, reverse=True)


def test_a_draft_in_the_month_fails_the_checklist_and_the_close(client_as, november):
    client = client_as("finance")
    draft = journal.manual_create(
        user=november["finance"],
        date=datetime.date(2026, 11, 29),
        lines=[
            {"account": Account.objects.get(code="6602"), "debit": "10"},
            {"account": Account.objects.get(code="1001"), "credit": "10"},
        ],
    )

    page = client.get("/finance/periods/2026-11/")
    refused = client.post("/finance/periods/2026-11/close/", follow=True)

    items = {row["item"].key: row for row in page.context["items"]}
    assert items["no_drafts"]["item"].ok is False
    assert items["no_drafts"]["problems"] == [draft.number]
    assert all(items[key]["item"].ok for key in ("earlier_closed", "books", "stock"))
    assert page.context["ready"] is False
    assert 'id="close-period" disabled' in page.content.decode()
    assert draft.number in text(page)
    assert messages_of(refused) == ["2026-11 cannot be closed yet: No drafts dated in or before the month."]
    assert not is_closed()


def test_finance_closes_the_month_and_a_later_posting_in_it_is_refused(client_as, november):
    client = client_as("finance")

    page = client.get("/finance/periods/2026-11/")
    closed = client.post("/finance/periods/2026-11/close/", follow=True)

    assert page.context["ready"] is True and 'id="close-period" disabled' not in page.content.decode()
    assert messages_of(closed) == ["2026-11 is closed."]
    assert is_closed()
    assert closed.context["closed"] is True and closed.context["may_close"] is False
    event = PeriodEvent.objects.get()
    assert (event.action, event.user) == ("close", client.user)
    assert "Closed" in text(closed) and client.user.display_name in text(closed)
    assert client.get("/finance/periods/").context["rows"][0]["key"] >= "2026-11"
    assert {row["key"]: row["closed"] for row in client.get("/finance/periods/").context["rows"]}["2026-11"] is True

    # a manual entry dated in the closed month is saved as a draft but refused on posting
    entries = JournalEntry.objects.filter(status="posted").count()
    response = client.post(
        "/finance/journal/new/",
        {
            "date": "2026-11-30",
            "memo": "迟到的发票",
            "line-account": [Account.objects.get(code="6602").pk, Account.objects.get(code="1002").pk],
            "line-debit": ["99", ""],
            "line-credit": ["", "99"],
            "line-description": ["", ""],
            "_action": "post",
        },
        follow=True,
    )
    draft = JournalEntry.objects.get(memo="迟到的发票")
    assert draft.status == "draft"
    assert messages_of(response)[-1] == (
        f"{draft.number} was saved as a draft but not posted: "
        "2026-11 is closed: nothing dated 2026-11-30 can be posted or cancelled."
    )
    assert JournalEntry.objects.filter(status="posted").count() == entries


def test_closing_twice_says_so(client_as, november):
    client = client_as("finance")
    client.post("/finance/periods/2026-11/close/")

    again = client.post("/finance/periods/2026-11/close/", follow=True)

    assert messages_of(again)[-1] == "2026-11 is already closed."
    assert PeriodEvent.objects.count() == 1


def test_reopen_needs_a_reason(client_as, november):
    client_as("finance").post("/finance/periods/2026-11/close/")
    manager = client_as("management")

    page = manager.get("/finance/periods/2026-11/")
    refused = manager.post("/finance/periods/2026-11/reopen/", {"reason": "  "})

    assert page.context["may_reopen"] is True and page.context["may_close"] is False
    assert refused.status_code == 400
    assert refused.context["reopen_form"].errors["reason"] == ["Say why the period is reopened."]
    assert is_closed()
    assert PeriodEvent.objects.filter(action="reopen").count() == 0


def test_management_reopens_with_a_reason_and_it_is_recorded(client_as, november):
    finance = client_as("finance")
    finance.post("/finance/periods/2026-11/close/")
    manager = client_as("management")

    response = manager.post("/finance/periods/2026-11/reopen/", {"reason": "供应商补开发票"}, follow=True)

    assert messages_of(response) == ["2026-11 was reopened."]
    assert not is_closed()
    events = [(e.action, e.user, e.reason) for e in response.context["events"]]
    assert events == [("reopen", manager.user, "供应商补开发票"), ("close", finance.user, "")]
    assert "供应商补开发票" in text(response)
    # open again: finance may close it once more
    assert finance.get("/finance/periods/2026-11/").context["may_close"] is True


def test_a_month_that_is_not_one_is_a_404(client_as):
    client = client_as("finance")

    assert client.get("/finance/periods/2026-13/").status_code == 404
    assert client.get("/finance/periods/2026-1/").status_code == 404


def test_the_month_page_links_to_its_journal_and_statements(client_as, november):
    response = client_as("management").get("/finance/periods/2026-11/")

    assert response.context["journal_url"] == "/finance/journal/?date_from=2026-11-01&date_to=2026-11-30"
    assert (
        response.context["income_statement_url"] == "/reports/income-statement/?date_from=2026-11-01&date_to=2026-11-30"
    )
    assert response.context["balance_sheet_url"] == "/reports/balance-sheet/?date=2026-11-30"
    assert (response.context["previous_url"], response.context["next_url"]) == (
        "/finance/periods/2026-10/",
        "/finance/periods/2026-12/",
    )
