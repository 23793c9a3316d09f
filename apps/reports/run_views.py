"""Report files (报表文件): the runs a user may see, with a download link for each finished
file, and the "Save as file" action of the stock summary, sales and purchases pages, which
queues a run with the page's filters. The same services as ``/api/v1/report-runs/``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .models import ReportRun, RunStatus, RunTrigger
from .run_api import run_file_response
from .runs import RUNNABLE, may_download, report_run_request, runnable_reports_for, runs_for

STATUS_BADGES = {
    RunStatus.QUEUED: "badge-draft",
    RunStatus.RUNNING: "badge-submitted",
    RunStatus.DONE: "badge-done",
    RunStatus.FAILED: "badge-expired",
}
PAGE_SIZE = 50


def _parameter_parts(description: str, title) -> list[str]:
    """A run's description without its report's title, in parts ("2026-11-01 – 2026-11-30",
    "Warehouse: SH01"): the Parameters column, beside the Report column that names the report."""
    parts = description.split(", ")
    return parts[1:] if parts[0] == str(title) else parts


def _may_see_runs(user) -> bool:
    return bool(runnable_reports_for(user))


class ReportRunsPage(LoginRequiredMixin, TemplateView):
    """The report files list: ``?report=`` narrows it to one report; refreshes itself while a
    run is queued or running."""

    template_name = "reports/runs.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _may_see_runs(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        report = self.request.GET.get("report", "")
        runs = runs_for(user).select_related("requested_by")
        if report in RUNNABLE:
            runs = runs.filter(report=report)
        page = Paginator(runs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        items = []
        for run in page:
            label = RUNNABLE[run.report].title if run.report in RUNNABLE else run.report
            items.append(
                {
                    "run": run,
                    "label": label,
                    "parameters": _parameter_parts(run.shown_description, label),
                    "badge": STATUS_BADGES.get(run.status, ""),
                    "download": reverse("reports:run-download", args=[run.pk])
                    if run.status == RunStatus.DONE and may_download(user, run)
                    else "",
                    "size_kb": max(1, round(run.size / 1024)) if run.size else 0,
                }
            )
        context.update(
            {
                "title": _("Report files"),
                "page_obj": page,
                "items": items,
                "pending": any(item["run"].status in (RunStatus.QUEUED, RunStatus.RUNNING) for item in items),
                "report": report,
                "reports": [
                    {"name": spec.name, "title": spec.title, "url": reverse(spec.page)}
                    for spec in runnable_reports_for(user)
                ],
                "scheduled": RunTrigger.SCHEDULED,
            }
        )
        return context


class ReportRunDownload(LoginRequiredMixin, View):
    """The file of a finished run the user may download (404 otherwise, as if it did not exist)."""

    def get(self, request, pk):
        run = get_object_or_404(ReportRun, pk=pk)
        if not may_download(request.user, run) or run.status != RunStatus.DONE or not run.file:
            raise Http404
        return run_file_response(run)


class ReportRunCreate(LoginRequiredMixin, View):
    """POST ``report`` and the report page's filters: queue the run and go to the files list;
    an invalid filter goes back to the report page with the message."""

    def post(self, request):
        name = request.POST.get("report", "")
        spec = RUNNABLE.get(name)
        if spec is None:
            raise Http404
        parameters = {k: v for k, v in request.POST.items() if k not in ("report", "csrfmiddlewaretoken", "next")}
        try:
            run = report_run_request(report=name, parameters=parameters, user=request.user)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
            back = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = reverse(spec.page)
            return HttpResponseRedirect(back)
        run.refresh_from_db()
        if run.status == RunStatus.DONE:
            messages.success(request, _("The file is ready: %(description)s.") % {"description": run.shown_description})
        elif run.status == RunStatus.FAILED:
            messages.error(request, _("The report could not be written: %(error)s") % {"error": run.error})
        else:
            messages.info(request, _("The report is being written. You will be notified when it is ready."))
        return HttpResponseRedirect(reverse("reports:runs"))
