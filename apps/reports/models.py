"""Report runs: an Excel file of one report, produced by a schedule (the morning stock summary,
the weekly sales and purchases reports) or on demand, kept with its parameters, status, size
and run time for download. Written only by ``apps.reports.runs``."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ON_DEMAND = "on_demand", _("On demand")


class ReportRun(models.Model):
    """One run of one report (``report`` names an entry of ``apps.reports.runs.RUNNABLE``).

    ``parameters`` are the report's query parameters as text (what its page and API take), so
    the run can be repeated and shown. A scheduled run reads every record and has a ``key``
    (``stock_summary:daily:2026-12-03``): one run per key, so a job that runs twice writes no
    second file. An on-demand run reads what its ``requested_by`` reads, and only they download
    it; a scheduled file is for everyone who reads that report across the whole business."""

    report = models.CharField(_("report"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    # The description in every language of the site (``{"en": ..., "zh-hans": ...}``).
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger.choices)
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    key = models.CharField(_("key"), max_length=100, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True, default="")
    size = models.BigIntegerField(_("size"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [
            models.Index(fields=["report", "-created_at"], name="reports_run_report_idx"),
            models.Index(fields=["requested_by", "-created_at"], name="reports_run_requester_idx"),
        ]

    def __str__(self):
        return f"{self.report} #{self.pk}"

    @property
    def shown_description(self) -> str:
        """The description in the active language, else the one it was written in."""
        return (self.descriptions or {}).get(translation.get_language() or "") or self.description

    @property
    def run_seconds(self) -> float | None:
        """How long the file took to write (started → finished), in seconds."""
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None
