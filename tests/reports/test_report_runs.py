"""Report runs (报表文件), the service and the tasks: the scheduled morning stock summary and the
weekly sales and purchases files against the report API's rows and totals, once per period
(a job run twice writes one file and tells each reader once), a failure recorded and re-run,
who is told, what an on-demand run of a salesperson holds, pruning, and the beat schedules.

The stock world is the one of tests/reports/test_stock_summary.py. Over 2026-11-01 … 11-30:
- SP0001: in 100 + 50 + 5 + 20 + 10 = 185 / 1,000.00 + 650.00 + 55.00 + 220.00 + 200.00 =
  2,125.00; out 30 + 20 + 5 = 55 / 615.00; closing 130 / 1,510.00.
- SP0002: in 10 / 30.00, closing 10 / 30.00. SP0004: in 5 / 10.00, out 5 / 10.00, closing 0.
- Totals: in 200 / 2,165.00, out 60 / 625.00, closing 140 / 1,540.00 (opening 0).
In the week 11-09 … 11-15: sold SP0001 30 @ 20.00 on 11-12, 5 back on 11-14 → 25, net 500.00,
VAT 65.00; received 50 @ 13.00 on 11-10 → net 650.00, VAT 84.50.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.core.schedules import ensure_periodic_tasks
from apps.notifications.models import Notification, NotificationKind
from apps.reports import runs, tasks
from apps.reports.models import ReportRun, RunStatus, RunTrigger
from apps.reports.stock import SUMMARY_FIGURES
from tests.reports.helpers import D
from tests.reports.sales_world import YEAR, sales_world
from tests.reports.test_stock_summary import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/reports/stock-summary/"
SALES = "/api/v1/reports/sales/"
PURCHASES = "/api/v1/reports/purchases/"
NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
WEEK = {"date_from": "2026-11-09", "date_to": "2026-11-15"}
STOCK_FIGURES = list(SUMMARY_FIGURES)
GROUPED_FIGURES = ["qty", "net_amount", "tax_amount", "amount"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def read_run(run):
    """(header, rows) of the run's file."""
    workbook = load_workbook(run.file.path, read_only=True)
    assert len(workbook.sheetnames) == 1
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows[0], rows[1:]


def cell(row, header, name):
    return D(str(row[header.index(name)]))


def files(media):
    return sorted(path.name for path in media.rglob("*.xlsx"))


def told(run=None):
    """{user id: notifications} of report_ready (about ``run`` when given)."""
    notes = Notification.objects.filter(kind=NotificationKind.REPORT_READY)
    if run is not None:
        notes = notes.filter(key=f"report:{run.pk}")
    result: dict[int, int] = {}
    for user_id in notes.values_list("user_id", flat=True):
        result[user_id] = result.get(user_id, 0) + 1
    return result


def on_demand(capture, *, report, parameters, user):
    with capture(execute=True):
        run = runs.report_run_request(report=report, parameters=parameters, user=user)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


# --- the morning stock summary -----------------------------------------------------------------


def test_the_morning_stock_summary_holds_the_api_rows_and_totals(world, make_user, media):  # noqa: F811
    finance = api_for(make_user("finance"))

    result = tasks.daily_stock_summary.delay(today="2026-12-01").get()

    run = ReportRun.objects.get()
    assert result == {"run": run.pk, "status": "done", "rows": 3, "size": run.size, "pruned": 0}
    assert (run.status, run.trigger, run.key, run.requested_by) == (
        "done",
        "scheduled",
        "stock_summary:daily:2026-11-30",
        None,
    )
    assert run.parameters == {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    assert run.description == "Stock summary, 2026-11-01 – 2026-11-30"
    assert run.file_name == f"stock-summary-2026-11-30-{run.pk}.xlsx" and run.error == ""
    data = finance.get(STOCK, NOVEMBER).json()
    header, rows = read_run(run)
    assert header == [
        "Product ID",
        "SKU",
        "Product",
        "Unit",
        "Category",
        "Opening quantity",
        "Opening value",
        "Quantity in",
        "Value in",
        "Quantity out",
        "Value out",
        "Closing quantity",
        "Closing value",
    ]
    body, total = rows[:-1], rows[-1]
    assert [row[1] for row in body] == [row["sku"] for row in data["rows"]] == ["SP0001", "SP0002", "SP0004"]
    for sheet_row, api_row in zip(body, data["rows"], strict=True):
        assert sheet_row[0] == api_row["product"] and sheet_row[2] == api_row["name"]
        for index, name in enumerate(STOCK_FIGURES, start=5):
            assert D(str(sheet_row[index])) == D(api_row[name]), (api_row["sku"], name)
    water = body[0]
    assert [D(str(value)) for value in water[5:]] == [
        D(0),
        D(0),
        D(185),
        D("2125.00"),
        D(55),
        D("615.00"),
        D(130),
        D("1510.00"),
    ]
    assert total[1] == "Total"
    assert {name: D(str(total[index])) for index, name in enumerate(STOCK_FIGURES, start=5)} == {
        name: D(value) for name, value in data["totals"].items()
    }
    assert {name: D(value) for name, value in run.totals.items()} == {
        name: D(value) for name, value in data["totals"].items()
    }
    assert (cell(total, header, "Quantity in"), cell(total, header, "Value in")) == (D(200), D("2165.00"))
    assert (cell(total, header, "Closing quantity"), cell(total, header, "Closing value")) == (D(140), D("1540.00"))
    assert run.rows == data["count"] == 3
    assert run.size == run.file.size == (media / run.file.name).stat().st_size > 0
    assert isinstance(run.run_seconds, float) and run.run_seconds >= 0
    assert run.started_at <= run.finished_at


def test_the_job_run_twice_writes_one_file_and_tells_each_reader_once(world, make_user, media):  # noqa: F811
    finance, buyer = make_user("finance"), make_user("purchasing")

    first = tasks.daily_stock_summary.delay(today="2026-12-01").get()
    again = tasks.daily_stock_summary.delay(today="2026-12-01").get()

    run = ReportRun.objects.get()
    assert again == first == {"run": run.pk, "status": "done", "rows": 3, "size": run.size, "pruned": 0}
    assert files(media) == [run.file_name]
    assert told(run)[finance.pk] == told(run)[buyer.pk] == 1
    assert set(told().values()) == {1}

    tasks.daily_stock_summary.apply(kwargs={"today": "2026-12-02"}).get()  # the next morning

    assert sorted(ReportRun.objects.values_list("key", flat=True)) == [
        "stock_summary:daily:2026-11-30",
        "stock_summary:daily:2026-12-01",
    ]
    second = ReportRun.objects.get(key="stock_summary:daily:2026-12-01")
    assert second.parameters == {"date_from": "2026-12-01", "date_to": "2026-12-01"}
    assert len(files(media)) == 2
    assert told()[finance.pk] == 2 and told(second)[finance.pk] == 1


def test_a_failed_scheduled_run_is_recorded_then_run_again_on_the_same_row(world, make_user, media, monkeypatch):  # noqa: F811
    finance = make_user("finance")
    real = runs.write_workbook
    calls = []

    def disk_full_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(runs, "write_workbook", disk_full_once)

    failed = tasks.daily_stock_summary.delay(today="2026-12-01").get()  # no exception escapes

    run = ReportRun.objects.get()
    assert failed["status"] == "failed" and failed["run"] == run.pk
    assert (run.status, run.error, run.rows, run.size, bool(run.file)) == ("failed", "OSError: disk full", 0, 0, False)
    assert run.finished_at is not None
    assert files(media) == [] and told() == {}

    rerun = tasks.daily_stock_summary.delay(today="2026-12-01").get()

    run.refresh_from_db()
    assert ReportRun.objects.count() == 1 and rerun["run"] == run.pk
    assert (run.status, run.error, run.rows) == ("done", "", 3)
    assert files(media) == [run.file_name]
    assert told(run)[finance.pk] == 1
    assert len(calls) == 2


@pytest.mark.parametrize(
    "schedule, today, period",
    [
        ("daily", datetime.date(2026, 12, 1), (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))),
        ("daily", datetime.date(2026, 12, 15), (datetime.date(2026, 12, 1), datetime.date(2026, 12, 14))),
        ("daily", datetime.date(2026, 1, 1), (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))),
        ("weekly", datetime.date(2026, 11, 30), (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))),
        ("weekly", datetime.date(2026, 12, 2), (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))),
        ("weekly", datetime.date(2026, 12, 6), (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))),
    ],
)
def test_scheduled_period(schedule, today, period):
    assert runs.scheduled_period(schedule, today) == {"date_from": period[0], "date_to": period[1]}


def test_an_unknown_schedule_is_refused():
    with pytest.raises(ValueError):
        runs.scheduled_period("monthly", datetime.date(2026, 12, 1))


# --- the weekly files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "url", "group_by", "documents", "expected"),
    [
        (tasks.weekly_sales, SALES, "product", "Deliveries", ["25", "500.00", "65.00", "565.00"]),
        (tasks.weekly_purchases, PURCHASES, "supplier", "Receipts", ["50", "650.00", "84.50", "734.50"]),
    ],
    ids=["sales", "purchases"],
)
def test_a_weekly_file_totals_equal_its_report(world, make_user, task, url, group_by, documents, expected):  # noqa: F811
    data = api_for(make_user("finance")).get(url, {**WEEK, "group_by": group_by}).json()

    result = task.delay(today="2026-11-16").get()

    run = ReportRun.objects.get()
    assert result == {"run": run.pk, "status": "done", "rows": 1, "size": run.size}
    assert run.key == f"{run.report}:weekly:2026-11-15"
    assert run.parameters == {**WEEK, "group_by": group_by}
    header, rows = read_run(run)
    assert header == ["Key", "Name", "Quantity", "Net amount", "VAT", "Amount", documents]
    assert [row[1] for row in rows] == [row["label"] for row in data["rows"]] + ["Total"]
    total = rows[-1]
    assert {name: cell(total, header, label) for name, label in zip(GROUPED_FIGURES, header[2:6], strict=True)} == {
        name: D(data["totals"][name]) for name in GROUPED_FIGURES
    }
    assert total[header.index(documents)] == data["totals"][documents.lower()] == 1
    assert run.totals == data["totals"]
    assert [D(data["totals"][name]) for name in GROUPED_FIGURES] == [D(value) for value in expected]


# --- who is told, who reads what ------------------------------------------------------------------


def test_the_scheduled_stock_summary_is_told_to_its_readers_only(world, make_user):  # noqa: F811
    readers = [make_user("finance"), make_user("management"), make_user("purchasing")]
    others = [
        make_user("sales"),
        make_user("customer_service"),
        make_user("warehouse", warehouses=[world["sh"]]),
        make_user("it_admin"),
    ]

    run = runs.report_run_scheduled(task="reports.daily_stock_summary", today=datetime.date(2026, 12, 1))

    expected = set(
        User.objects.filter(groups__name__in=["finance", "management", "purchasing"]).values_list("pk", flat=True)
    )
    assert {user.pk for user in readers} < expected  # also the world's manager
    assert told(run) == dict.fromkeys(expected, 1)
    assert not {user.pk for user in others} & set(told(run))
    note = Notification.objects.get(key=f"report:{run.pk}", user=readers[0])
    assert note.title == "Report ready: Stock summary, 2026-11-01 – 2026-11-30"
    assert note.body.startswith("3 rows,") and note.url == reverse("reports:runs")
    assert [runs.may_download(user, run) for user in readers] == [True, True, True]
    assert [runs.may_download(user, run) for user in others] == [False, False, False, False]


def test_an_on_demand_run_is_told_to_its_requester_only(world, make_user, django_capture_on_commit_callbacks):  # noqa: F811
    finance, colleague = make_user("finance"), make_user("finance")

    run = on_demand(django_capture_on_commit_callbacks, report="stock_summary", parameters=NOVEMBER, user=finance)

    assert (run.trigger, run.requested_by, run.key) == (RunTrigger.ON_DEMAND, finance, None)
    assert told() == {finance.pk: 1}
    assert runs.may_download(finance, run) and not runs.may_download(colleague, run)


def test_a_salespersons_sales_file_holds_only_their_customers(make_user, django_capture_on_commit_callbacks):
    sales = sales_world(make_user)
    finance = make_user("finance")
    parameters = {**YEAR, "group_by": "customer"}

    own = on_demand(django_capture_on_commit_callbacks, report="sales", parameters=parameters, user=sales["wang"])
    everyone = on_demand(django_capture_on_commit_callbacks, report="sales", parameters=parameters, user=finance)

    header, rows = read_run(own)
    assert [row[:2] + [D(str(value)) for value in row[2:6]] for row in rows] == [
        [str(sales["kh1"].pk), "KH001 上海华联超市", D(12), D("960.00"), D("124.80"), D("1084.80")],
        [None, "Total", D(12), D("960.00"), D("124.80"), D("1084.80")],
    ]
    assert own.rows == 1 and own.totals == api_for(sales["wang"]).get(SALES, parameters).json()["totals"]
    _header, all_rows = read_run(everyone)
    assert [row[1] for row in all_rows] == ["KH001 上海华联超市", "KH002 苏州美家便利", "Total"]
    assert cell(all_rows[-1], header, "Amount") == D("1310.80")
    assert everyone.rows == 2 and everyone.totals["amount"] == "1310.80"
    assert runs.may_download(sales["wang"], own) and not runs.may_download(sales["li"], own)
    assert not runs.may_download(sales["wang"], everyone)


def test_a_salespersons_stock_summary_file_has_no_values(world, make_user, django_capture_on_commit_callbacks):  # noqa: F811
    period = {"date_from": "2026-11-10", "date_to": "2026-11-30"}

    quantities = on_demand(
        django_capture_on_commit_callbacks, report="stock_summary", parameters=period, user=make_user("sales")
    )
    values = on_demand(
        django_capture_on_commit_callbacks, report="stock_summary", parameters=period, user=make_user("finance")
    )

    header, rows = read_run(quantities)
    assert header == [
        "Product ID",
        "SKU",
        "Product",
        "Unit",
        "Category",
        "Opening quantity",
        "Quantity in",
        "Quantity out",
        "Closing quantity",
    ]
    assert [row[1] for row in rows] == ["SP0001", "SP0002", "Total"]
    assert [D(str(value)) for value in rows[-1][5:]] == [D(110), D(85), D(55), D(140)]
    assert set(quantities.totals) == {"opening_qty", "in_qty", "out_qty", "closing_qty"}
    finance_header, finance_rows = read_run(values)
    assert "Closing value" in finance_header and "Opening value" in finance_header
    assert cell(finance_rows[-1], finance_header, "Closing value") == D("1540.00")
    assert D(values.totals["closing_value"]) == D("1540.00")
    assert quantities.description == values.description == "Stock summary, 2026-11-10 – 2026-11-30"


def test_a_clerks_stock_summary_file_holds_only_their_warehouse(world, make_user, django_capture_on_commit_callbacks):  # noqa: F811
    clerk = make_user("warehouse", warehouses=[world["bj"]])
    period = {"date_from": "2026-11-10", "date_to": "2026-11-30"}
    data = api_for(clerk).get(STOCK, period).json()

    run = on_demand(django_capture_on_commit_callbacks, report="stock_summary", parameters=period, user=clerk)

    header, rows = read_run(run)
    assert [row[1] for row in rows] == [row["sku"] for row in data["rows"]] + ["Total"] == ["SP0001", "SP0002", "Total"]
    # BJ01 only: SP0001 20 / 220.00 transferred in, SP0002 10 / 30.00.
    assert (cell(rows[0], header, "Quantity in"), cell(rows[0], header, "Closing value")) == (D(20), D("220.00"))
    assert (cell(rows[-1], header, "Closing quantity"), cell(rows[-1], header, "Closing value")) == (D(30), D("250.00"))
    assert {name: D(value) for name, value in run.totals.items()} == {
        name: D(value) for name, value in data["totals"].items()
    }


# --- pruning ---------------------------------------------------------------------------------------


def make_run(status, *, days_ago, media_name=None):
    run = ReportRun.objects.create(report="stock_summary", trigger=RunTrigger.SCHEDULED, status=status)
    if media_name:
        run.file.save(media_name, ContentFile(b"xlsx bytes"), save=True)
    ReportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return run


def test_prune_deletes_finished_runs_older_than_keep_days_with_their_files(media):
    old_done = make_run(RunStatus.DONE, days_ago=100, media_name="old.xlsx")
    old_failed = make_run(RunStatus.FAILED, days_ago=100)
    old_queued = make_run(RunStatus.QUEUED, days_ago=100)
    old_running = make_run(RunStatus.RUNNING, days_ago=100)
    recent = make_run(RunStatus.DONE, days_ago=10, media_name="recent.xlsx")
    old_path = media / old_done.file.name
    assert old_path.exists()

    assert runs.report_runs_prune(keep_days=90) == 2

    assert set(ReportRun.objects.values_list("pk", flat=True)) == {old_queued.pk, old_running.pk, recent.pk}
    assert not old_path.exists() and (media / recent.file.name).exists()
    assert old_failed.pk not in set(ReportRun.objects.values_list("pk", flat=True))
    assert files(media) == ["recent.xlsx"]


def test_the_morning_job_prunes_with_the_keep_days_setting(settings, media):
    settings.JXC_REPORT_KEEP_DAYS = 5
    week_old = make_run(RunStatus.DONE, days_ago=7, media_name="week.xlsx")
    yesterday = make_run(RunStatus.DONE, days_ago=1, media_name="yesterday.xlsx")

    result = tasks.daily_stock_summary.delay(today="2026-12-01").get()

    assert result["pruned"] == 1 and result["rows"] == 0 and result["status"] == "done"
    assert not ReportRun.objects.filter(pk=week_old.pk).exists()
    assert ReportRun.objects.filter(pk=yesterday.pk).exists()
    assert "week.xlsx" not in files(media) and "yesterday.xlsx" in files(media)


# --- the beat schedules ----------------------------------------------------------------------------


def test_the_migration_schedules_the_three_report_jobs(settings):
    """A transactional test earlier in the session empties django_celery_beat's tables (they are
    not put back after a flush), so the migration's function runs again here, twice."""
    migration = importlib.import_module("apps.reports.migrations.0002_report_schedules")
    names = [name for name, _task, _schedule in migration.TASKS]
    PeriodicTask.objects.filter(name__in=names).delete()

    ensure_periodic_tasks(django_apps, migration.TASKS)
    ensure_periodic_tasks(django_apps, migration.TASKS)  # again: nothing new

    rows = {t.task: t for t in PeriodicTask.objects.filter(name__in=names).select_related("crontab")}
    assert sorted(rows) == ["reports.daily_stock_summary", "reports.weekly_purchases", "reports.weekly_sales"]
    assert PeriodicTask.objects.filter(name__in=names).count() == 3
    crontabs = {
        task: (c.minute, c.hour, c.day_of_week, c.day_of_month, c.month_of_year)
        for task, c in ((task, row.crontab) for task, row in rows.items())
    }
    assert crontabs == {
        "reports.daily_stock_summary": ("0", "6", "*", "*", "*"),
        "reports.weekly_sales": ("30", "6", "1", "*", "*"),
        "reports.weekly_purchases": ("30", "6", "1", "*", "*"),
    }
    assert all(row.enabled and row.interval is None and row.args == "[]" for row in rows.values())
    assert {str(row.crontab.timezone) for row in rows.values()} == {settings.TIME_ZONE}
