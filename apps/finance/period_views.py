"""Pages of the month-end close (月结): the months (the last twelve and any the books have a row
for) with their status, and a month's page with the pre-close checklist, Close (finance, only
when every item passes), Reopen with a reason (management) and the history of closes and
reopens. Writes are apps.finance.periods' close_period / reopen_period; a refusal is shown on
the page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import BusinessError
from apps.core.pages import Page

from . import periods
from .ledger_forms import ReopenForm
from .ledger_views import optional_url
from .models import JournalEntry, JournalStatus, Period, PeriodEvent

MONTHS_SHOWN = 12
PROBLEMS_SHOWN = 20


def _months_back(month: datetime.date, count: int) -> list[datetime.date]:
    months = []
    for _index in range(count):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months


def month_key(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


def parse_month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise Http404(text) from exc


class PeriodList(Page):
    """The months, newest first: open or closed (by whom, when) and how many posted entries
    each holds; each links to its close page."""

    model = Period
    url_base = "finance:period"
    template_name = "finance/periods/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current = timezone.localdate().replace(day=1)
        rows_by_month = {p.month: p for p in Period.objects.select_related("closed_by")}
        months = sorted(set(_months_back(current, MONTHS_SHOWN)) | set(rows_by_month), reverse=True)
        counts = {
            row["month"]: row["n"]
            for row in JournalEntry.objects.filter(status=JournalStatus.POSTED)
            .annotate(month=TruncMonth("date"))
            .values("month")
            .annotate(n=Count("id"))
        }
        context.update(
            {
                "title": _("Period close"),
                "rows": [
                    {
                        "month": month,
                        "key": month_key(month),
                        "period": rows_by_month.get(month),
                        "closed": bool(rows_by_month.get(month) and rows_by_month[month].is_closed),
                        "entries": counts.get(month, 0),
                        "url": reverse("finance:period-detail", args=[month_key(month)]),
                        "current": month == current,
                    }
                    for month in months
                ],
            }
        )
        return context


class PeriodDetail(Page):
    """One month: its status, the checklist (each item ok or failing with its problems), Close
    (enabled only when every item passes), Reopen with a required reason for a closed month,
    the closes and reopens so far, and links to the month's journal and statements."""

    model = Period
    url_base = "finance:period"
    template_name = "finance/periods/detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.month = parse_month(kwargs["month"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.month
        end = periods.month_end(month)
        period = Period.objects.filter(month=month).select_related("closed_by").first()
        closed = bool(period and period.is_closed)
        user = self.request.user
        items = [
            {
                "item": item,
                "problems": item.problems[:PROBLEMS_SHOWN],
                "more": max(len(item.problems) - PROBLEMS_SHOWN, 0),
            }
            for item in periods.checklist(month)
        ]
        ready = all(row["item"].ok for row in items)
        key = month_key(month)
        context.update(
            {
                "title": _("Period %(month)s") % {"month": key},
                "month": month,
                "month_key": key,
                "period": period,
                "closed": closed,
                "items": items,
                "ready": ready,
                "may_close": not closed and user.has_perm("finance.close_period"),
                "close_url": reverse("finance:period-close", args=[key]),
                "may_reopen": closed and user.has_perm("finance.reopen_period"),
                "reopen_url": reverse("finance:period-reopen", args=[key]),
                "reopen_form": kwargs.get("reopen_form") or ReopenForm(),
                "events": list(PeriodEvent.objects.filter(period=period).select_related("user")) if period else [],
                "journal_url": f"{reverse('finance:journal-list')}?date_from={month.isoformat()}"
                f"&date_to={end.isoformat()}",
                "income_statement_url": optional_url(
                    "reports:income-statement", query=f"date_from={month.isoformat()}&date_to={end.isoformat()}"
                ),
                "balance_sheet_url": optional_url("reports:balance-sheet", query=f"date={end.isoformat()}"),
                "trial_balance_url": optional_url(
                    "reports:trial-balance", query=f"date_from={month.isoformat()}&date_to={end.isoformat()}"
                ),
                "previous_url": reverse(
                    "finance:period-detail", args=[month_key((month - datetime.timedelta(days=1)).replace(day=1))]
                ),
                "next_url": reverse("finance:period-detail", args=[month_key(end + datetime.timedelta(days=1))]),
            }
        )
        return context


@method_decorator(require_POST, name="dispatch")
class PeriodClose(PeriodDetail):
    """Close the month (finance): refused with the failing items when the checklist fails."""

    def get_permission_required(self):
        return ["finance.close_period"]

    def post(self, request, *args, **kwargs):
        try:
            periods.close_period(month=self.month, user=request.user)
        except BusinessError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("%(month)s is closed.") % {"month": month_key(self.month)})
        return HttpResponseRedirect(reverse("finance:period-detail", args=[month_key(self.month)]))


@method_decorator(require_POST, name="dispatch")
class PeriodReopen(PeriodDetail):
    """Reopen a closed month (management) with a reason, recorded with who and when."""

    def get_permission_required(self):
        return ["finance.reopen_period"]

    def post(self, request, *args, **kwargs):
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                periods.reopen_period(month=self.month, user=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error("reason", exc.messages)
            except BusinessError as exc:
                messages.error(request, exc.detail)
                return HttpResponseRedirect(reverse("finance:period-detail", args=[month_key(self.month)]))
            else:
                messages.success(request, _("%(month)s was reopened.") % {"month": month_key(self.month)})
                return HttpResponseRedirect(reverse("finance:period-detail", args=[month_key(self.month)]))
        return self.render_to_response(self.get_context_data(reopen_form=form), status=400)
