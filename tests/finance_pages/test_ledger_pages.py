"""The chart of accounts (科目) and journal entries (凭证) pages with the numbers of the month
of tests/books: balances on each account's natural side, sub-accounts added, renamed and
deleted through the forms (a used account refused with a message), the journal filtered by
account with its totals, an entry's lines, and manual entries written, posted, reversed and
deleted through the pages (an unbalanced one refused: nothing written)."""

import re
from decimal import Decimal

import pytest

from apps.finance.models import Account, JournalEntry, JournalLine

from .conftest import messages_of, text

pytestmark = pytest.mark.django_db

D = Decimal


def account(code: str) -> Account:
    return Account.objects.get(code=code)


def chart_row(response, code: str) -> str:
    html = response.content.decode()
    row = re.search(rf'<tr id="account-{account(code).pk}".*?</tr>', html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


# --- The chart of accounts ----------------------------------------------------------------------


def test_the_chart_shows_each_balance_on_its_natural_side(client_as, november):
    response = client_as("finance").get("/finance/accounts/")

    assert response.status_code == 200
    assert chart_row(response, "1002").startswith("1002 银行存款 Bank deposits Asset ¥49,325.00 Active")
    assert "¥960.00" in chart_row(response, "1405")
    assert "¥260.00" in chart_row(response, "2202")  # a credit balance of a liability, shown positive
    assert "¥65.00" in chart_row(response, "2221")  # 325.00 output − 260.00 input, its sub-accounts'
    assert "¥325.00" in chart_row(response, "2221.02")
    assert "¥2,500.00" in chart_row(response, "6001")
    assert "¥1,500.00" in chart_row(response, "6602")
    assert "—" in chart_row(response, "1001")  # never used
    assert 'class="depth-1' in response.content.decode()  # 2221.01 indented under 2221
    # the seeded accounts may be renamed but not deleted
    assert "Edit" in chart_row(response, "1002") and "Delete" not in chart_row(response, "1002")


def test_the_chart_filters_by_kind_and_search(client_as, november):
    client = client_as("finance")

    liabilities = [
        row["account"].code for row in client.get("/finance/accounts/", {"kind": "liability"}).context["rows"]
    ]
    found = [row["account"].code for row in client.get("/finance/accounts/", {"search": "增值税"}).context["rows"]]

    assert liabilities == ["2001", "2201", "2202", "2203", "2211", "2221", "2221.01", "2221.02", "2241"]
    assert found == ["2221.01", "2221.02"]


def test_finance_adds_a_sub_account_through_the_form(client_as, november):
    client = client_as("finance")
    parent = account("6602")

    form = client.get("/finance/accounts/new/", {"parent": parent.pk})
    response = client.post(
        "/finance/accounts/new/", {"parent": parent.pk, "code": "6602.01", "name": "办公费", "name_en": "Office"}
    )

    assert form.context["form"].initial == {"parent": parent.pk, "code": "6602.01"}
    assert response.status_code == 302
    created = account("6602.01")
    assert (created.parent, created.kind, created.name, created.name_en) == (parent, "expense", "办公费", "Office")
    page = client.get("/finance/accounts/")
    assert messages_of(page) == ["Account 6602.01 Office was added."]  # the English name, in English
    assert client.get("/finance/accounts/new/", {"parent": parent.pk}).context["form"].initial["code"] == "6602.02"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("6603.01", "A sub-account of 6602 is numbered 6602.NN."),
        ("6602.x", "A sub-account of 6602 is numbered 6602.NN."),
    ],
)
def test_a_wrong_code_is_refused_next_to_the_field(client_as, november, code, message):
    client = client_as("finance")
    before = Account.objects.count()

    response = client.post("/finance/accounts/new/", {"parent": account("6602").pk, "code": code, "name": "办公费"})

    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [message]
    assert Account.objects.count() == before


def test_a_used_code_is_refused(client_as, november):
    client = client_as("finance")
    client.post("/finance/accounts/new/", {"parent": account("6602").pk, "code": "6602.01", "name": "办公费"})

    response = client.post(
        "/finance/accounts/new/", {"parent": account("6602").pk, "code": "6602.01", "name": "又一个"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["This account code is already used."]
    assert Account.objects.filter(code="6602.01").count() == 1


def test_rename_and_deactivate_a_sub_account_and_keep_a_seeded_one_active(client_as, november):
    client = client_as("finance")
    client.post("/finance/accounts/new/", {"parent": account("6602").pk, "code": "6602.01", "name": "办公费"})
    sub = account("6602.01")

    renamed = client.post(f"/finance/accounts/{sub.pk}/edit/", {"name": "办公用品", "name_en": "Office supplies"})
    deactivated = client.post(f"/finance/accounts/{sub.pk}/edit/", {"name": "办公用品", "name_en": "Office supplies"})
    seeded = client.get(f"/finance/accounts/{account('1002').pk}/edit/")

    assert renamed.status_code == deactivated.status_code == 302
    sub.refresh_from_db()
    assert (sub.name, sub.name_en, sub.is_active) == ("办公用品", "Office supplies", False)
    assert seeded.context["form"].fields["is_active"].disabled
    assert seeded.context["delete_url"] is None


def test_delete_an_unused_sub_account_but_not_a_used_one(client_as, november):
    client = client_as("finance")
    finance = november["finance"]
    for code, name in (("6602.01", "办公费"), ("6602.02", "差旅费")):
        client.post("/finance/accounts/new/", {"parent": account("6602").pk, "code": code, "name": name})
    from apps.finance import journal

    entry = journal.manual_create(
        user=finance,
        lines=[{"account": account("6602.02"), "debit": "10.00"}, {"account": account("1001"), "credit": "10.00"}],
    )
    assert entry.status == "draft"

    deleted = client.post(f"/finance/accounts/{account('6602.01').pk}/delete/")
    refused = client.post(f"/finance/accounts/{account('6602.02').pk}/delete/", follow=True)

    assert deleted.status_code == 302
    assert not Account.objects.filter(code="6602.01").exists()
    assert messages_of(refused)[-1] == "6602.02 is used: deactivate it instead of deleting it."
    assert Account.objects.filter(code="6602.02").exists()


# --- Journal entries ----------------------------------------------------------------------------


def test_the_journal_filtered_by_an_account_with_its_totals(client_as, november):
    client = client_as("finance")

    response = client.get("/finance/journal/", {"account": account("1002").pk, "ordering": "date"})

    rows = [[cell["text"] for cell in row["cells"]] for row in response.context["rows"]]
    assert [(row[1], row[3], row[4]) for row in rows] == [
        ("2026-11-01", "B01-OB", "¥50,000.00"),
        ("2026-11-20", "PAY-2026-000001", "¥2,000.00"),
        ("2026-11-25", "RC-2026-000001", "¥2,825.00"),
        ("2026-11-30", "OE-2026-000001", "¥1,500.00"),
    ]
    assert [cell["text"] for cell in response.context["totals_row"]][4] == "¥56,325.00"
    links = [row["cells"][3]["url"] for row in response.context["rows"]]
    assert links[0] == f"/finance/cash-accounts/{november['bank'].pk}/"
    assert links[1].startswith("/finance/payments/") and links[2].startswith("/finance/receipts/")
    assert links[3].startswith("/finance/money/")
    assert client.get(links[3]).status_code == 302


def test_the_journal_by_date_and_origin(client_as, november):
    client = client_as("finance")

    first_week = client.get("/finance/journal/", {"date_from": "2026-11-02", "date_to": "2026-11-08"})
    manual = client.get("/finance/journal/", {"manual": "true"})
    by_source = client.get("/finance/journal/", {"search": "OE-2026"})

    assert first_week.context["page_obj"].paginator.count == 3  # receipt, delivery, return
    assert [c["text"] for c in first_week.context["totals_row"]][4] == "¥7,615.00"  # 2,260 + 4,590 + 765
    assert manual.context["page_obj"].paginator.count == 0
    assert by_source.context["page_obj"].paginator.count == 1


def test_an_entry_written_by_a_delivery(client_as, november):
    client = client_as("finance")
    entry = JournalEntry.objects.get(source_type="delivery")

    response = client.get(f"/finance/journal/{entry.pk}/")

    assert response.status_code == 200
    page = text(response)
    assert "1122 Accounts receivable ¥3,390.00" in page
    assert "6001 Sales revenue ¥3,000.00" in page
    assert "Total ¥4,590.00 ¥4,590.00" in page
    assert response.context["source_url"] == f"/sales/deliveries/{entry.source_id}/"
    # written by its document: no buttons, and no editor
    assert [response.context[k] for k in ("post_url", "delete_url", "reverse_url", "edit_url")] == [None] * 4
    assert client.get(f"/finance/journal/{entry.pk}/edit/")["Location"] == f"/finance/journal/{entry.pk}/"


def entry_form(lines, *, action="save", date="2026-11-28", memo="计提工资"):
    return {
        "date": date,
        "memo": memo,
        "note": "",
        "line-account": [str(account(code).pk) if code else "" for code, *_ in lines],
        "line-debit": [debit for _, debit, _, _ in lines],
        "line-credit": [credit for _, _, credit, _ in lines],
        "line-description": [description for *_, description in lines],
        "_action": action,
    }


def test_a_manual_entry_written_through_the_editor_is_a_draft_with_its_lines(client_as, november):
    client = client_as("finance")

    response = client.post(
        "/finance/journal/new/",
        entry_form(
            [
                ("6602", "8,000.00", "", "十一月工资"),
                ("2211", "", "8000", "应付工资"),
                ("", "", "", ""),  # a blank row is ignored
            ]
        ),
    )

    entry = JournalEntry.objects.get(source_type="")
    assert response.status_code == 302 and response["Location"] == f"/finance/journal/{entry.pk}/edit/"
    assert (entry.status, entry.memo, entry.total, str(entry.date)) == ("draft", "计提工资", D("8000.00"), "2026-11-28")
    assert [(line.account.code, line.debit, line.credit, line.description) for line in entry.lines.all()] == [
        ("6602", D("8000.00"), D("0"), "十一月工资"),
        ("2211", D("0"), D("8000.00"), "应付工资"),
    ]
    editor = client.get(response["Location"])
    assert editor.context["totals"] == {"debit": D("8000.00"), "credit": D("8000.00"), "difference": D("0")}
    assert "Balanced" in text(editor)


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(client_as, november):
    client = client_as("finance")
    before = (JournalEntry.objects.count(), JournalLine.objects.count())

    response = client.post(
        "/finance/journal/new/", entry_form([("6602", "300.00", "", ""), ("1001", "", "200.00", "")], action="post")
    )

    assert response.status_code == 400
    assert response.context["grid_errors"] == ["Debits (300.00) and credits (200.00) must be equal."]
    assert response.context["totals"]["difference"] == D("100.00")
    assert "Difference (debit − credit) ¥100.00" in text(response)
    # what was typed stays
    assert [row.raw["debit"] for row in response.context["grid_rows"][:2]] == ["300.00", ""]
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == before


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        ([("6602", "abc", "", ""), ("1001", "", "1", "")], ["Line 1: “abc” is not an amount."]),
        ([("", "10", "", ""), ("1001", "", "10", "")], ["Line 1: choose an account."]),
        (
            [("6602", "10.005", "", ""), ("1001", "", "10.005", "")],
            ["Line 1: at most two decimal places.", "Line 2: at most two decimal places."],
        ),
        ([("6602", "10", "10", ""), ("1001", "", "10", "")], ["Line 1: enter either a debit or a credit."]),
        ([("6602", "10", "", "")], ["An entry needs at least two lines."]),
    ],
)
def test_bad_lines_are_refused_with_their_line_numbers(client_as, november, lines, errors):
    client = client_as("finance")
    before = JournalEntry.objects.count()

    response = client.post("/finance/journal/new/", entry_form(lines))

    assert response.status_code == 400
    assert response.context["grid_errors"] == errors
    assert JournalEntry.objects.count() == before


def test_add_line_shows_more_rows_and_saves_nothing(client_as, november):
    client = client_as("finance")

    response = client.post("/finance/journal/new/", entry_form([("6602", "10", "", "")], action="add_line"))

    assert response.status_code == 200
    assert len(response.context["grid_rows"]) == 4  # the typed one and three blank
    assert response.context["grid_rows"][0].raw["debit"] == "10"
    assert response.context["grid_errors"] == []
    assert not JournalEntry.objects.filter(source_type="").exists()


def test_post_from_the_editor_then_reverse_from_the_entry(client_as, november):
    client = client_as("finance")

    posted = client.post(
        "/finance/journal/new/", entry_form([("6602", "120.00", "", ""), ("1002", "", "120.00", "")], action="post")
    )
    entry = JournalEntry.objects.get(source_type="", reversal_of=None)
    detail = client.get(posted["Location"])
    reversed_ = client.post(f"/finance/journal/{entry.pk}/reverse/", follow=True)

    assert posted["Location"] == f"/finance/journal/{entry.pk}/"
    assert entry.status == "posted" and entry.total == D("120.00")
    assert detail.context["reverse_url"] == f"/finance/journal/{entry.pk}/reverse/"
    assert detail.context["edit_url"] is None and detail.context["delete_url"] is None
    reversal = JournalEntry.objects.get(reversal_of=entry)
    assert [(line.account.code, line.debit, line.credit) for line in reversal.lines.all()] == [
        ("6602", D("0"), D("120.00")),
        ("1002", D("120.00"), D("0")),
    ]
    assert messages_of(reversed_) == [f"The entry was reversed by {reversal.number}."]
    assert reversed_.context["reversal_of"] == entry
    original = client.get(f"/finance/journal/{entry.pk}/")
    assert original.context["reversed_by"] == reversal and original.context["reverse_url"] is None
    assert "Reversed by" in text(original)
    # reversing twice is refused with a message, nothing more is written
    again = client.post(f"/finance/journal/{entry.pk}/reverse/", follow=True)
    assert messages_of(again) == [f"{entry.number} is already reversed."]
    assert JournalEntry.objects.filter(source_type="").count() == 2


def test_a_draft_is_edited_then_deleted(client_as, november):
    client = client_as("finance")
    client.post("/finance/journal/new/", entry_form([("6602", "50", "", ""), ("1001", "", "50", "")]))
    entry = JournalEntry.objects.get(source_type="")

    changed = client.post(
        f"/finance/journal/{entry.pk}/edit/",
        entry_form([("6602", "70", "", ""), ("1001", "", "60", ""), ("1002", "", "10", "")], memo="改"),
    )
    entry.refresh_from_db()
    lines = [(line.account.code, line.debit, line.credit) for line in entry.lines.all()]
    deleted = client.post(f"/finance/journal/{entry.pk}/delete/", follow=True)

    assert changed.status_code == 302
    assert (entry.memo, entry.total) == ("改", D("70.00"))
    assert lines == [("6602", D("70.00"), D("0")), ("1001", D("0"), D("60.00")), ("1002", D("0"), D("10.00"))]
    assert messages_of(deleted)[-1] == f"{entry.number} was deleted."
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


def test_management_may_read_but_not_post_a_draft(client_as, november):
    finance = client_as("finance")
    finance.post("/finance/journal/new/", entry_form([("6602", "50", "", ""), ("1001", "", "50", "")]))
    entry = JournalEntry.objects.get(source_type="")
    manager = client_as("management")

    detail = manager.get(f"/finance/journal/{entry.pk}/")
    refused = manager.post(f"/finance/journal/{entry.pk}/post/")

    assert detail.status_code == 200 and detail.context["post_url"] is None
    assert refused.status_code == 403
    entry.refresh_from_db()
    assert entry.status == "draft"


# --- The books check ----------------------------------------------------------------------------


def test_the_books_check_page(client_as, november):
    client = client_as("management")

    clean = client.get("/finance/books-check/")
    entry = JournalEntry.objects.get(source_type="stock_count")
    JournalLine.objects.create(entry=entry, line_no=9, account=account("1405"), debit=D("5.00"))  # a broken book
    broken = client.get("/finance/books-check/")

    assert clean.context["failing"] == 0 and "Everything reconciles" in text(clean)
    failing = {r["check"].key: r["problems"] for r in broken.context["results"] if r["problems"]}
    assert failing["journal"][0] == f"{entry.number}: debit 45.00 ≠ credit 40.00"
    assert failing["inventory"][0] == "1405 inventory: books 965.00, stock ledger value 960.00 (difference 5.00)"
    assert "2 checks fail" in text(broken) or f"{len(failing)} checks fail" in text(broken)
