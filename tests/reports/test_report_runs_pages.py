"""The Report files page (/reports/runs/) and the "Save as file" button of the report pages.

The world is tests/reports/test_stock_summary.py's (hand-computed numbers). The morning stock
summary made on 2026-12-01 covers November over every warehouse, from nothing on 11-01:
- SP0001: in 100 + 50 + 5 + 20 + 10 = 185 / 1,000.00 + 650.00 + 55.00 + 220.00 + 200.00 =
  2,125.00; out 30 + 20 + 5 = 55 / 615.00; closing 130 / 1,510.00;
- SP0002: in 10 / 30.00, closing 10 / 30.00;
- SP0004: in 5 / 10.00 and out 5 / 10.00 (11-01, 11-02), listed with nothing left;
→ 3 rows; totals in 200 / 2,165.00, out 60 / 625.00, closing 140 / 1,540.00.
SH01 alone from 11-10 to 11-30 holds SP0001 only: closing 110 / 1,290.00 (1 row).
"""

import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from apps.reports.models import ReportRun, RunStatus, RunTrigger
from apps.reports.tasks import daily_stock_summary
from tests.reports.helpers import XLSX, D
from tests.reports.test_stock_summary import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

RUNS = "/reports/runs/"
NEW = "/reports/runs/new/"
SUMMARY = "/reports/stock-summary/"
MORNING_KEY = "stock_summary:daily:2026-11-30"
MORNING = "Stock summary, 2026-11-01 – 2026-11-30"
NOVEMBER = "2026-11-01 – 2026-11-30"  # the Parameters column: the description without the title


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def morning(world):  # noqa: F811 - the imported fixture
    """The scheduled stock summary made on the morning of 2026-12-01 (as beat runs it)."""
    daily_stock_summary(today="2026-12-01")
    return ReportRun.objects.get(key=MORNING_KEY)


class _Page(HTMLParser):
    """The rows of the runs table (cell texts and the links in them) and the hidden inputs of
    the "Save as file" form, read from the page's HTML."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self.run_forms: list[dict] = []
        self._in_body = self._in_cell = False
        self._row: dict | None = None
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = {"run": attrs.get("data-run"), "cells": [], "links": []}
        elif tag == "td" and self._row is not None:
            self._in_cell = True
            self._row["cells"].append("")
        elif tag == "a" and self._row is not None:
            self._row["links"].append(attrs.get("href"))
        elif tag == "div" and self._in_cell:
            self._row["cells"][-1] += " "  # a line of its own (a failed run's error)
        elif tag == "form" and attrs.get("action") == NEW:
            self._form = {}
        elif tag == "input" and self._form is not None and attrs.get("type") == "hidden":
            self._form[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "td":
            self._in_cell = False
        elif tag == "form" and self._form is not None:
            self.run_forms.append(self._form)
            self._form = None

    def handle_data(self, data):
        if self._in_cell and self._row is not None:
            self._row["cells"][-1] += data


def read_page(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    for row in page.rows:
        row["cells"] = [" ".join(cell.split()) for cell in row["cells"]]
    return page


def listed(response) -> dict[int, dict]:
    """The runs on the page by id: their cells (Report, Parameters, Made, Status, Rows, Size,
    Run time, Created at, File) and links."""
    return {int(row["run"]): row for row in read_page(response).rows if row["run"]}


def downloaded(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return b"".join(response.streaming_content)


def totals_row(content: bytes) -> dict:
    """The number of product rows of the file and its last row (the totals) by column header."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, last = rows[0], rows[-1]
    totals = dict(zip(header, last, strict=True))
    assert totals["SKU"] == "Total"
    return {"rows": len(rows) - 2, **totals}


def figures(totals: dict, *names: str) -> list[Decimal]:
    return [D(str(totals[name])) for name in names]


CLOSING = ("Closing quantity", "Closing value")


def menu_labels(response) -> list[str]:
    nav = re.search(r'<nav class="sidebar".*?</nav>', response.text, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- the list and the download ------------------------------------------------------------------


def test_finance_sees_the_morning_stock_summary_with_its_rows_size_and_download(client_as, morning):
    client = client_as("finance")

    response = client.get(RUNS)

    assert response.status_code == 200
    assert morning.status == RunStatus.DONE and morning.rows == 3 and morning.size > 0
    row = listed(response)[morning.pk]
    report, parameters, made, status, rows, size, run_time, created, file = row["cells"]
    assert (report, parameters, made, status, rows) == ("Stock summary", NOVEMBER, "Scheduled", "Done", "3")
    assert size == f"{max(1, round(morning.size / 1024))} KB"
    assert re.fullmatch(r"\d+\.\d s", run_time)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", created)
    assert file == "Download"
    assert row["links"] == [f"/reports/runs/{morning.pk}/download/"]


def test_the_download_is_the_file_of_the_run_with_the_hand_computed_totals(client_as, morning):
    response = client_as("finance").get(f"/reports/runs/{morning.pk}/download/")

    content = downloaded(response)
    with morning.file.open("rb") as stored:
        assert content == stored.read()
    assert f'filename="stock-summary-2026-11-30-{morning.pk}.xlsx"' in response["Content-Disposition"]
    totals = totals_row(content)
    assert totals["rows"] == 3
    names = ("Opening quantity", "Opening value", "Quantity in", "Value in", "Quantity out", "Value out", *CLOSING)
    assert figures(totals, *names) == [D(0), D(0), D(200), D("2165.00"), D(60), D("625.00"), D(140), D("1540.00")]
    assert {name: D(value) for name, value in morning.totals.items()} == {
        "opening_qty": D(0),
        "opening_value": D(0),
        "in_qty": D(200),
        "in_value": D("2165.00"),
        "out_qty": D(60),
        "out_value": D("625.00"),
        "closing_qty": D(140),
        "closing_value": D("1540.00"),
    }


def test_sales_does_not_see_the_morning_file_nor_download_it(client_as, morning):
    client = client_as("sales")

    response = client.get(RUNS)

    assert response.status_code == 200
    assert listed(response) == {}
    assert "No report files yet." in response.text
    assert client.get(f"/reports/runs/{morning.pk}/download/").status_code == 404


def test_the_list_shows_each_user_the_scheduled_files_and_their_own_runs(client_as, make_user, morning):
    client = client_as("finance")
    me, colleague = client.user, make_user("finance", full_name="李会计")
    mine = [
        ReportRun.objects.create(
            report="sales",
            parameters={"date_from": "2026-11-01", "date_to": "2026-11-30", "group_by": "product"},
            description="Sales report, 2026-11-01 – 2026-11-30",
            trigger=RunTrigger.ON_DEMAND,
            requested_by=me,
            status=RunStatus.QUEUED,
        ),
        ReportRun.objects.create(
            report="purchases",
            parameters={"date_from": "2026-11-01", "date_to": "2026-11-30", "group_by": "supplier"},
            description="Purchases report, 2026-11-01 – 2026-11-30, Group by: Supplier",
            trigger=RunTrigger.ON_DEMAND,
            requested_by=me,
            status=RunStatus.FAILED,
            error="OSError: [Errno 28] No space left on device",
        ),
    ]
    theirs = ReportRun.objects.create(
        report="stock_summary", description="Stock summary", trigger=RunTrigger.ON_DEMAND, requested_by=colleague
    )

    response = client.get(RUNS)

    rows = listed(response)
    assert list(rows) == [mine[1].pk, mine[0].pk, morning.pk]  # newest first; not the colleague's
    assert theirs.pk not in rows
    failed, queued = rows[mine[1].pk]["cells"], rows[mine[0].pk]["cells"]
    assert failed[:4] == [
        "Purchases report",
        "2026-11-01 – 2026-11-30, Group by: Supplier",
        me.full_name,
        "Failed OSError: [Errno 28] No space left on device",
    ]
    assert failed[4:7] == ["", "", ""] and failed[8] == "" and rows[mine[1].pk]["links"] == []
    assert queued[:4] == ["Sales report", NOVEMBER, me.full_name, "Queued"]
    assert rows[morning.pk]["cells"][2] == "Scheduled"
    # ?report= narrows the list to one report.
    assert list(listed(client.get(RUNS, {"report": "sales"}))) == [mine[0].pk]
    assert list(listed(client.get(RUNS, {"report": "stock_summary"}))) == [morning.pk]


def test_the_numbers_are_right_aligned_and_the_report_links_are_in_the_page_head(client_as, morning):
    response = client_as("finance").get(RUNS)

    html = response.text
    assert re.findall(r'<th class="num">([^<]+)</th>', html) == ["Rows", "Size", "Run time"]
    assert len(re.findall(r'<td class="num">', html)) == 3
    head = re.search(r'<div class="page-head">.*?</div>\s*</div>', html, re.S).group(0)
    assert re.findall(r'<a class="btn" href="([^"]+)">([^<]+)</a>', head) == [
        ("/reports/stock-summary/", "Stock summary"),
        ("/reports/sales/", "Sales report"),
        ("/reports/purchases/", "Purchases report"),
    ]


# --- "Save as file" -----------------------------------------------------------------------------


def test_save_as_file_carries_the_page_filters_and_writes_the_run(
    client_as,
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = client_as("finance")
    sh = world["sh"]
    page = client.get(SUMMARY, {"date_from": "2026-11-10", "date_to": "2026-11-30", "warehouse": sh.pk})
    forms = read_page(page).run_forms
    assert len(forms) == 1
    form = forms[0]
    assert form.pop("csrfmiddlewaretoken")
    assert form == {
        "report": "stock_summary",
        "next": f"{SUMMARY}?date_from=2026-11-10&date_to=2026-11-30&warehouse={sh.pk}",
        "date_from": "2026-11-10",
        "date_to": "2026-11-30",
        "warehouse": str(sh.pk),
    }
    assert "Save as file" in page.text

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(NEW, form)

    assert response.status_code == 302 and response["Location"] == RUNS
    assert len(callbacks) == 1  # the task, queued when the request's transaction commits
    run = ReportRun.objects.get()
    assert run.report == "stock_summary" and run.trigger == RunTrigger.ON_DEMAND
    assert run.requested_by == client.user and run.key is None
    assert run.parameters == {"date_from": "2026-11-10", "date_to": "2026-11-30", "warehouse": str(sh.pk)}
    assert run.status == RunStatus.DONE and run.rows == 1
    assert run.description == f"Stock summary, 2026-11-10 – 2026-11-30, Warehouse: {sh}"
    assert D(run.totals["closing_qty"]) == D(110) and D(run.totals["closing_value"]) == D("1290.00")

    listing = client.get(response["Location"])
    # The view answered before the commit ran the task, as with a worker.
    assert messages_of(listing) == ["The report is being written. You will be notified when it is ready."]
    row = listed(listing)[run.pk]
    parameters = f"2026-11-10 – 2026-11-30, Warehouse: {sh}"
    assert row["cells"][:5] == ["Stock summary", parameters, client.user.full_name, "Done", "1"]
    totals = totals_row(downloaded(client.get(row["links"][0])))
    assert totals["rows"] == 1
    assert figures(totals, *CLOSING) == [D(110), D("1290.00")]


@pytest.mark.django_db(transaction=True)
def test_save_as_file_without_a_worker_says_the_file_is_ready(client_as, world):  # noqa: F811
    """Committed at once (no test transaction around the request): the inline task has written
    the file before the view answers."""
    client = client_as("finance")

    response = client.post(NEW, {"report": "stock_summary", "date_from": "2026-11-01", "date_to": "2026-11-30"})

    assert response.status_code == 302 and response["Location"] == RUNS
    run = ReportRun.objects.get()
    assert (run.status, run.rows, run.requested_by) == (RunStatus.DONE, 3, client.user)
    assert D(run.totals["closing_qty"]) == D(140) and D(run.totals["closing_value"]) == D("1540.00")
    listing = client.get(RUNS)
    assert messages_of(listing) == [f"The file is ready: {MORNING}."]
    assert listed(listing)[run.pk]["cells"][4] == "3"


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"date_from": "2026-11-30", "date_to": "2026-11-10"}, "The end date is before the start date."),
        ({"date_from": "2026-11-31", "date_to": "2026-11-30"}, "Enter a valid date."),
    ],
)
def test_save_as_file_with_a_bad_date_goes_back_to_the_report_with_the_message(
    client_as, django_capture_on_commit_callbacks, dates, message
):
    client = client_as("finance")
    back = f"{SUMMARY}?date_from=2026-11-01&date_to=2026-11-30"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(NEW, {"report": "stock_summary", "next": back, **dates})

    assert response.status_code == 302 and response["Location"] == back
    assert ReportRun.objects.count() == 0 and callbacks == []
    assert messages_of(client.get(back)) == [message]


def test_save_as_file_goes_back_to_the_report_page_when_next_is_elsewhere(client_as):
    client = client_as("finance")

    response = client.post(NEW, {"report": "stock_summary", "date_to": "2026-02-30", "next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == SUMMARY
    assert ReportRun.objects.count() == 0


def test_save_as_file_of_an_unknown_report_is_404(client_as):
    response = client_as("finance").post(NEW, {"report": "gross_profit", "date_from": "2026-11-01"})

    assert response.status_code == 404
    assert ReportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "report"),
    [("/reports/sales/", "sales"), ("/reports/purchases/", "purchases"), ("/reports/gross-profit/", None)],
)
def test_the_sales_and_purchases_pages_have_the_button_and_gross_profit_not(client_as, url, report):
    response = client_as("finance").get(url, {"date_from": "2026-11-01", "date_to": "2026-11-30"})

    assert response.status_code == 200
    forms = read_page(response).run_forms
    if report is None:
        assert forms == [] and "Save as file" not in response.text
    else:
        assert [(form["report"], form["date_from"], form["date_to"]) for form in forms] == [
            (report, "2026-11-01", "2026-11-30")
        ]


# --- who gets in --------------------------------------------------------------------------------


def test_it_admin_is_refused_and_anonymous_sent_to_log_in(client_as, morning):
    assert client_as("it_admin").get(RUNS).status_code == 403
    assert client_as("it_admin").get(f"/reports/runs/{morning.pk}/download/").status_code == 404

    for url in (RUNS, f"/reports/runs/{morning.pk}/download/"):
        response = client_as(None).get(url)
        assert response.status_code == 302 and response["Location"] == f"/login/?next={url}"
    response = client_as(None).post(NEW, {"report": "stock_summary"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert ReportRun.objects.count() == 1


@pytest.mark.parametrize(("department", "shown"), [("finance", True), ("it_admin", False)])
def test_the_menu_shows_report_files_to_those_who_read_reports(client_as, department, shown):
    assert ("Report files" in menu_labels(client_as(department).get("/"))) is shown


def test_the_page_in_chinese_renders(client_as, morning):
    client = client_as("finance")
    client.cookies["django_language"] = "zh-hans"

    response = client.get(RUNS)

    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.text
    row = listed(response)[morning.pk]
    assert row["cells"][1] == NOVEMBER and row["cells"][4] == "3"
    assert row["links"] == [f"/reports/runs/{morning.pk}/download/"]
    accept = client_as("finance").get(RUNS, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert accept.status_code == 200 and '<html lang="zh-hans"' in accept.text


# --- refreshing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "refreshes"),
    [(RunStatus.QUEUED, True), (RunStatus.RUNNING, True), (RunStatus.DONE, False), (RunStatus.FAILED, False)],
)
def test_the_list_refreshes_itself_only_while_a_run_is_being_written(client_as, status, refreshes):
    client = client_as("finance")
    ReportRun.objects.create(
        report="stock_summary", trigger=RunTrigger.ON_DEMAND, requested_by=client.user, status=status
    )

    html = client.get(RUNS).text

    assert ('<meta http-equiv="refresh" content="5">' in html) is refreshes
