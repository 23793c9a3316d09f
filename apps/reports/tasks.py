"""Celery tasks of the report runs: thin wrappers around ``apps.reports.runs``.

``reports.run`` writes an on-demand run (queued on commit by ``report_run_request``); the three
scheduled tasks make the morning stock summary and the weekly sales and purchases reports
(schedules: migration 0002, editable in the admin). Each is idempotent: a run is claimed once,
and a scheduled run has a key per period, so running a job twice writes one file.
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from apps.notifications.tasks import JOB_OPTIONS

from . import runs

LIMITS = {"soft_time_limit": runs.STALE_RUN_SECONDS - 5 * 60, "time_limit": runs.STALE_RUN_SECONDS}


def _summary(run) -> dict:
    return {"run": run.pk, "status": run.status, "rows": run.rows, "size": run.size}


@shared_task(name="reports.run", acks_late=True, **LIMITS)
def run_report(run_id: int) -> dict:
    """Write a queued on-demand run (a run that is not queued is left alone)."""
    try:
        return _summary(runs.report_run_execute(run_id=run_id))
    except SoftTimeLimitExceeded:
        runs.report_run_fail(run_id=run_id, message=_("The report took too long and was stopped."))
        raise


def _scheduled(task: str, today: str | None):
    import datetime

    day = datetime.date.fromisoformat(today) if today else None
    try:
        run = runs.report_run_scheduled(task=task, today=day)
    except SoftTimeLimitExceeded:
        runs.report_runs_fail_running(message=_("The report took too long and was stopped."))
        raise
    return _summary(run)


@shared_task(name="reports.daily_stock_summary", **LIMITS, **JOB_OPTIONS)
def daily_stock_summary(today: str | None = None) -> dict:
    """Each morning: 进销存汇总 from the 1st of the month to yesterday, every warehouse; also
    deletes report files older than JXC_REPORT_KEEP_DAYS."""
    result = _scheduled("reports.daily_stock_summary", today)
    result["pruned"] = runs.report_runs_prune()
    return result


@shared_task(name="reports.weekly_sales", **LIMITS, **JOB_OPTIONS)
def weekly_sales(today: str | None = None) -> dict:
    """Each Monday: last week's sales by product."""
    return _scheduled("reports.weekly_sales", today)


@shared_task(name="reports.weekly_purchases", **LIMITS, **JOB_OPTIONS)
def weekly_purchases(today: str | None = None) -> dict:
    """Each Monday: last week's purchases by supplier."""
    return _scheduled("reports.weekly_purchases", today)
