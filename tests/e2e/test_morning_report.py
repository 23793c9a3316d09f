"""Finance downloads the morning report (issue: "a clerk sees the alert bell, a buyer opens the
dashboard chart, finance downloads the morning report").

The scheduled job ``reports.daily_stock_summary`` runs, as beat would, on the morning of
2026-11-21: the stock summary 进销存汇总 from 11-01 to 11-20 over every warehouse. The world,
documents posted through the services (moving average):

- SP1001 矿泉水 in SH01: 100 @ 10.00 received on 10-28 (before the period: opening 100 /
  1,000.00); in the period 50 @ 13.00 received on 11-05 (in 50 / 650.00; average 1,650.00 /
  150 = 11.00), 30 delivered on 11-10 (out 30 × 11.00 = 330.00). Closing 120 / 1,320.00.
- SP1002 可乐 in BJ01: 40 @ 3.00 received on 11-03 (in 40 / 120.00), 15 delivered on 11-12
  (out 45.00). Closing 25 / 75.00.
- SP1003 果汁: 8 @ 4.50 received on 11-25, after the period: not in the file.

So the file has 2 rows and its totals row: opening 100 / 1,000.00, in 90 / 770.00, out 45 /
375.00, closing 145 / 1,395.00.

A finance user sees the report_ready notification in the bell, follows it to the report files,
downloads the file and reads the totals row with openpyxl; a salesperson (reads stock
quantities, not costs) does not see the whole-business file nor download it.
"""

import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from apps.notifications.models import Notification, NotificationKind
from apps.reports.models import ReportRun, RunStatus, RunTrigger
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, WarehouseFactory
from tests.reports.helpers import D, free_receipt
from tests.sales.support import deliver_direct

from .test_login_menus import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TODAY = "2026-11-21"  # the morning the job runs: the file covers 11-01 … 11-20
SHOTS = Path("/tmp/shots")
FIGURES = ("opening_qty", "opening_value", "in_qty", "in_value", "out_qty", "out_value", "closing_qty", "closing_value")
HEADERS = {
    "sku": "SKU",
    "opening_qty": "Opening quantity",
    "opening_value": "Opening value",
    "in_qty": "Quantity in",
    "in_value": "Value in",
    "out_qty": "Quantity out",
    "out_value": "Value out",
    "closing_qty": "Closing quantity",
    "closing_value": "Closing value",
}
# By hand (see the module's docstring).
ROWS = {
    "SP1001": {"opening_qty": 100, "opening_value": "1000.00", "in_qty": 50, "in_value": "650.00"}
    | {"out_qty": 30, "out_value": "330.00", "closing_qty": 120, "closing_value": "1320.00"},
    "SP1002": {"opening_qty": 0, "opening_value": "0", "in_qty": 40, "in_value": "120.00"}
    | {"out_qty": 15, "out_value": "45.00", "closing_qty": 25, "closing_value": "75.00"},
}
TOTALS = {"opening_qty": 100, "opening_value": "1000.00", "in_qty": 90, "in_value": "770.00"} | {
    "out_qty": 45,
    "out_value": "375.00",
    "closing_qty": 145,
    "closing_value": "1395.00",
}


def day(month, number):
    return datetime.date(2026, month, number)


def decimals(figures: dict) -> dict:
    return {name: D(str(value)) for name, value in figures.items()}


@pytest.fixture
def world(make_user):
    sh, bj = WarehouseFactory(code="SH01", name="上海总仓"), WarehouseFactory(code="BJ01", name="北京仓")
    manager = make_user("management", username="manager")
    finance = make_user("finance", username="finance", full_name="Zhou Finance")
    sales = make_user("sales", username="seller", full_name="Wu Sales")
    water = ProductFactory(sku="SP1001", name="矿泉水")
    cola = ProductFactory(sku="SP1002", name="可乐")
    juice = ProductFactory(sku="SP1003", name="果汁")
    supplier = SupplierFactory()
    customer = CustomerFactory(credit_limit=None)

    free_receipt(manager, supplier, sh, [(water, "100", "10.00")], date=day(10, 28))
    free_receipt(manager, supplier, bj, [(cola, "40", "3.00")], date=day(11, 3))
    free_receipt(manager, supplier, sh, [(water, "50", "13.00")], date=day(11, 5))
    deliver_direct(user=manager, customer=customer, warehouse=sh, lines=[(water, "30", "20.00")], day=day(11, 10))
    deliver_direct(user=manager, customer=customer, warehouse=bj, lines=[(cola, "15", "5.00")], day=day(11, 12))
    free_receipt(manager, supplier, sh, [(juice, "8", "4.50")], date=day(11, 25))
    return {"finance": finance, "sales": sales, "manager": manager}


def run_the_morning_job():
    """The beat entry's task, sent by its name with ``today`` (inline in tests)."""
    import apps.reports.tasks  # noqa: F401 - registers the tasks
    from jxc.celery import app

    return app.tasks["reports.daily_stock_summary"].apply_async(kwargs={"today": TODAY}).get()


def test_finance_downloads_the_morning_report(new_page, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = run_the_morning_job()

    run = ReportRun.objects.get()
    assert result == {"run": run.pk, "status": "done", "rows": 2, "size": run.size, "pruned": 0}
    assert (run.report, run.trigger, run.status, run.key) == (
        "stock_summary",
        RunTrigger.SCHEDULED,
        RunStatus.DONE,
        "stock_summary:daily:2026-11-20",
    )
    assert run.parameters == {"date_from": "2026-11-01", "date_to": "2026-11-20"}
    assert decimals(run.totals) == decimals(TOTALS)
    # Told: those who read the whole business's stock with costs (finance, management), not sales.
    told = Notification.objects.filter(kind=NotificationKind.REPORT_READY)
    assert sorted(told.values_list("user__username", flat=True)) == ["finance", "manager"]
    assert run_the_morning_job()["run"] == run.pk and ReportRun.objects.count() == 1  # twice: one file

    page = new_page(locale="en")
    log_in(page, "finance")
    bell = page.locator("#notification-bell")
    bell.locator("[data-unread]").wait_for()
    assert bell.locator("[data-unread]").inner_text().strip() == "1"
    assert bell.get_attribute("aria-label") == "Notifications: 1 unread"

    bell.click()
    page.wait_for_url("**/notifications/")
    message = page.locator("table.notifications tr.unread")
    assert message.count() == 1
    assert "Report ready: Stock summary, 2026-11-01 – 2026-11-20" in message.inner_text()
    assert "2 rows" in message.inner_text()
    message.get_by_role("link", name="Report ready", exact=False).click()
    page.wait_for_url("**/reports/runs/")
    assert page.locator('nav.sidebar a[href="/reports/runs/"]').inner_text().strip() == "Report files"

    rows = page.locator("table.report-runs tbody tr")
    assert rows.count() == 1
    row = page.locator(f'tr[data-run="{run.pk}"]')
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    assert cells[:5] == ["Stock summary", "2026-11-01 – 2026-11-20", "Scheduled", "Done", "2"]
    assert cells[5] == f"{max(1, round(run.size / 1024))} KB"
    assert page.locator("nav.report-tabs").evaluate("tabs => getComputedStyle(tabs).display") == "flex"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-files-finance.png"), full_page=True)

    with page.expect_download() as caught:
        row.get_by_role("link", name="Download").click()
    download = caught.value
    assert download.suggested_filename == f"stock-summary-2026-11-20-{run.pk}.xlsx"
    saved = tmp_path / "downloaded.xlsx"
    download.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    header, *lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    column = {name: header.index(label) for name, label in HEADERS.items()}
    assert [line[column["sku"]] for line in lines] == ["SP1001", "SP1002", "Total"]
    for line in lines[:-1]:
        assert decimals({name: line[column[name]] for name in FIGURES}) == decimals(ROWS[line[column["sku"]]])
    in_file = decimals({name: lines[-1][column[name]] for name in FIGURES})
    assert in_file == decimals(TOTALS)
    assert (in_file["closing_qty"], in_file["closing_value"]) == (D(145), D("1395.00"))

    # The API, in the same browser session: the run's totals, and the live report's for the period.
    api_run = page.request.get(f"/api/v1/report-runs/{run.pk}/").json()
    assert (api_run["rows"], api_run["status"]) == (2, "done")
    assert decimals(api_run["totals"]) == in_file
    live = page.request.get("/api/v1/reports/stock-summary/?date_from=2026-11-01&date_to=2026-11-20").json()
    assert decimals({name: live["totals"][name] for name in FIGURES}) == in_file
    assert live["count"] == 2

    # A salesperson reads stock quantities but not costs: not this file.
    seller = new_page(locale="en")
    log_in(seller, "seller")
    seller.goto("/reports/runs/")
    assert seller.locator(f'tr[data-run="{run.pk}"]').count() == 0
    assert seller.locator("table.report-runs tbody").inner_text().strip() == "No report files yet."
    assert seller.locator("#notification-bell [data-unread]").count() == 0
    assert seller.request.get(f"/reports/runs/{run.pk}/download/").status == 404
    assert seller.request.get("/api/v1/report-runs/").json()["count"] == 0
