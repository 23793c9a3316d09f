"""Periods (月份) and the month-end close (月结).

Every posting calls :func:`hold_open` for its date inside its transaction: on PostgreSQL it
takes the month's advisory lock shared, so postings of one month never wait for each other,
while :func:`close_period` (and :func:`reopen_period`) takes it exclusively, waits for the
postings in flight to commit, and only then checks and closes. A posting dated in a closed month is
refused with 409 ``period_closed`` and, its transaction rolled back, leaves no trace."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import BusinessError

from .models import Period, PeriodEvent


def month_of(date: datetime.date) -> datetime.date:
    return date.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _row(month: datetime.date) -> Period:
    Period.objects.bulk_create([Period(month=month)], ignore_conflicts=True)
    return Period.objects.get(month=month)


# The PostgreSQL advisory locks of the months: (namespace, YYYYMM).
ADVISORY_NAMESPACE = 7101


def _month_lock(month: datetime.date, *, shared: bool) -> None:
    """Take the month's advisory lock until the transaction ends: shared for a posting (postings
    never wait for each other), exclusive for closing or reopening (waits for the postings in
    flight; postings wait for it). On SQLite, whose writers are serialised anyway, nothing."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [ADVISORY_NAMESPACE, month.year * 100 + month.month])


def hold_open(date: datetime.date) -> None:
    """Refuse (409 ``period_closed``) a posting dated in a closed month; otherwise keep the
    month from being closed until the caller's transaction ends.

    The month's shared advisory lock, then its row read (a month without a row is open). No row
    is locked or created here: a posting that inserted the month's row would hold that insert
    until it commits, and another posting waiting for it while holding a lock the first later
    wanted (a stock balance, a customer) would deadlock."""
    month = month_of(date)
    _month_lock(month, shared=True)
    closed = Period.objects.filter(month=month, is_closed=True).exists()
    if closed:
        raise BusinessError(
            BusinessError.PERIOD_CLOSED,
            _("%(month)s is closed: nothing dated %(date)s can be posted or cancelled.")
            % {"month": month.strftime("%Y-%m"), "date": date.isoformat()},
            period=month.strftime("%Y-%m"),
        )


def is_closed(date: datetime.date) -> bool:
    return Period.objects.filter(month=month_of(date), is_closed=True).exists()


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    ok: bool
    problems: list[str]


def checklist(month: datetime.date) -> list[ChecklistItem]:
    """What must hold before ``month`` closes: it has ended (its last day may close it), earlier
    months with entries are closed, no drafts dated in or before it, and the books and the
    stock ledger reconcile."""
    from .books import check_books, drafts_until

    month = month_of(month)
    end = month_end(month)
    from .models import JournalEntry

    earlier_open = sorted(
        {d.replace(day=1) for d in JournalEntry.objects.filter(date__lt=month, status="posted").dates("date", "month")}
        - set(Period.objects.filter(month__lt=month, is_closed=True).values_list("month", flat=True))
    )
    from apps.inventory.selectors import stock_violations

    drafts = drafts_until(end)
    books = check_books()
    stock = [f"{kind}: {v.total}" for kind, v in stock_violations(limit=5).items() if v.total]
    return [
        ChecklistItem(
            "month_ended",
            _("The month has ended (or ends today)"),
            end <= timezone.localdate(),
            [] if end <= timezone.localdate() else [end.isoformat()],
        ),
        ChecklistItem(
            "earlier_closed",
            _("Earlier months are closed"),
            not earlier_open,
            [m.strftime("%Y-%m") for m in earlier_open],
        ),
        ChecklistItem("no_drafts", _("No drafts dated in or before the month"), not drafts, drafts),
        ChecklistItem("books", _("The books reconcile (check_books)"), not books, books),
        ChecklistItem("stock", _("The stock ledger is consistent (check_stock)"), not stock, stock),
    ]


@transaction.atomic
def close_period(*, month: datetime.date, user) -> Period:
    """Close ``month`` after the checklist passes (409 ``invalid_state`` listing what fails);
    waits for postings of the month in flight. Closing a closed month is 409 too."""
    month = month_of(month)
    _month_lock(month, shared=False)
    period = Period.objects.select_for_update().get(pk=_row(month).pk)
    if period.is_closed:
        raise BusinessError(BusinessError.INVALID_STATE, _("%(month)s is already closed.") % {"month": period})
    failing = [item for item in checklist(month) if not item.ok]
    if failing:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(month)s cannot be closed yet: %(items)s.")
            % {"month": period, "items": "; ".join(str(item.label) for item in failing)},
            checklist=[{"key": item.key, "problems": item.problems[:20]} for item in failing],
        )
    period.is_closed, period.closed_at, period.closed_by = True, timezone.now(), user
    period.save(update_fields=["is_closed", "closed_at", "closed_by"])
    PeriodEvent.objects.create(period=period, action=PeriodEvent.Action.CLOSE, user=user)
    return period


@transaction.atomic
def reopen_period(*, month: datetime.date, user, reason: str) -> Period:
    """Reopen a closed month with a recorded reason (400 without one). Later closed months
    must be reopened first (409 ``invalid_state``)."""
    from django.core.exceptions import ValidationError

    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the period is reopened.")]})
    month = month_of(month)
    _month_lock(month, shared=False)
    period = Period.objects.select_for_update().get(pk=_row(month).pk)
    if not period.is_closed:
        raise BusinessError(BusinessError.INVALID_STATE, _("%(month)s is not closed.") % {"month": period})
    later = list(Period.objects.filter(month__gt=month, is_closed=True).order_by("month"))
    if later:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("Reopen the later closed months first: %(months)s.") % {"months": ", ".join(str(p) for p in later)},
        )
    period.is_closed, period.closed_at, period.closed_by = False, None, None
    period.save(update_fields=["is_closed", "closed_at", "closed_by"])
    PeriodEvent.objects.create(period=period, action=PeriodEvent.Action.REOPEN, user=user, reason=reason.strip())
    return period
