"""The jobs as Celery tasks: names, time limits, retries of transient failures, and the default
schedules the migration creates."""

import importlib
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from apps.core.schedules import ensure_periodic_tasks
from apps.inventory.tasks import stock_alerts
from apps.notifications import tasks
from apps.notifications.services import notify_stock_alerts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("task", "name", "soft", "hard"),
    [
        (stock_alerts, "inventory.stock_alerts", 600, 720),
        (tasks.overdue_receivables, "finance.overdue_receivables", 300, 360),
        (tasks.nightly_checks, "core.nightly_checks", 1800, 2100),
    ],
)
def test_each_job_has_limits_and_retries(task, name, soft, hard):
    assert task.name == name
    assert (task.soft_time_limit, task.time_limit) == (soft, hard)
    assert OperationalError in task.autoretry_for
    assert task.max_retries == 5 and task.retry_backoff == 2


def test_a_transient_failure_is_retried(make_user):
    make_user("purchasing")
    calls = []
    real = notify_stock_alerts

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    with mock.patch("apps.inventory.tasks.notify_stock_alerts", flaky):
        # inline, Celery re-applies a retried task at once (no backoff wait) when not propagating
        result = stock_alerts.apply(throw=False).get(timeout=5)
    assert len(calls) == 2
    assert result == {"alerts": 0, "notified": 0, "resolved": 0}


def test_a_business_error_is_not_retried():
    with (
        mock.patch("apps.inventory.tasks.notify_stock_alerts", side_effect=ValueError("bug")) as job,
        pytest.raises(ValueError),
    ):
        stock_alerts.delay()
    assert job.call_count == 1


def test_the_migration_creates_the_default_schedules_once():
    migration = importlib.import_module("apps.notifications.migrations.0002_periodic_tasks")
    names = [name for name, _task, _schedule in migration.TASKS]
    PeriodicTask.objects.filter(name__in=names).delete()
    ensure_periodic_tasks(django_apps, migration.TASKS)
    ensure_periodic_tasks(django_apps, migration.TASKS)  # again: nothing new
    rows = {t.task: t for t in PeriodicTask.objects.filter(name__in=names).select_related("interval", "crontab")}
    assert len(rows) == 3 and PeriodicTask.objects.filter(name__in=names).count() == 3
    hourly = rows["inventory.stock_alerts"].interval
    assert (hourly.every, hourly.period) == (1, "hours")
    daily = rows["finance.overdue_receivables"].crontab
    assert (daily.minute, daily.hour, daily.day_of_week) == ("0", "8", "*")
    nightly = rows["core.nightly_checks"].crontab
    assert (nightly.minute, nightly.hour) == ("0", "2")
    assert all(t.enabled for t in rows.values())
