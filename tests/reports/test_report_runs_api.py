"""``/api/v1/report-runs/``: asking for a report file (201 when it ran at once, 202 while
queued), downloading it (the .xlsx with the report's totals row; 409 ``invalid_state`` until it
is done), refusing bad input per field without creating a run, who sees which runs, the
filters, the runnable reports per department, and a list whose queries do not grow.

The stock world is the one of tests/reports/test_stock_summary.py: over 2026-11-01 … 11-30 the
stock summary has SP0001, SP0002 and SP0004, totals in 200 / 2,165.00, out 60 / 625.00,
closing 140 / 1,540.00."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.reports import runs
from apps.reports.models import ReportRun, RunStatus, RunTrigger
from apps.reports.stock import SUMMARY_FIGURES
from tests.reports.helpers import XLSX, D
from tests.reports.test_stock_summary import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/report-runs/"
REPORTS = "/api/v1/report-runs/reports/"
STOCK = "/api/v1/reports/stock-summary/"
NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
STOCK_FIGURES = list(SUMMARY_FIGURES)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(run, action=""):
    return f"{RUNS}{run.pk}/{action + '/' if action else ''}"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def sheet(response):
    """(header, rows) of a downloaded .xlsx."""
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    return rows[0], rows[1:]


def decimals(totals):
    return {name: D(str(value)) for name, value in totals.items()}


def check_the_stock_summary_file(client, run_data):
    """The run's totals equal the report API's; its download holds them as the last row."""
    report = client.get(STOCK, NOVEMBER).json()
    assert run_data["status"] == "done" and run_data["error"] == ""
    assert run_data["rows"] == report["count"] == 3
    assert decimals(run_data["totals"]) == decimals(report["totals"])
    assert decimals(run_data["totals"])["closing_value"] == D("1540.00")
    assert run_data["parameters"] == NOVEMBER
    assert run_data["download_url"] == f"{RUNS}{run_data['id']}/download/"

    response = client.get(run_data["download_url"])

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{run_data["file_name"]}"'
    assert run_data["file_name"] == f"stock-summary-2026-11-30-{run_data['id']}.xlsx"
    body = b"".join(response.streaming_content)
    assert len(body) == run_data["size"] > 0
    workbook = load_workbook(io.BytesIO(body))
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    header, data = rows[0], rows[1:]
    assert [row[1] for row in data] == ["SP0001", "SP0002", "SP0004", "Total"]
    total = {name: D(str(data[-1][header.index(label)])) for name, label in zip(STOCK_FIGURES, header[5:], strict=True)}
    assert total == decimals(report["totals"])


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_run_is_written_at_once_201(world, api_as):  # noqa: F811
    """Outside a transaction (as in production without Redis) the queued run starts on commit,
    inline, before the answer: 201 with the finished run."""
    client = api_as("finance")

    response = client.post(RUNS, {"report": "stock_summary", "parameters": NOVEMBER}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["report"], data["trigger"], data["requested_by"]) == ("stock_summary", "on_demand", client.user.pk)
    assert data["description"] == "Stock summary, 2026-11-01 – 2026-11-30"
    assert data["run_seconds"] is not None and data["run_seconds"] >= 0
    check_the_stock_summary_file(client, data)
    assert ReportRun.objects.count() == 1


def test_asking_for_a_run_queues_it_202_and_it_is_written_on_commit(
    world,  # noqa: F811
    api_as,
    django_capture_on_commit_callbacks,
):
    client = api_as("finance")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(RUNS, {"report": "stock_summary", "parameters": NOVEMBER}, format="json")
        assert response.status_code == 202, response.content
        queued = response.json()
        assert (queued["status"], queued["download_url"], queued["rows"], queued["size"]) == ("queued", None, 0, 0)
        assert client.get(url(ReportRun.objects.get())).json()["status"] == "queued"

    assert len(callbacks) == 1
    data = client.get(f"{RUNS}{queued['id']}/").json()
    check_the_stock_summary_file(client, data)
    assert data["file_name"] and data["size"] > 0 and data["run_seconds"] >= 0


def test_a_queued_run_cannot_be_downloaded_yet_409(world, api_as):  # noqa: F811
    client = api_as("finance")
    response = client.post(RUNS, {"report": "stock_summary", "parameters": NOVEMBER}, format="json")
    run = ReportRun.objects.get(pk=response.json()["id"])

    refused = client.get(url(run, "download"))

    assert refused.status_code == 409
    assert refused.json() == {"code": "invalid_state", "detail": "This report file is not ready: Queued."}
    assert run.status == RunStatus.QUEUED and not run.file


def test_a_failed_run_cannot_be_downloaded_409(api_as):
    client = api_as("finance")
    run = ReportRun.objects.create(
        report="stock_summary", trigger=RunTrigger.ON_DEMAND, requested_by=client.user, status=RunStatus.FAILED
    )

    refused = client.get(url(run, "download"))

    assert refused.status_code == 409 and refused.json()["code"] == "invalid_state"


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"report": "gross_profit", "parameters": {}}, {"report"}),
        ({"parameters": NOVEMBER}, {"report"}),
        ({"report": "stock_summary", "parameters": ["2026-11-01"]}, {"parameters"}),
        ({"report": "stock_summary", "parameters": "date_from=2026-11-01"}, {"parameters"}),
        ({"report": "stock_summary", "parameters": {"date_from": {"year": 2026}}}, {"parameters"}),
        ({"report": "stock_summary", "parameters": {"date_from": "2026-13-01"}}, {"parameters": ["date_from"]}),
        ({"report": "stock_summary", "parameters": {"date_to": "yesterday"}}, {"parameters": ["date_to"]}),
        (
            {"report": "stock_summary", "parameters": {"date_from": "2026-11-30", "date_to": "2026-11-01"}},
            {"parameters": ["date_to"]},
        ),
        ({"report": "stock_summary", "parameters": {"category": "999999"}}, {"parameters": ["category"]}),
        ({"report": "stock_summary", "parameters": {"search": "x" * 101}}, {"parameters": ["search"]}),
        ({"report": "sales", "parameters": {"group_by": "supplier"}}, {"parameters": ["group_by"]}),
        ({"report": "purchases", "parameters": {"group_by": "customer"}}, {"parameters": ["group_by"]}),
        ({"report": "purchases", "parameters": {"supplier": "abc"}}, {"parameters": ["supplier"]}),
    ],
)
def test_bad_input_is_a_400_on_the_field_and_creates_nothing(api_as, body, errors):
    response = api_as("management").post(RUNS, body, format="json")

    assert response.status_code == 400, response.content
    data = response.json()
    if isinstance(errors, set):
        assert set(data) == errors and data[next(iter(errors))]
    else:
        assert list(data) == ["parameters"]
        assert list(data["parameters"]) == errors["parameters"]
        assert data["parameters"][errors["parameters"][0]][0]
    assert ReportRun.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400(api_as):
    response = api_as("finance").post(RUNS, "{not json", content_type="application/json")

    assert response.status_code == 400 and list(response.json()) == ["non_field_errors"]
    assert ReportRun.objects.count() == 0


@pytest.mark.parametrize("report", ["stock_summary", "purchases"])
def test_a_clerk_may_not_ask_for_a_warehouse_they_do_not_read(world, api_as, report):  # noqa: F811
    client = api_as("warehouse", warehouses=[world["sh"]])

    refused = client.post(RUNS, {"report": report, "parameters": {"warehouse": world["bj"].pk}}, format="json")
    own = client.post(RUNS, {"report": report, "parameters": {"warehouse": world["sh"].pk}}, format="json")

    assert refused.status_code == 400
    assert list(refused.json()["parameters"]) == ["warehouse"]
    assert own.status_code == 202 and own.json()["parameters"]["warehouse"] == str(world["sh"].pk)
    assert list(ReportRun.objects.values_list("pk", flat=True)) == [own.json()["id"]]


@pytest.mark.parametrize(
    "department, report",
    [
        ("it_admin", "stock_summary"),
        ("customer_service", "sales"),
        ("customer_service", "purchases"),
        ("sales", "purchases"),
    ],
)
def test_a_report_the_user_may_not_read_is_a_403_and_creates_nothing(api_as, department, report):
    response = api_as(department).post(RUNS, {"report": report, "parameters": {}}, format="json")

    assert response.status_code == 403
    assert "detail" in response.json()
    assert ReportRun.objects.count() == 0


def test_anonymous_is_a_401(api_as):
    client = api_as(None)
    run = ReportRun.objects.create(report="stock_summary", trigger=RunTrigger.SCHEDULED, status=RunStatus.DONE)

    responses = [
        client.post(RUNS, {"report": "stock_summary", "parameters": NOVEMBER}, format="json"),
        client.get(RUNS),
        client.get(url(run)),
        client.get(url(run, "download")),
        client.get(REPORTS),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert ReportRun.objects.count() == 1


# --- who sees which runs -------------------------------------------------------------------------


@pytest.fixture
def files(world, make_user, django_capture_on_commit_callbacks):  # noqa: F811
    """The morning stock summary, the weekly sales file, and on-demand runs of two finance users
    and a salesperson (all done)."""
    finance, colleague, seller = make_user("finance"), make_user("finance"), make_user("sales")
    morning = runs.report_run_scheduled(task="reports.daily_stock_summary", today=datetime.date(2026, 12, 1))
    weekly = runs.report_run_scheduled(task="reports.weekly_sales", today=datetime.date(2026, 11, 16))
    with django_capture_on_commit_callbacks(execute=True):
        own = runs.report_run_request(report="stock_summary", parameters=NOVEMBER, user=finance)
        theirs = runs.report_run_request(report="stock_summary", parameters=NOVEMBER, user=colleague)
        sold = runs.report_run_request(report="sales", parameters=NOVEMBER, user=seller)
    made = {"morning": morning, "weekly": weekly, "own": own, "theirs": theirs, "sold": sold}
    for run in made.values():
        run.refresh_from_db()
        assert run.status == RunStatus.DONE, run.error
    return {**made, "finance": finance, "colleague": colleague, "seller": seller}


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_shows_own_runs_and_the_scheduled_files_one_may_read(files, make_user):
    finance, seller = api_for(files["finance"]), api_for(files["seller"])
    buyer = api_for(make_user("purchasing"))

    assert ids(finance.get(RUNS)) == {files["morning"].pk, files["weekly"].pk, files["own"].pk}
    assert ids(seller.get(RUNS)) == {files["sold"].pk}  # no costs: not the morning stock summary
    assert ids(buyer.get(RUNS)) == {files["morning"].pk}  # not the sales file
    assert ids(api_for(make_user("it_admin")).get(RUNS)) == set()
    listed = finance.get(RUNS).json()
    assert listed["count"] == 3
    assert [row["id"] for row in listed["results"]] == [files["own"].pk, files["weekly"].pk, files["morning"].pk]
    morning = next(row for row in listed["results"] if row["id"] == files["morning"].pk)
    assert (morning["trigger"], morning["requested_by"], morning["report_label"]) == (
        "scheduled",
        None,
        "Stock summary",
    )
    assert morning["rows"] == 3 and D(morning["totals"]["closing_value"]) == D("1540.00")


def test_the_scheduled_file_downloads_for_its_readers_only(files):
    finance, seller = api_for(files["finance"]), api_for(files["seller"])

    header, rows = sheet(finance.get(url(files["morning"], "download")))

    assert [row[1] for row in rows] == ["SP0001", "SP0002", "SP0004", "Total"]
    assert D(str(rows[-1][header.index("Closing value")])) == D("1540.00")
    assert seller.get(url(files["morning"])).status_code == 404
    assert seller.get(url(files["morning"], "download")).status_code == 404


def test_another_users_run_is_a_404(files):
    finance = api_for(files["finance"])

    for run in (files["theirs"], files["sold"]):
        retrieved, downloaded = finance.get(url(run)), finance.get(url(run, "download"))
        assert (retrieved.status_code, downloaded.status_code) == (404, 404), run.pk
        assert "file_name" not in retrieved.json()
    mine = finance.get(url(files["own"]))
    assert mine.status_code == 200 and mine.json()["rows"] == 3


def test_an_own_run_of_a_report_no_longer_readable_does_not_download(api_as):
    """A run listed as one's own, of a report one may no longer read (department changed), is
    not handed out."""
    client = api_as("it_admin")
    run = ReportRun.objects.create(
        report="stock_summary", trigger=RunTrigger.ON_DEMAND, requested_by=client.user, status=RunStatus.DONE
    )

    assert ids(client.get(RUNS)) == {run.pk}
    assert client.get(url(run, "download")).status_code == 404


def test_the_filters_narrow_the_list(files):
    finance = api_for(files["finance"])
    failed = ReportRun.objects.create(
        report="sales", trigger=RunTrigger.ON_DEMAND, requested_by=files["finance"], status=RunStatus.FAILED
    )
    queued = ReportRun.objects.create(
        report="purchases", trigger=RunTrigger.ON_DEMAND, requested_by=files["finance"], status=RunStatus.QUEUED
    )
    morning, weekly, own = files["morning"].pk, files["weekly"].pk, files["own"].pk

    assert ids(finance.get(RUNS)) == {morning, weekly, own, failed.pk, queued.pk}
    assert ids(finance.get(RUNS, {"report": "stock_summary"})) == {morning, own}
    assert ids(finance.get(RUNS, {"report": "sales"})) == {weekly, failed.pk}
    assert ids(finance.get(RUNS, {"status": "done"})) == {morning, weekly, own}
    assert ids(finance.get(RUNS, {"status": "failed"})) == {failed.pk}
    assert ids(finance.get(RUNS, {"trigger": "scheduled"})) == {morning, weekly}
    assert ids(finance.get(RUNS, {"trigger": "on_demand"})) == {own, failed.pk, queued.pk}
    assert ids(finance.get(RUNS, {"report": "sales", "trigger": "scheduled", "status": "done"})) == {weekly}
    assert ids(finance.get(RUNS, {"report": "nothing"})) == set()


# --- runnable reports ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "department, reports",
    [
        ("finance", ["stock_summary", "sales", "purchases"]),
        ("management", ["stock_summary", "sales", "purchases"]),
        ("purchasing", ["stock_summary", "purchases"]),
        ("warehouse", ["stock_summary", "purchases"]),
        ("sales", ["stock_summary", "sales"]),
        ("customer_service", ["stock_summary"]),
        ("it_admin", []),
    ],
)
def test_the_runnable_reports_per_department(api_as, department, reports):
    response = api_as(department).get(REPORTS)

    assert response.status_code == 200
    assert [row["report"] for row in response.json()] == reports


def test_the_runnable_reports_name_their_parameters(api_as):
    data = {row["report"]: row for row in api_as("finance").get(REPORTS).json()}

    assert data["stock_summary"]["label"] == "Stock summary"
    assert data["stock_summary"]["parameters"] == ["date_from", "date_to", "warehouse", "category", "search"]
    assert data["sales"]["parameters"] == ["date_from", "date_to", "group_by", "warehouse", "customer"]
    assert data["purchases"]["parameters"] == ["date_from", "date_to", "group_by", "warehouse", "supplier"]


# --- queries -------------------------------------------------------------------------------------


def test_the_list_queries_do_not_grow_with_the_runs(api_as):
    client = api_as("finance")

    def make(count):
        for _ in range(count):
            ReportRun.objects.create(
                report="stock_summary", trigger=RunTrigger.ON_DEMAND, requested_by=client.user, status=RunStatus.DONE
            )
            ReportRun.objects.create(report="sales", trigger=RunTrigger.SCHEDULED, status=RunStatus.DONE)

    def count_queries(expected):
        fresh = api_for(User.objects.get(pk=client.user.pk))  # no permission cache from the last request
        with CaptureQueriesContext(connection) as queries:
            response = fresh.get(RUNS)
        assert response.json()["count"] == expected
        return len(queries)

    make(1)
    one = count_queries(2)
    make(19)
    twenty = count_queries(40)

    assert twenty == one <= 6, (one, twenty)
