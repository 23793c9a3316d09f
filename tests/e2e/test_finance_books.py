"""Month-end in the browser, with the numbers of tests/books (November 2026: a bank account
opened with 50,000.00, a receipt, a delivery and its return, a count loss, a payment, a
receipt from the customer, rent paid): finance opens the month from the period close page,
reads its income statement and balance sheet, downloads the balance sheet as Excel (the file
opens and balances), writes a manual entry with the line editor's live totals, closes the
month, and a posting dated in it afterwards is refused."""

from decimal import Decimal

import openpyxl
import pytest

from apps.finance.models import JournalEntry, Period, PeriodEvent
from tests.books.support import day, november_of_business
from tests.factories import UserFactory

from .conftest import screenshot
from .test_purchasing_flow import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = Decimal


def test_finance_reads_the_month_downloads_the_balance_sheet_and_closes_it(new_page, make_user, tmp_path):
    november_of_business(make_user)
    UserFactory(username="cashier", full_name="钱财务", departments=["finance"])
    page = open_as(new_page, "cashier")

    # --- the period close page: the month's checklist passes ------------------------------------
    page.goto("/")
    page.click("nav.sidebar a:has-text('Period close')")
    page.click("tr[data-month='2026-11'] a:has-text('2026-11')")
    page.wait_for_selector("h1:has-text('Period 2026-11')")
    assert page.locator(".checklist li.failing").count() == 0
    assert page.locator(".checklist li.ok").count() == page.locator(".checklist > li").count() >= 4
    assert page.locator("#close-period").is_enabled()

    # --- its income statement: revenue 2,500 − cost 1,000 − rent 1,500 − count loss 40 --------
    page.click(".month-links a:has-text('Income statement')")
    page.wait_for_url("**/reports/income-statement/?date_from=2026-11-01&date_to=2026-11-30")
    body = page.inner_text("main")
    assert "¥2,500.00" in body and "¥1,000.00" in body and "-¥40.00" in body
    screenshot(page, "finance-e2e-income-statement")

    # --- its balance sheet, balanced at 50,285.00, and the same as Excel ------------------------
    page.go_back()
    page.click(".month-links a:has-text('Balance sheet')")
    page.wait_for_url("**/reports/balance-sheet/?date=2026-11-30")
    assert page.inner_text("[data-total='assets']") == "¥50,285.00"
    assert page.inner_text("[data-total='liabilities_and_equity']") == "¥50,285.00"
    assert page.locator("[data-balanced='true']").count() == 1
    screenshot(page, "finance-e2e-balance-sheet")
    with page.expect_download() as download:
        page.click("a:has-text('Excel')")
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Account code", "Account", "Amount")
    totals = {name: D(str(value)) for code, name, value in rows[1:] if code is None and value is not None}
    lines = {code: D(str(value)) for code, name, value in rows[1:] if code}
    assert lines == {"1002": D("49325"), "1405": D("960"), "2202": D("260"), "2221": D("65"), "3001": D("50000")}
    assert totals["Total assets"] == totals["Total liabilities and equity"] == D("50285.00")
    assert totals["Total liabilities"] + totals["Total equity"] == D("50285.00")

    # --- a manual entry: the editor shows the difference until debits equal credits -----------
    page.goto("/finance/journal/new/")
    page.fill("#id_date", "2026-11-30")
    page.fill("#id_memo", "计提工资")
    rows = page.locator("tr[data-line]")
    rows.nth(0).locator("select").select_option(label="6602 Administrative expenses")
    rows.nth(0).locator("input[name=line-debit]").fill("8,000.00")
    assert page.inner_text("[data-balance]") == "Difference (debit − credit) ¥8,000.00"
    rows.nth(1).locator("select").select_option(label="2211 Wages payable")
    rows.nth(1).locator("input[name=line-credit]").fill("8000")
    assert page.inner_text("[data-total='debit']") == page.inner_text("[data-total='credit']") == "¥8,000.00"
    assert page.inner_text("[data-balance]") == "Balanced"
    screenshot(page, "finance-e2e-journal-editor")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".page-head .badge-posted")
    entry = JournalEntry.objects.get(memo="计提工资")
    assert (entry.status, entry.total) == ("posted", D("8000.00"))

    # --- close the month ------------------------------------------------------------------------
    page.goto("/finance/periods/2026-11/")
    page.click("#close-period")
    page.wait_for_selector("[data-period-status].badge-closed")
    assert "2026-11 is closed." in page.inner_text(".messages")
    screenshot(page, "finance-e2e-period-closed")
    assert Period.objects.get(month=day(1)).is_closed
    assert PeriodEvent.objects.get().action == "close"
    page.goto("/finance/periods/")
    assert page.inner_text("tr[data-month='2026-11'] .badge") == "Closed"

    # --- a later posting dated in the closed month is refused, and nothing is posted -----------
    posted = JournalEntry.objects.filter(status="posted").count()
    page.goto(f"/finance/journal/{entry.pk}/")
    page.click("button:has-text('Reverse')")  # dated today: accepted, today's month is open
    page.wait_for_selector(".msg-success")
    page.goto("/finance/journal/new/")
    page.fill("#id_date", "2026-11-30")
    page.fill("#id_memo", "迟到的发票")
    rows = page.locator("tr[data-line]")
    rows.nth(0).locator("select").select_option(label="6602 Administrative expenses")
    rows.nth(0).locator("input[name=line-debit]").fill("99")
    rows.nth(1).locator("select").select_option(label="1002 Bank deposits")
    rows.nth(1).locator("input[name=line-credit]").fill("99")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".msg-error")
    assert "2026-11 is closed: nothing dated 2026-11-30 can be posted or cancelled." in page.inner_text(".msg-error")
    late = JournalEntry.objects.get(memo="迟到的发票")
    assert late.status == "draft"
    assert JournalEntry.objects.filter(status="posted").count() == posted + 1  # only the reversal
