"""Report reads of finance: payables and receivables ageing (应付/应收账龄) and the customer
statement (对账单)."""

from __future__ import annotations

import datetime

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.fields import ZERO

from .models import CustomerReceipt, OpenItemStatus, Payable, Receivable

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
    items = Payable.objects.all()
    if supplier is not None:
        items = items.filter(supplier=supplier)
    return _aging(items, "supplier", date)


def ar_aging(*, date: datetime.date | None = None, customer=None, customers=None) -> dict:
    """What each customer owes at ``date`` (default today), by how late it is (as
    :func:`ap_aging`, credit notes included). ``customers``: a queryset limiting the customers
    (a salesperson's own). Rows ``{customer, code, name, current, d1_30, …, total}``."""
    items = Receivable.objects.all()
    if customer is not None:
        items = items.filter(customer=customer)
    if customers is not None:
        items = items.filter(customer__in=customers)
    return _aging(items, "customer", date)


def _aging(items, partner: str, date: datetime.date | None) -> dict:
    date = date or timezone.localdate()
    outstanding = ExpressionWrapper(F("amount") - F("paid") - F("credited"), output_field=_MONEY)
    items = items.filter(status=OpenItemStatus.OPEN, date__lte=date)
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
        items.values(f"{partner}_id", f"{partner}__code", f"{partner}__name")
        .annotate(**sums)
        .order_by(f"{partner}__code", f"{partner}_id")
    ):
        row = {partner: group[f"{partner}_id"], "code": group[f"{partner}__code"], "name": group[f"{partner}__name"]}
        row.update({name: group[name] for name in BUCKETS})
        row["total"] = sum((row[name] for name in BUCKETS), ZERO)
        if any(row[name] for name in (*BUCKETS, "total")):
            rows.append(row)
    totals = {name: sum((row[name] for row in rows), ZERO) for name in (*BUCKETS, "total")}
    return {"rows": rows, "totals": totals, "date": date}


# --- Customer statement (对账单) -------------------------------------------------------------


def customer_statement(*, customer, date_from: datetime.date, date_to: datetime.date) -> dict:
    """What the customer was charged and paid between ``date_from`` and ``date_to``: the
    opening balance (everything before), one row per delivery (debit), return credit note and
    posted receipt (credit) in date order with the running balance, and the closing balance.
    Cancelled documents are left out. Rows ``{date, number, kind, debit, credit, balance}``
    with ``kind`` "delivery" | "sales_return" | "receipt"."""
    items = Receivable.objects.filter(customer=customer).exclude(status=OpenItemStatus.CANCELLED)
    receipts = CustomerReceipt.objects.filter(customer=customer, status="posted")
    opening = (items.filter(date__lt=date_from).aggregate(s=Sum("amount"))["s"] or ZERO) - (
        receipts.filter(date__lt=date_from).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    events = [
        (item.date, item.created_at, item.source_number, item.source_type, item.amount)
        for item in items.filter(date__gte=date_from, date__lte=date_to)
    ]
    events += [
        (receipt.date, receipt.created_at, receipt.number, "receipt", -receipt.amount)
        for receipt in receipts.filter(date__gte=date_from, date__lte=date_to)
    ]
    rows, balance = [], opening
    for date, _created, number, kind, amount in sorted(events, key=lambda event: event[:3]):
        balance += amount
        rows.append(
            {
                "date": date,
                "number": number,
                "kind": kind,
                "debit": amount if amount > 0 else ZERO,
                "credit": -amount if amount < 0 else ZERO,
                "balance": balance,
            }
        )
    totals = {
        "debit": sum((row["debit"] for row in rows), ZERO),
        "credit": sum((row["credit"] for row in rows), ZERO),
    }
    return {"opening": opening, "rows": rows, "totals": totals, "closing": balance}
