"""Invariants of the payables sub-ledger. Each check returns readable descriptions of what is
wrong (an empty list when all holds); ``manage.py check_books`` of a later issue gathers them."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from .models import OpenItemStatus, Payable, PayableCredit, SupplierPaymentAllocation

ZERO = Decimal(0)


def _sums(queryset, key: str) -> dict[int, Decimal]:
    return {row[key]: row["total"] for row in queryset.values(key).annotate(total=Sum("amount"))}


def check_payables() -> list[str]:
    """Every payable's paid and credited amounts equal its posted payments' allocations and its
    active debit-note credits; its status follows from what is outstanding; it is never settled
    beyond its amount; a supplier never keeps both an open payable and an open debit note."""
    problems = []
    paid = _sums(SupplierPaymentAllocation.objects.filter(payment__status="posted"), "payable_id")
    active = PayableCredit.objects.filter(cancelled_at__isnull=True)
    received = _sums(active, "payable_id")
    given = _sums(active, "debit_note_id")
    open_signs: dict[int, set[int]] = {}
    for item in Payable.objects.all().order_by("id"):
        label = f"{item.source_number} (payable {item.pk})"
        expected_paid = paid.get(item.pk, ZERO) if item.status != OpenItemStatus.CANCELLED else ZERO
        if item.paid != expected_paid:
            problems.append(f"{label}: paid {item.paid}, payments allocated {expected_paid}")
        expected_credit = ZERO
        if item.status != OpenItemStatus.CANCELLED:
            expected_credit = received.get(item.pk, ZERO) - given.get(item.pk, ZERO)
        if item.credited != expected_credit:
            problems.append(f"{label}: credited {item.credited}, debit notes applied {expected_credit}")
        outstanding = item.outstanding
        if item.status == OpenItemStatus.CANCELLED:
            continue
        if (item.amount > 0 and not ZERO <= outstanding <= item.amount) or (
            item.amount < 0 and not item.amount <= outstanding <= ZERO
        ):
            problems.append(f"{label}: outstanding {outstanding} outside 0…{item.amount}")
        expected_status = OpenItemStatus.PAID if outstanding == 0 else OpenItemStatus.OPEN
        if item.status != expected_status:
            problems.append(f"{label}: status {item.status} with {outstanding} outstanding")
        if outstanding != 0:
            open_signs.setdefault(item.supplier_id, set()).add(1 if outstanding > 0 else -1)
    for supplier_id, signs in sorted(open_signs.items()):
        if signs == {1, -1}:
            problems.append(f"supplier {supplier_id}: an open debit note was left beside open payables")
    stray = PayableCredit.objects.filter(
        Q(debit_note__status=OpenItemStatus.CANCELLED) | Q(payable__status=OpenItemStatus.CANCELLED),
        cancelled_at__isnull=True,
    ).count()
    if stray:
        problems.append(f"{stray} active credit(s) on cancelled items")
    return problems
