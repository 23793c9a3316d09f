"""Sums of document lines by group, for the purchases and sales reports.

A report of this kind reads the lines of one kind of posted document (purchase receipts,
deliveries) and, with a minus sign, those of its returns, grouped by a partner, the product, a
salesperson or the month of the document date. The database groups and sums each kind of line
(one query each); Python merges them with exact Decimal arithmetic, so receipts and returns of
the same group net to one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from .fields import ZERO

MONTH = "month"


@dataclass(frozen=True)
class LineSource:
    """The lines of one kind of document, counted with ``sign`` (1 sold/bought, −1 returned);
    ``counts_documents``: whether its documents are the ones the report counts (receipts,
    deliveries — not the returns)."""

    lines: QuerySet
    sign: int
    counts_documents: bool = False


def group_key(fields: tuple[str, ...], row: dict) -> tuple[str, str, tuple]:
    """(key, label, sort key) of a grouped row: the month as ``YYYY-MM`` for both, or the
    ``(id, code, name)`` fields as the id in text and "code name" sorted by code. A group with
    no id (a customer without a salesperson) is ``("", "—")``, sorted first."""
    if fields == (MONTH,):
        key = row[MONTH].strftime("%Y-%m")
        return key, key, (key,)
    first, code, name = fields
    if row[first] is None:
        return "", "—", ("",)
    return str(row[first]), f"{row[code]} {row[name] or ''}".strip(), (row[code],)


def grouped_line_totals(
    sources: Iterable[LineSource],
    fields: tuple[str, ...],
    sums: dict[str, str],
    *,
    documents: str,
    date_field: str = "document__date",
) -> list[dict]:
    """Rows ``{key, label, <each of sums>, <documents>}`` ordered by code or month: ``sums``
    maps a row name to the line field it adds up (signed, None counted as 0); ``documents``
    names the count of distinct documents of the sources that count them. ``fields`` are the
    group's ``(id, code, name)`` fields, or ``("month",)`` for the month of ``date_field``."""
    rows: dict[str, dict] = {}
    for source in sources:
        queryset = source.lines
        if fields == (MONTH,):
            queryset = queryset.annotate(month=TruncMonth(date_field))
        aggregates = {name: Sum(field) for name, field in sums.items()}
        if source.counts_documents:
            aggregates["_documents"] = Count("document", distinct=True)
        for group in queryset.values(*fields).annotate(**aggregates).order_by():
            key, label, order = group_key(fields, group)
            row = rows.setdefault(key, {"key": key, "label": label, **dict.fromkeys(sums, ZERO), documents: 0})
            row["_order"] = order
            for name in sums:
                row[name] += source.sign * (group[name] or ZERO)
            row[documents] += group.get("_documents", 0)
    return sorted(rows.values(), key=lambda row: row.pop("_order"))


def count_documents(lines: QuerySet) -> int:
    """How many distinct documents ``lines`` belong to."""
    return lines.aggregate(n=Count("document", distinct=True))["n"]
