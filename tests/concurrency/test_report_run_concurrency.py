"""The morning job delivered twice at once (two workers, real PostgreSQL transactions): one run,
one file, one "report ready" per reader. And a run whose worker died while writing it is
written again by the next delivery of the job."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.notifications.models import Notification
from apps.reports import runs
from apps.reports.models import ReportRun
from tests.factories import ProductFactory, UserFactory, WarehouseFactory
from tests.inventory.ledger_helpers import post

from .test_purchase_concurrency import run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

TASK = "reports.daily_stock_summary"
DEC_1 = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")


@pytest.fixture
def stock():
    manager = UserFactory(departments=["management"])
    finance = UserFactory(departments=["finance"])
    warehouse = WarehouseFactory(code="SH01")
    for n in range(5):
        post(manager, (ProductFactory(sku=f"RC-{n}"), warehouse, 10 + n, 2), date=datetime.date(2026, 11, 3))
    return manager, finance


def _files(root) -> list:
    return sorted(path.name for path in root.rglob("*.xlsx"))


def test_two_deliveries_of_the_job_write_one_file(stock, settings):
    manager, finance = stock
    results = run_threads(lambda _index: runs.report_run_scheduled(task=TASK, today=DEC_1), 4)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({run.pk for run in results}) == 1
    run = ReportRun.objects.get()
    assert (run.status, run.rows, run.totals["closing_qty"]) == ("done", 5, "60.0000")  # 10+11+12+13+14
    assert _files(settings.MEDIA_ROOT) == [run.file_name]
    for reader in (manager, finance):
        assert Notification.objects.filter(user=reader, kind="report_ready").count() == 1


def test_a_run_left_running_by_a_dead_worker_is_written_again(stock, settings):
    run = runs.report_run_scheduled(task=TASK, today=DEC_1)
    first_file = run.file_name
    # the worker died while writing: the row says running, since longer than the hard time limit
    lost = timezone.now() - datetime.timedelta(seconds=runs.STALE_RUN_SECONDS + 60)
    ReportRun.objects.filter(pk=run.pk).update(status="running", started_at=lost)

    again = runs.report_run_scheduled(task=TASK, today=DEC_1)

    assert again.pk == run.pk and again.status == "done"
    assert Decimal(again.totals["closing_value"]) == Decimal("120.00")  # 60 × 2.00
    assert ReportRun.objects.count() == 1
    assert again.file_name != first_file or again.started_at > lost


def test_a_run_still_running_recently_is_left_alone(stock):
    run = runs.report_run_scheduled(task=TASK, today=DEC_1)
    ReportRun.objects.filter(pk=run.pk).update(status="running", started_at=timezone.now())

    again = runs.report_run_scheduled(task=TASK, today=DEC_1)

    assert again.status == "running"
