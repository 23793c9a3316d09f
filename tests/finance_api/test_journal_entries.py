"""/api/v1/journal-entries/ (凭证): entries written by the documents, read with their lines and
source; finance's manual entries drafted, changed, posted and reversed; what is never edited;
the filters; refused input changes nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from apps.finance.models import Account, JournalEntry
from tests.books import support

from .helpers import ACCOUNTS, ENTRIES, account_id, close_month, entry_lines, ok, refused, snapshot

pytestmark = pytest.mark.django_db


def rent_accrual(amount="500.00", **extra) -> dict:
    """Rent accrued (Dr 6602 管理费用, Cr 2241 其他应付款): touches no cash, stock or open item."""
    return {
        "date": "2026-11-30",
        "memo": "计提十一月房租",
        "lines": [
            {"account": account_id("6602"), "debit": amount, "description": "房租"},
            {"account": account_id("2241"), "credit": amount},
        ],
        **extra,
    }


def balance(client, code: str, **params) -> str:
    rows = ok(client.get(ACCOUNTS, {"search": code, **params}))["results"]
    return next(row["balance"] for row in rows if row["code"] == code)


@pytest.fixture
def delivered(world):
    support.receive(world, "100", "20.00", on=support.day(3))
    world["delivery"] = support.deliver(world, "60", "50.00", on=support.day(5))
    return world


def test_a_delivery_s_entry_reads_with_its_lines_and_source(finance, delivered):
    delivery = delivered["delivery"]
    rows = ok(finance.get(ENTRIES, {"source_type": "delivery"}))["results"]

    assert len(rows) == 1
    entry = rows[0]
    assert (entry["status"], entry["source_number"], entry["total"], entry["is_manual"]) == (
        "posted",
        delivery.number,
        "4590.00",
        False,
    )
    assert entry["source_url"] == reverse("sales:delivery-detail", args=[delivery.pk])
    assert (entry["reversal_of"], entry["reversed_by"]) == (None, None)
    assert entry_lines(entry) == [
        ("1122", "3390.00", "0.00"),
        ("1405", "0.00", "1200.00"),
        ("2221.02", "0.00", "390.00"),
        ("6001", "0.00", "3000.00"),
        ("6401", "1200.00", "0.00"),
    ]
    line = next(line for line in entry["lines"] if line["account_code"] == "6001")
    assert (line["account"], line["account_name"]) == (account_id("6001"), "Sales revenue")


def test_a_manual_entry_is_drafted_changed_posted_and_reversed(finance):
    draft = ok(finance.post(ENTRIES, rent_accrual()), 201)
    assert (draft["status"], draft["total"], draft["is_manual"], draft["posted_at"]) == ("draft", "500.00", True, None)
    assert draft["number"].startswith("JE-2026-")
    assert entry_lines(draft) == [("2241", "0.00", "500.00"), ("6602", "500.00", "0.00")]
    assert [line["line_no"] for line in draft["lines"]] == [1, 2]
    assert balance(finance, "6602") == "0.00"  # a draft is not in the books

    draft = ok(finance.patch(f"{ENTRIES}{draft['id']}/", {"lines": rent_accrual("800.00")["lines"], "note": "改"}))
    assert (draft["total"], draft["note"], draft["memo"]) == ("800.00", "改", "计提十一月房租")

    posted = ok(finance.post(f"{ENTRIES}{draft['id']}/post/"))
    assert (posted["status"], posted["total"]) == ("posted", "800.00")
    assert posted["posted_at"] is not None
    assert (balance(finance, "6602"), balance(finance, "2241")) == ("800.00", "-800.00")
    assert ok(finance.post(f"{ENTRIES}{draft['id']}/post/"))["status"] == "posted"  # twice: nothing twice
    assert JournalEntry.objects.filter(status="posted", source_type="").count() == 1

    reversal = ok(finance.post(f"{ENTRIES}{draft['id']}/reverse/", {"date": "2026-12-01"}), 201)
    assert (reversal["status"], reversal["reversal_of"], reversal["total"], reversal["date"]) == (
        "posted",
        draft["id"],
        "800.00",
        "2026-12-01",
    )
    assert entry_lines(reversal) == [("2241", "800.00", "0.00"), ("6602", "0.00", "800.00")]
    assert ok(finance.get(f"{ENTRIES}{draft['id']}/"))["reversed_by"] == reversal["id"]
    assert (balance(finance, "6602"), balance(finance, "2241")) == ("0.00", "0.00")
    assert balance(finance, "6602", date_to="2026-11-30") == "800.00"

    before = snapshot()
    refused(finance.post(f"{ENTRIES}{draft['id']}/reverse/"), 409, "invalid_state")
    refused(finance.post(f"{ENTRIES}{reversal['id']}/reverse/"), 409, "invalid_state")
    assert snapshot() == before


def test_a_draft_is_replaced_with_put_and_deleted(finance):
    draft = ok(finance.post(ENTRIES, rent_accrual()), 201)
    put = ok(finance.put(f"{ENTRIES}{draft['id']}/", rent_accrual("650.00", memo="改了", date="2026-11-29")))
    assert (put["total"], put["memo"], put["date"]) == ("650.00", "改了", "2026-11-29")

    assert finance.delete(f"{ENTRIES}{draft['id']}/").status_code == 204
    assert not JournalEntry.objects.filter(pk=draft["id"]).exists()


def test_a_posted_entry_is_never_edited_or_deleted(finance):
    entry = ok(finance.post(ENTRIES, rent_accrual()), 201)
    ok(finance.post(f"{ENTRIES}{entry['id']}/post/"))
    before = snapshot()

    refused(finance.patch(f"{ENTRIES}{entry['id']}/", {"memo": "改"}), 409, "invalid_state")
    refused(finance.put(f"{ENTRIES}{entry['id']}/", rent_accrual("1.00")), 409, "invalid_state")
    refused(finance.patch(f"{ENTRIES}{entry['id']}/", {}), 409, "invalid_state")
    refused(finance.delete(f"{ENTRIES}{entry['id']}/"), 409, "invalid_state")

    assert snapshot() == before


def test_an_entry_written_by_a_delivery_is_neither_reversed_nor_edited_directly(finance, delivered):
    entry = JournalEntry.objects.get(source_type="delivery")
    before = snapshot()

    body = refused(finance.post(f"{ENTRIES}{entry.pk}/reverse/"), 409, "invalid_state")
    assert delivered["delivery"].number in body["detail"]
    refused(finance.patch(f"{ENTRIES}{entry.pk}/", {"memo": "x"}), 409, "invalid_state")
    refused(finance.delete(f"{ENTRIES}{entry.pk}/"), 409, "invalid_state")
    refused(finance.post(f"{ENTRIES}{entry.pk}/post/"), 409, "invalid_state")

    assert snapshot() == before


def test_posting_into_a_closed_month_is_refused_and_changes_nothing(finance):
    draft = ok(finance.post(ENTRIES, rent_accrual()), 201)
    close_month(support.day(1))
    before = snapshot()

    body = refused(finance.post(f"{ENTRIES}{draft['id']}/post/"), 409, "period_closed")

    assert body["period"] == "2026-11"
    assert snapshot() == before
    assert ok(finance.get(f"{ENTRIES}{draft['id']}/"))["status"] == "draft"


def test_reversing_into_a_closed_month_is_refused(finance):
    entry = ok(finance.post(ENTRIES, rent_accrual()), 201)
    ok(finance.post(f"{ENTRIES}{entry['id']}/post/"))
    close_month(support.day(1))
    before = snapshot()

    refused(finance.post(f"{ENTRIES}{entry['id']}/reverse/", {"date": "2026-11-30"}), 409, "period_closed")

    assert snapshot() == before


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [{"account": "6602", "debit": "500.00"}, {"account": "2241", "credit": "400.00"}],
            "Debits (500.00) and credits (400.00) must be equal.",
        ),
        (
            [{"account": "6602", "debit": "500.00", "credit": "500.00"}, {"account": "2241", "credit": "0"}],
            "Line 1: enter either a debit or a credit.",
        ),
        ([{"account": "6602", "debit": "500.00"}], "An entry needs at least two lines."),
        ([], "An entry needs at least two lines."),
        (
            [{"account": "6602", "debit": "-500.00"}, {"account": "2241", "credit": "-500.00"}],
            "Line 1: amounts are never negative.",
        ),
    ],
)
def test_an_entry_that_does_not_balance_is_400_on_lines_and_writes_nothing(finance, lines, message):
    for line in lines:
        line["account"] = account_id(line["account"])
    before = snapshot()

    body = refused(finance.post(ENTRIES, {"date": "2026-11-30", "lines": lines}), 400)

    assert list(body) == ["lines"]
    assert message in body["lines"]
    assert snapshot() == before


def test_an_unbalanced_change_leaves_the_draft_as_it_was(finance):
    draft = ok(finance.post(ENTRIES, rent_accrual()), 201)
    before = snapshot()
    lines = rent_accrual()["lines"]
    lines[1]["credit"] = "499.99"

    assert list(refused(finance.patch(f"{ENTRIES}{draft['id']}/", {"lines": lines}), 400)) == ["lines"]

    assert snapshot() == before


def test_an_inactive_or_unknown_account_is_400(finance):
    sub = ok(finance.post(ACCOUNTS, {"parent": account_id("6602"), "code": "6602.01", "name": "差旅费"}), 201)
    ok(finance.patch(f"{ACCOUNTS}{sub['id']}/", {"is_active": False}))
    before = snapshot()

    lines = [{"account": sub["id"], "debit": "10"}, {"account": account_id("2241"), "credit": "10"}]
    body = refused(finance.post(ENTRIES, {"lines": lines}), 400)
    assert body == {"lines": ["Line 1: account 6602.01 is inactive."]}
    lines[0]["account"] = Account.objects.order_by("-pk").first().pk + 100
    assert list(refused(finance.post(ENTRIES, {"lines": lines}), 400)) == ["lines"]

    assert snapshot() == before


def test_the_filters(finance, delivered):
    support.collect(delivered, "1000.00", on=support.day(25))
    manual = ok(finance.post(ENTRIES, rent_accrual()), 201)

    def numbers(**params) -> list[str]:
        return sorted(row["number"] for row in ok(finance.get(ENTRIES, params))["results"])

    all_numbers = numbers()
    assert len(all_numbers) == 5  # opening, receipt, delivery, customer receipt, the manual draft
    assert numbers(manual="true") == [manual["number"]]
    assert len(numbers(manual="false")) == 4
    assert numbers(status="draft") == [manual["number"]]
    assert len(numbers(account=account_id("1122"))) == 2  # the delivery and the customer receipt
    assert len(numbers(account=account_id("2221"))) == 2  # its sub-accounts: the receipt and the delivery
    assert len(numbers(date_from="2026-11-05", date_to="2026-11-25")) == 2
    assert numbers(source_number=delivered["delivery"].number) == [
        JournalEntry.objects.get(source_type="delivery").number
    ]
    assert numbers(search="房租") == [manual["number"]]
    refused(finance.get(ENTRIES, {"manual": "perhaps"}), 400)
    refused(finance.get(ENTRIES, {"status": "lost"}), 400)
    refused(finance.get(ENTRIES, {"date_from": "yesterday"}), 400)


def test_the_list_in_excel(finance, delivered):
    response = finance.get(ENTRIES, {"format": "xlsx", "source_type": "delivery"})

    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    assert [(row[header.index("Source number")], row[header.index("Total")]) for row in rows[1:]] == [
        (delivered["delivery"].number, 4590)
    ]


def test_a_repeated_post_with_the_same_idempotency_key_writes_one_entry(token_as):
    client = token_as("finance")
    first = ok(client.post(ENTRIES, rent_accrual(), HTTP_IDEMPOTENCY_KEY="je-1"), 201)
    again = ok(client.post(ENTRIES, rent_accrual(), HTTP_IDEMPOTENCY_KEY="je-1"), 201)

    assert again["id"] == first["id"]
    assert JournalEntry.objects.filter(source_type="").count() == 1
