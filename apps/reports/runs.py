"""Report runs (报表文件): an Excel file of a report written in the background and kept for
download, with its parameters, status, size, rows and run time.

- ``RUNNABLE``: the reports that can be run this way (the stock summary 进销存汇总, the sales and
  the purchases reports), each with its parameter form (the one its page and API use), who may
  read it, and how its rows are written.
- On demand (``report_run_request``): a user asks for a report with the parameters of its
  page; the run reads what that user reads (their warehouses, their customers, costs only if
  they see costs) and only they download it. It is queued on commit; a worker writes it
  (without a broker the embedded default runs it at once) and they are told (``report_ready``).
- Scheduled (``report_run_scheduled``): the morning stock summary (month to date, up to
  yesterday) and the weekly sales and purchases reports (last Monday to Sunday) read every
  record; each has a key (``stock_summary:daily:2026-12-03``), so a job run twice writes one
  file. The file is for everyone who reads that report across the business (``may_read_all``:
  e.g. the stock summary's values need ``inventory.view_cost`` and every warehouse), and those
  users are told it is ready.

Files are written with openpyxl's write-only mode into a temporary file, row by row from the
report's selector (the stock summary streams from a server-side cursor), so memory stays flat
whatever the number of rows (measured in tests/reports/test_report_runs_memory.py and
bench/report_runs.py). Runs older than ``JXC_REPORT_KEEP_DAYS`` are pruned with their files.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from apps.accounts.models import User
from apps.accounts.selectors import reads_all_warehouses, sees_all_customers
from apps.core.api import sees_costs
from apps.core.errors import BusinessError
from apps.core.fields import ZERO
from apps.core.xlsx import XLSX_MEDIA_TYPE, columns_from_serializer, write_workbook
from apps.notifications.models import NotificationKind
from apps.notifications.services import Attachment, in_every_language, notify

from . import forms as report_forms
from . import stock as stock_reports
from .models import ReportRun, RunStatus, RunTrigger

log = logging.getLogger(__name__)


class EveryRecord:
    """The reader of a scheduled run: a job has no user, and its file covers the whole business
    (every warehouse and customer, with costs). Who may download the file is decided by the
    report's ``may_read_all``, not by this object."""

    pk = None
    id = None
    is_active = True
    is_authenticated = True
    is_anonymous = False
    is_superuser = True
    is_staff = False
    username = "scheduled"
    _jxc_departments: list[str] = []

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def has_perms(self, perms, obj=None) -> bool:
        return True


EVERY_RECORD = EveryRecord()


@dataclass(frozen=True)
class RunnableReport:
    """A report that can be written to a file: ``write(params, reader, path)`` writes the
    workbook and returns ``(rows, totals)``; ``may_read(user)`` whether ``user`` may run it for
    themselves (the report's API permission); ``may_read_all(user)`` whether they may also
    download its scheduled, whole-business file."""

    name: str
    title: str
    form_class: type[report_forms.ReportForm]
    may_read: Callable[[object], bool]
    may_read_all: Callable[[object], bool]
    write: Callable[[dict, object, str], tuple[int, dict]]
    page: str  # the URL name of the report's page


# --- writing ------------------------------------------------------------------------------------


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def _with_totals(rows: Iterable[dict], figures: Iterable[str], label_key: str, counter: dict) -> Iterator[dict]:
    """``rows``, then one row of the ``figures`` summed (``label_key`` says "Total"); counts the
    rows and keeps the sums in ``counter``."""
    figures = list(figures)
    totals = dict.fromkeys(figures, ZERO)
    count = 0
    for row in rows:
        count += 1
        for name in figures:
            totals[name] += row.get(name) or ZERO
        yield row
    counter.update(rows=count, totals={name: str(value) for name, value in totals.items()})
    if count:
        yield {**totals, label_key: _("Total")}


def _write_stock_summary(params: dict, reader, path: str) -> tuple[int, dict]:
    from .api import StockSummaryRowSerializer

    # The value columns are the reader's to see (the serializer decides on ``request.user``).
    columns = columns_from_serializer(StockSummaryRowSerializer(context={"request": SimpleNamespace(user=reader)}))
    figures = [
        name for name in stock_reports.SUMMARY_FIGURES if sees_costs(reader) or name not in stock_reports.VALUE_FIGURES
    ]
    counter: dict = {}
    rows = stock_reports.iter_stock_summary(user=reader, **params)  # the form's parameters are its own
    with open(path, "wb") as stream:
        write_workbook(_with_totals(rows, figures, "sku", counter), columns, title=_("Stock summary"), stream=stream)
    return counter["rows"], counter["totals"]


def _grouped_writer(selector_path: str, serializer_name: str, title) -> Callable[[dict, object, str], tuple[int, dict]]:
    def write(params: dict, reader, path: str) -> tuple[int, dict]:
        from django.utils.module_loading import import_string

        from . import api

        selector = import_string(selector_path)
        report = selector(user=reader, **params)
        columns = columns_from_serializer(getattr(api, serializer_name)())
        rows = list(report["rows"])
        excel = rows + ([{**report["totals"], "label": _("Total")}] if rows else [])
        with open(path, "wb") as stream:
            write_workbook(excel, columns, title=str(title), stream=stream)
        return len(rows), {name: _plain(value) for name, value in report["totals"].items()}

    return write


def _stock_readers(user) -> bool:
    return user.has_perm("inventory.view_stockbalance")


def _stock_readers_all(user) -> bool:
    return _stock_readers(user) and sees_costs(user) and reads_all_warehouses(user)


def _sales_readers(user) -> bool:
    return user.has_perm("sales.view_sales_report")


def _sales_readers_all(user) -> bool:
    return _sales_readers(user) and sees_all_customers(user) and reads_all_warehouses(user)


def _purchase_readers(user) -> bool:
    return user.has_perm("purchasing.view_purchasereceipt") or user.has_perm("purchasing.view_purchaseorder")


def _purchase_readers_all(user) -> bool:
    return _purchase_readers(user) and reads_all_warehouses(user)


RUNNABLE: dict[str, RunnableReport] = {
    report.name: report
    for report in (
        RunnableReport(
            name="stock_summary",
            title=gettext_lazy("Stock summary"),
            form_class=report_forms.StockSummaryForm,
            may_read=_stock_readers,
            may_read_all=_stock_readers_all,
            write=_write_stock_summary,
            page="reports:stock-summary",
        ),
        RunnableReport(
            name="sales",
            title=gettext_lazy("Sales report"),
            form_class=report_forms.SalesForm,
            may_read=_sales_readers,
            may_read_all=_sales_readers_all,
            write=_grouped_writer("apps.sales.reports.sales_report", "SalesRowSerializer", gettext_lazy("Sales")),
            page="reports:sales",
        ),
        RunnableReport(
            name="purchases",
            title=gettext_lazy("Purchases report"),
            form_class=report_forms.PurchasesForm,
            may_read=_purchase_readers,
            may_read_all=_purchase_readers_all,
            write=_grouped_writer(
                "apps.purchasing.reports.purchases_report", "PurchasesRowSerializer", gettext_lazy("Purchases")
            ),
            page="reports:purchases",
        ),
    )
}

REPORT_CHOICES = [(name, report.title) for name, report in RUNNABLE.items()]


def runnable_reports_for(user) -> list[RunnableReport]:
    """The reports ``user`` may run for themselves."""
    return [report for report in RUNNABLE.values() if report.may_read(user)]


# --- parameters ---------------------------------------------------------------------------------


def parameters_as_text(params: dict) -> dict[str, str]:
    """A report's cleaned parameters as the query text that gives them again (dates as ISO,
    records as their ids, booleans as true/false); empty ones are left out."""
    result = {}
    for name, value in params.items():
        if value in (None, ""):
            continue
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        result[name] = str(value)
    return result


def parameters_clean(report: RunnableReport, query: dict, reader) -> dict:
    """Validate ``query`` with the report's form as ``reader`` (a warehouse or customer outside
    what they read is invalid): the cleaned parameters with the defaults, or ValidationError
    with a message per parameter."""
    if not isinstance(query, dict):
        raise ValidationError({"parameters": [_("Expected an object of report parameters.")]})
    form = report.form_class({k: v for k, v in query.items() if isinstance(v, (str, int))}, user=reader)
    if not form.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
    return form.params()


def parameters_description(report: RunnableReport, params: dict) -> str:
    """What a run covers, for lists: "Stock summary, 2026-12-01 – 2026-12-03, SH01"."""
    form = report.form_class(user=EVERY_RECORD)
    parts = [str(report.title)]
    date_from, date_to = params.get("date_from"), params.get("date_to")
    if date_to:
        parts.append(f"{date_from.isoformat()} – {date_to.isoformat()}" if date_from else f"… – {date_to.isoformat()}")
    for name, value in params.items():
        if name in ("date_from", "date_to") or value in (None, "") or name not in form.fields:
            continue
        field = form.fields[name]
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(value, value)
        parts.append(pgettext("a report parameter", "%(label)s: %(value)s") % {"label": field.label, "value": value})
    return ", ".join(str(part) for part in parts)[:200]


def _descriptions(report: RunnableReport, params: dict) -> dict[str, str]:
    return {
        code: text
        for code, (text, _body) in in_every_language(lambda: (parameters_description(report, params), "")).items()
    }


# --- requesting and running ---------------------------------------------------------------------


def report_run_request(*, report: str, parameters: dict, user) -> ReportRun:
    """Queue ``report`` with ``parameters`` (its page's query parameters) for ``user``: 403 if
    they may not read it, 400 per parameter when one is invalid, else the queued run (started
    when the transaction commits)."""
    spec = RUNNABLE.get(report)
    if spec is None:
        message = _("Unknown report. Choose one of: %(names)s.") % {"names": ", ".join(RUNNABLE)}
        raise ValidationError({"report": [message]})
    if not spec.may_read(user):
        raise PermissionDenied
    params = parameters_clean(spec, parameters, user)
    from .tasks import run_report

    with transaction.atomic():
        run = ReportRun.objects.create(
            report=spec.name,
            parameters=parameters_as_text(params),
            description=parameters_description(spec, params),
            descriptions=_descriptions(spec, params),
            trigger=RunTrigger.ON_DEMAND,
            requested_by=user,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        transaction.on_commit(lambda: run_report.delay(run.pk))
    return run


def report_run_execute(*, run_id: int) -> ReportRun:
    """Write the file of a queued run: running, then done (file, size, rows, totals) or failed
    (``error``: the reason, never raised). A run that is not queued is left as it is (a task delivered twice runs once).
    The requester of an on-demand run, or the readers of a scheduled one, are told when done."""
    claimed = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), error=""
    )
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    if not claimed:
        return run
    spec = RUNNABLE[run.report]
    reader = run.requested_by or EVERY_RECORD
    started = time.perf_counter()
    try:
        with translation.override(run.language or settings.LANGUAGE_CODE):
            params = parameters_clean(spec, run.parameters, reader)
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as temporary:
                rows, totals = spec.write(params, reader, temporary.name)
                name = _file_name(run, params)
                with open(temporary.name, "rb") as written:
                    run.file.save(name, File(written), save=False)
                run.size = run.file.size
        run.rows, run.totals, run.file_name = rows, totals, name
        run.status = RunStatus.DONE
    except (ValidationError, BusinessError) as exc:
        run.status, run.error = RunStatus.FAILED, "; ".join(_messages(exc))
    except Exception as exc:  # noqa: BLE001 - any other failure (disk full, a bug) is logged and recorded
        log.exception("report run %s failed", run_id)
        run.status, run.error = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    log.info("report run %s %s: %s rows in %.2f s", run.pk, run.status, run.rows, time.perf_counter() - started)
    run.save(update_fields=["status", "error", "file", "file_name", "size", "rows", "totals", "finished_at"])
    if run.status == RunStatus.DONE:
        _tell_ready(run, spec, params)
    return run


def report_run_fail(*, run_id: int, message: str) -> None:
    """Mark a run that could not finish (the worker's time limit) as failed."""
    ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )


def report_runs_fail_running(*, message: str) -> None:
    """Mark the scheduled runs still running as failed (their job was stopped); the next run of
    the job writes them again."""
    ReportRun.objects.filter(trigger=RunTrigger.SCHEDULED, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )


def _messages(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [f"{name}: {m}" for name, errors in exc.message_dict.items() for m in errors]
        return list(exc.messages)
    return [str(getattr(exc, "detail", exc))]


def _file_name(run: ReportRun, params: dict) -> str:
    day = params.get("date_to") or params.get("date") or timezone.localdate()
    return f"{run.report.replace('_', '-')}-{day.isoformat()}-{run.pk}.xlsx"


def _tell_ready(run: ReportRun, spec: RunnableReport, params: dict) -> None:
    def message() -> tuple[str, str]:
        title = _("Report ready: %(description)s") % {"description": parameters_description(spec, params)}
        body = ngettext(
            "%(rows)s row, %(size)s KB. Download it from the report files.",
            "%(rows)s rows, %(size)s KB. Download it from the report files.",
            run.rows,
        ) % {
            "rows": run.rows,
            "size": max(1, round(run.size / 1024)),
        }
        return title, body

    texts = in_every_language(message)
    with translation.override(run.language or settings.LANGUAGE_CODE):
        title, body = message()
    if run.requested_by_id:
        users = [run.requested_by_id]
    else:
        users = [user.pk for user in report_readers(spec)]
    notify(
        kind=NotificationKind.REPORT_READY,
        key=f"report:{run.pk}",
        title=title,
        body=body,
        url=reverse("reports:runs"),
        users=users,
        texts=texts,
        attachment=Attachment(
            name=run.file_name, open=lambda: run.file.open("rb"), size=run.size, content_type=XLSX_MEDIA_TYPE
        ),
    )


def report_readers(spec: RunnableReport) -> list:
    """The active users who may download ``spec``'s scheduled (whole-business) files."""
    users = User.objects.filter(is_active=True).prefetch_related("groups")
    return [user for user in users if spec.may_read_all(user)]


# --- schedules ----------------------------------------------------------------------------------


def scheduled_period(schedule: str, today: datetime.date) -> dict:
    """The parameters of a scheduled run made on ``today``: ``daily`` = month to date up to
    yesterday (on the 1st: the whole last month); ``weekly`` = last Monday to Sunday."""
    if schedule == "daily":
        yesterday = today - datetime.timedelta(days=1)
        return {"date_from": yesterday.replace(day=1), "date_to": yesterday}
    if schedule == "weekly":
        sunday = today - datetime.timedelta(days=today.weekday() + 1)
        return {"date_from": sunday - datetime.timedelta(days=6), "date_to": sunday}
    raise ValueError(f"unknown schedule {schedule!r}")


SCHEDULES = {
    # task name: (report, schedule, fixed parameters)
    "reports.daily_stock_summary": ("stock_summary", "daily", {}),
    "reports.weekly_sales": ("sales", "weekly", {"group_by": "product"}),
    "reports.weekly_purchases": ("purchases", "weekly", {"group_by": "supplier"}),
}


# The tasks' hard time limit (apps/reports/tasks.py): a run still "running" after it was lost.
STALE_RUN_SECONDS = 30 * 60


def report_run_scheduled(*, task: str, today: datetime.date | None = None) -> ReportRun:
    """The scheduled run of ``task`` (a key of ``SCHEDULES``) for ``today``: created and run
    once per key. Run again, a done or running one is returned as it is; a failed one, or one
    left running past the tasks' hard time limit (its worker died), is run again (the same row,
    so the key still names one file)."""
    report, schedule, fixed = SCHEDULES[task]
    spec = RUNNABLE[report]
    today = today or timezone.localdate()
    params = parameters_clean(spec, {**parameters_as_text(scheduled_period(schedule, today)), **fixed}, EVERY_RECORD)
    key = f"{report}:{schedule}:{params['date_to'].isoformat()}"
    with translation.override(settings.LANGUAGE_CODE):
        description = parameters_description(spec, params)
    run, created = ReportRun.objects.get_or_create(
        key=key,
        defaults={
            "report": report,
            "parameters": parameters_as_text(params),
            "description": description,
            "descriptions": _descriptions(spec, params),
            "trigger": RunTrigger.SCHEDULED,
            "language": settings.LANGUAGE_CODE,
        },
    )
    if not created:
        # A failed run, or one "running" for longer than any worker may (its worker died), runs again.
        stale = timezone.now() - datetime.timedelta(seconds=STALE_RUN_SECONDS)
        requeued = (
            ReportRun.objects.filter(pk=run.pk)
            .filter(Q(status=RunStatus.FAILED) | Q(status=RunStatus.RUNNING, started_at__lt=stale))
            .update(status=RunStatus.QUEUED)
        )
        if not requeued:
            return run
    return report_run_execute(run_id=run.pk)


def report_runs_prune(*, keep_days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Delete the finished runs (and their files) created more than ``keep_days`` ago
    (``JXC_REPORT_KEEP_DAYS``). Returns how many."""
    keep_days = settings.JXC_REPORT_KEEP_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    old = ReportRun.objects.filter(created_at__lt=cutoff, status__in=[RunStatus.DONE, RunStatus.FAILED])
    count = 0
    for run in old.iterator():
        if run.file:
            run.file.delete(save=False)
        run.delete()
        count += 1
    return count


# --- who reads what -----------------------------------------------------------------------------


def runs_for(user) -> QuerySet[ReportRun]:
    """The runs ``user`` may see: their own, and the scheduled ones of the reports whose
    whole-business files they read."""
    shared = [spec.name for spec in RUNNABLE.values() if spec.may_read_all(user)]
    return ReportRun.objects.filter(Q(requested_by=user) | Q(requested_by__isnull=True, report__in=shared))


def may_download(user, run: ReportRun) -> bool:
    spec = RUNNABLE.get(run.report)
    if spec is None:
        return False
    if run.requested_by_id is not None:
        return run.requested_by_id == user.pk and spec.may_read(user)
    return spec.may_read_all(user)
