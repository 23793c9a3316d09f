"""Cash/bank accounts (结算账户) and the money moved through them, on the pages: the cash
journal (资金流水) with its opening line, running balances and closing line; an account
created with an opening balance and edited; cash transfers (资金调拨) and other income and
expenses (收入单 / 支出单) written, posted and cancelled through their editors and detail
pages, with refusals shown on the page and nothing written."""

from decimal import Decimal

import pytest

from apps.finance import cash
from apps.finance.models import CashAccount, CashMovement, CashTransfer, JournalEntry, MoneyCategory, MoneyDocument

from .conftest import messages_of, text

pytestmark = pytest.mark.django_db

D = Decimal


def journal_rows(response) -> list[tuple]:
    return [
        (
            str(row["movement"].date),
            row["movement"].source_number,
            row["what"],
            row["in"],
            row["out"],
            row["movement"].running,
        )
        for row in response.context["rows"]
    ]


def test_the_cash_journal_of_the_month(client_as, november):
    bank = november["bank"]

    response = client_as("finance").get(
        f"/finance/cash-accounts/{bank.pk}/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    )

    assert response.status_code == 200
    assert response.context["opening"] == D("0")
    assert journal_rows(response) == [
        ("2026-11-01", "B01-OB", "Opening balance", D("50000.00"), None, D("50000.00")),
        ("2026-11-20", "PAY-2026-000001", "Supplier payment", None, D("2000.00"), D("48000.00")),
        ("2026-11-25", "RC-2026-000001", "Customer receipt", D("2825.00"), None, D("50825.00")),
        ("2026-11-30", "OE-2026-000001", "Expense document", None, D("1500.00"), D("49325.00")),
    ]
    assert (response.context["money_in"], response.context["money_out"], response.context["closing"]) == (
        D("52825.00"),
        D("3500.00"),
        D("49325.00"),
    )
    page = text(response)
    assert "¥50,000.00 ¥50,000.00" in page and "¥2,000.00 ¥48,000.00" in page and "¥2,825.00 ¥50,825.00" in page
    assert "Closing balance ¥52,825.00 ¥3,500.00 ¥49,325.00" in page
    links = [row["url"] for row in response.context["rows"]]
    assert links[0] == f"/finance/cash-accounts/{bank.pk}/"
    assert links[1].startswith("/finance/payments/") and links[3].startswith("/finance/money/")


def test_the_cash_journal_from_a_later_day_opens_with_the_balance_before_it(client_as, november):
    response = client_as("management").get(
        f"/finance/cash-accounts/{november['bank'].pk}/", {"date_from": "2026-11-21", "date_to": "2026-11-26"}
    )

    assert response.context["opening"] == D("48000.00")
    assert [row[1] for row in journal_rows(response)] == ["RC-2026-000001"]
    assert response.context["closing"] == D("50825.00")
    assert "Opening balance ¥48,000.00" in text(response)


def test_the_cash_journal_shows_this_month_by_default_and_says_what_is_not_a_date(client_as, november):
    client = client_as("finance")
    url = f"/finance/cash-accounts/{november['bank'].pk}/"

    default = client.get(url)
    everything = client.get(url, {"date_from": "", "date_to": ""})
    wrong = client.get(url, {"date_from": "2026-13-01"})

    assert default.context["date_from"].day == 1 and default.context["opening"] == D("49325.00")
    assert len(everything.context["rows"]) == 4 and everything.context["opening"] == D("0")
    assert wrong.status_code == 200
    assert wrong.context["date_errors"] == ["“2026-13-01” is not a date (YYYY-MM-DD)."]


def test_the_account_list_with_the_total_of_the_balances(client_as, november):
    cash.cash_account_create(
        user=november["finance"], code="C01", name="现金", kind="cash", opening_balance=D("800.00")
    )

    response = client_as("finance").get("/finance/cash-accounts/")

    rows = {row["cells"][0]["text"]: [cell["text"] for cell in row["cells"]] for row in response.context["rows"]}
    assert rows["B01"][1:5] == ["工商银行", "Bank", "1002 Bank deposits", "¥49,325.00"]
    assert rows["C01"][1:5] == ["现金", "Cash", "1001 Cash on hand", "¥800.00"]
    assert [cell["text"] for cell in response.context["totals_row"]][4] == "¥50,125.00"  # with the default account at 0


def test_create_an_account_with_an_opening_balance_then_change_it(client_as, november):
    client = client_as("finance")
    form = {
        "code": "B02",
        "name": "招商银行",
        "kind": "bank",
        "opening_balance": "12,000.50",
        "opening_date": "2026-11-10",
        "ledger_account": "",
        "is_active": "on",
    }

    created = client.post("/finance/cash-accounts/new/", form)
    account = CashAccount.objects.get(code="B02")
    changed = client.post(f"/finance/cash-accounts/{account.pk}/edit/", {**form, "opening_balance": "12500.50"})

    assert created.status_code == 302 and created["Location"] == f"/finance/cash-accounts/{account.pk}/"
    account.refresh_from_db()
    assert changed.status_code == 302
    assert (account.balance, account.opening_balance, account.ledger_account.code) == (
        D("12500.50"),
        D("12500.50"),
        "1002",
    )
    assert list(account.movements.order_by("id").values_list("amount", flat=True)) == [D("12000.50"), D("500.00")]
    assert JournalEntry.objects.filter(source_type="cash_opening", source_id=account.pk).count() == 2
    # money has moved: its kind, opening date and ledger account are fixed on the form
    edit = client.get(f"/finance/cash-accounts/{account.pk}/edit/")
    assert all(edit.context["form"].fields[name].disabled for name in ("kind", "opening_date", "ledger_account"))


def test_a_used_code_and_a_bad_amount_are_refused_on_the_form(client_as, november):
    client = client_as("finance")
    before = CashAccount.objects.count()

    used = client.post("/finance/cash-accounts/new/", {"code": "B01", "name": "又一个", "kind": "bank"})
    bad = client.post(
        "/finance/cash-accounts/new/", {"code": "B09", "name": "x", "kind": "bank", "opening_balance": "12a"}
    )

    assert used.status_code == bad.status_code == 400
    assert used.context["form"].errors["code"] == ["This account code is already used."]
    assert "opening_balance" in bad.context["form"].errors
    assert CashAccount.objects.count() == before


# --- Cash transfers -----------------------------------------------------------------------------


@pytest.fixture
def till(november):
    return cash.cash_account_create(user=november["finance"], code="C01", name="门店现金", kind="cash")


def test_a_transfer_saved_posted_and_cancelled_through_the_pages(client_as, november, till):
    client = client_as("finance")
    bank = november["bank"]

    saved = client.post(
        "/finance/cash-transfers/new/",
        {
            "date": "2026-11-26",
            "from_account": bank.pk,
            "to_account": till.pk,
            "amount": "3,000.00",
            "note": "备用金",
            "_action": "save",
        },
    )
    transfer = CashTransfer.objects.get()
    posted = client.post(f"/finance/cash-transfers/{transfer.pk}/post/", follow=True)
    bank.refresh_from_db()
    till.refresh_from_db()

    assert saved["Location"] == f"/finance/cash-transfers/{transfer.pk}/edit/"
    assert messages_of(posted)[-1] == f"{transfer.number} was posted."
    assert (bank.balance, till.balance) == (D("46325.00"), D("3000.00"))
    detail = posted.context
    assert [(m.account.code, m.amount, m.balance_after) for m in detail["movements"]] == [
        ("B01", D("-3000.00"), D("46325.00")),
        ("C01", D("3000.00"), D("3000.00")),
    ]
    assert [e.total for e in detail["entries"]] == [D("3000.00")]

    cancelled = client.post(f"/finance/cash-transfers/{transfer.pk}/cancel/", follow=True)
    bank.refresh_from_db()
    till.refresh_from_db()

    assert messages_of(cancelled)[-1] == f"{transfer.number} was cancelled."
    assert (bank.balance, till.balance) == (D("49325.00"), D("0.00"))
    assert CashTransfer.objects.get().status == "cancelled"


def test_a_transfer_to_the_same_account_is_refused_and_nothing_is_written(client_as, november):
    client = client_as("finance")
    bank = november["bank"]

    response = client.post(
        "/finance/cash-transfers/new/",
        {"from_account": bank.pk, "to_account": bank.pk, "amount": "10", "_action": "post"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["to_account"] == ["Money goes to a different account than it comes from."]
    assert not CashTransfer.objects.exists()


def test_posting_into_a_closed_month_keeps_the_draft_and_says_why(client_as, november, till):
    client = client_as("finance")
    assert client.post("/finance/periods/2026-11/close/").status_code == 302
    movements = CashMovement.objects.count()

    response = client.post(
        "/finance/cash-transfers/new/",
        {"date": "2026-11-27", "from_account": november["bank"].pk, "to_account": till.pk, "amount": "10"}
        | {"_action": "post"},
        follow=True,
    )

    transfer = CashTransfer.objects.get()
    assert transfer.status == "draft"
    assert messages_of(response)[-1] == (
        f"{transfer.number} was saved as a draft but not posted: "
        "2026-11 is closed: nothing dated 2026-11-27 can be posted or cancelled."
    )
    assert CashMovement.objects.count() == movements


# --- Other income and expenses ------------------------------------------------------------------


def category(kind: str, name: str) -> MoneyCategory:
    return MoneyCategory.objects.get(kind=kind, name=name)


def money_form(lines, *, account, action="save", date="2026-11-29", counterparty="顺丰速运"):
    return {
        "date": date,
        "account": account.pk,
        "counterparty": counterparty,
        "note": "",
        "line-category": [str(c.pk) if c else "" for c, _, _ in lines],
        "line-amount": [amount for _, amount, _ in lines],
        "line-description": [description for *_, description in lines],
        "_action": action,
    }


def test_an_expense_document_written_and_posted_through_its_editor(client_as, november):
    client = client_as("finance")
    bank = november["bank"]

    response = client.post(
        "/finance/expenses/new/",
        money_form(
            [(category("expense", "运费"), "350.00", "十一月运费"), (category("expense", "水电费"), "1,200", "")],
            account=bank,
            action="post",
        ),
        follow=True,
    )

    document = MoneyDocument.objects.get(counterparty="顺丰速运")
    bank.refresh_from_db()
    assert (document.kind, document.status, document.total, document.number[:3]) == (
        "expense",
        "posted",
        D("1550.00"),
        "OE-",
    )
    assert bank.balance == D("47775.00")  # 49,325.00 − 1,550.00
    assert messages_of(response)[-1] == f"{document.number} was posted."
    page = text(response)
    assert "Freight 6601 Selling expenses 十一月运费 ¥350.00" in page
    assert "Utilities 6602 Administrative expenses ¥1,200.00" in page
    assert "Total ¥1,550.00" in page
    entry = JournalEntry.objects.get(source_type="money_document", source_id=document.pk)
    assert sorted((line.account.code, line.debit, line.credit) for line in entry.lines.all()) == [
        ("1002", D("0"), D("1550.00")),
        ("6601", D("350.00"), D("0")),
        ("6602", D("1200.00"), D("0")),
    ]
    # it shows under Other expenses, not Other income
    assert client.get("/finance/expenses/").context["page_obj"].paginator.count == 2
    assert client.get("/finance/income/").context["page_obj"].paginator.count == 0


def test_income_cancelled_after_posting_takes_the_money_out_again(client_as, november):
    client = client_as("management")
    bank = november["bank"]
    client.post(
        "/finance/income/new/",
        money_form([(category("income", "废品收入"), "66.60", "纸箱")], account=bank, counterparty="废品站"),
    )
    document = MoneyDocument.objects.get(kind="income")

    client.post(f"/finance/income/{document.pk}/post/")
    bank.refresh_from_db()
    posted_balance = bank.balance
    client.post(f"/finance/income/{document.pk}/cancel/")
    bank.refresh_from_db()

    assert (posted_balance, bank.balance) == (D("49391.60"), D("49325.00"))
    assert MoneyDocument.objects.get(pk=document.pk).status == "cancelled"
    page = client.get(f"/finance/money/{document.pk}/", follow=True)
    assert page.context["object"] == document
    assert [m.amount for m in page.context["movements"]] == [D("66.60"), D("-66.60")]


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        ([(None, "10", "")], ["Line 1: choose a category."]),
        ([("rent", "", "")], ["Line 1: enter the amount."]),
        ([("rent", "-5", "")], ["Line 1: the amount must be more than zero."]),
        ([("rent", "1.234", "")], ["Line 1: at most two decimal places."]),
        ([("interest", "10", "")], ["Line 1: choose a category."]),  # an income category on an expense
        ([], ["Add at least one line."]),
    ],
)
def test_bad_expense_lines_are_refused_and_nothing_is_written(client_as, november, lines, errors):
    client = client_as("finance")
    named = {"rent": category("expense", "房租"), "interest": category("income", "利息收入"), None: None}
    before = MoneyDocument.objects.count()

    response = client.post(
        "/finance/expenses/new/",
        money_form([(named[c], amount, d) for c, amount, d in lines], account=november["bank"]),
    )

    assert response.status_code == 400
    assert response.context["grid_errors"] == errors
    assert MoneyDocument.objects.count() == before


def test_the_editor_totals_what_was_typed(client_as, november):
    client = client_as("finance")

    response = client.post(
        "/finance/expenses/new/",
        money_form(
            [(category("expense", "房租"), "1,000", ""), (category("expense", "运费"), "x", "")],
            account=november["bank"],
        ),
    )

    assert response.status_code == 400
    assert response.context["grid_errors"] == ["Line 2: “x” is not an amount."]
    assert response.context["totals"] == {"amount": D("1000")}
