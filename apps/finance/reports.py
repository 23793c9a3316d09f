"""Report reads of finance: payables ageing (应付账龄)."""

from __future__ import annotations

import datetime

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.fields import ZERO

from .models import OpenItemStatus, Payable

BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "over_90")
_MONEY = DecimalField(max_digits=18, decimal_places=2)


def _bucket_conditions(date: datetime.date) -> dict[str, Q]:
    """Days past due at ``date`` = date − due date: not yet due (or due that day) is current,
    then 1–30, 31–60, 61–90 and over 90 days."""

    def days_ago(n: int) -> datetime.date:
        return date - datetime.timedelta(days=n)

    return {
        "current": Q(due_date__gte=date),
        "d1_30": Q(due_date__lte=days_ago(1), due_date__gte=days_ago(30)),
        "d31_60": Q(due_date__lte=days_ago(31), due_date__gte=days_ago(60)),
        "d61_90": Q(due_date__lte=days_ago(61), due_date__gte=days_ago(90)),
        "over_90": Q(due_date__lt=days_ago(90)),
    }


def ap_aging(*, date: datetime.date | None = None, supplier=None) -> dict:
    """What is owed to each supplier at ``date`` (default today), by how late it is: the
    outstanding (amount − paid − credited) of the open payables dated on or before ``date``,
    debit notes (negative) included, in the buckets of days past due (``current``: not yet due;
    ``d1_30``, ``d31_60``, ``d61_90``, ``over_90``) and their ``total``.

    Rows ``{supplier, code, name, current, d1_30, d31_60, d61_90, over_90, total}`` for the
    suppliers with something outstanding, ordered by code; ``totals`` sums them. One query."""
    date = date or timezone.localdate()
    outstanding = ExpressionWrapper(F("amount") - F("paid") - F("credited"), output_field=_MONEY)
    items = Payable.objects.filter(status=OpenItemStatus.OPEN, date__lte=date)
    if supplier is not None:
        items = items.filter(supplier=supplier)
    sums = {
        name: Coalesce(
            Sum(Case(When(condition, then=outstanding), default=Value(ZERO), output_field=_MONEY)),
            Value(ZERO),
            output_field=_MONEY,
        )
        for name, condition in _bucket_conditions(date).items()
    }
    rows = []
    for group in (
        items.values("supplier_id", "supplier__code", "supplier__name")
        .annotate(**sums)
        .order_by("supplier__code", "supplier_id")
    ):
        row = {"supplier": group["supplier_id"], "code": group["supplier__code"], "name": group["supplier__name"]}
        row.update({name: group[name] for name in BUCKETS})
        row["total"] = sum((row[name] for name in BUCKETS), ZERO)
        if any(row[name] for name in (*BUCKETS, "total")):
            rows.append(row)
    totals = {name: sum((row[name] for row in rows), ZERO) for name in (*BUCKETS, "total")}
    return {"rows": rows, "totals": totals, "date": date}
