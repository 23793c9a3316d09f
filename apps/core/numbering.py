"""Document numbers: ``<PREFIX>-<YEAR>-<000042>``, per type and year, without gaps."""

import datetime

from django.db import connection

from .models import DocumentSequence


def next_number(*, prefix: str, date: datetime.date) -> str:
    """Take the next number for ``prefix`` in ``date``'s year.

    Must run inside the caller's transaction: the counter row stays locked until that
    transaction ends, so a rolled-back document gives its number back and committed documents
    have no gaps. The first number of a year is race-free: the row is inserted with
    ON CONFLICT DO NOTHING (backed by the unique constraint), then locked.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must be called inside transaction.atomic()")
    year = date.year
    DocumentSequence.objects.bulk_create([DocumentSequence(prefix=prefix, year=year)], ignore_conflicts=True)
    sequence = DocumentSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{prefix}-{year}-{sequence.last_value:06d}"
