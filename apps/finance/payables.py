"""THE writer of payables (应付): open items per supplier, the debit notes that settle them and
the payments allocated to them. Purchasing's posting services call :func:`payable_open` and
:func:`payable_cancel` in their own transaction; supplier payments call :func:`allocate` and
:func:`release`.

Guarantees:
- every change to a supplier's items first locks the supplier row, so the items of one
  supplier change one transaction at a time (lock order: documents, then stock balances, then
  the supplier);
- a supplier never keeps both an open debit note and an open payable: a debit note settles the
  payable of the receipt it returns against first, then the oldest payables (by due date); a new
  payable is settled by open debit notes, oldest first;
- ``outstanding = amount − paid − credited``; status is ``paid`` exactly when nothing is
  outstanding; a cancelled item keeps its amount but has no payments and no credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import BusinessError
from apps.core.fields import ZERO, money
from apps.suppliers.models import Supplier

from .models import OpenItemStatus, Payable, PayableCredit, SupplierPaymentAllocation

OPEN, PAID, CANCELLED = OpenItemStatus.OPEN, OpenItemStatus.PAID, OpenItemStatus.CANCELLED


@dataclass(frozen=True)
class Source:
    """The document an open item comes from (type, id, number), as in the stock ledger."""

    type: str
    id: int
    number: str


def lock_supplier(supplier_id: int) -> Supplier:
    return Supplier.objects.select_for_update(of=("self",)).get(pk=supplier_id)


def _open_items(supplier_id: int) -> list[Payable]:
    return list(
        Payable.objects.select_for_update()
        .filter(supplier_id=supplier_id, status=OPEN)
        .order_by("due_date", "date", "id")
    )


def _refresh_status(item: Payable) -> None:
    if item.status != CANCELLED:
        item.status = PAID if item.outstanding == 0 else OPEN


def _save(*items: Payable) -> None:
    for item in items:
        _refresh_status(item)
        item.save(update_fields=["paid", "credited", "status"])


def _apply(debit_note: Payable, payable: Payable) -> None:
    amount = min(-debit_note.outstanding, payable.outstanding)
    if amount <= 0:
        return
    PayableCredit.objects.create(debit_note=debit_note, payable=payable, amount=amount)
    debit_note.credited -= amount
    payable.credited += amount
    _save(debit_note, payable)


def _net(supplier_id: int, *, first: Payable | None = None) -> None:
    """Settle the supplier's open debit notes against its open payables (``first`` first)."""
    # Most of the time there is no open debit note: one indexed look-up instead of locking and
    # loading every open item of the supplier (hundreds for a busy one) on each posting.
    if not Payable.objects.filter(supplier_id=supplier_id, status=OPEN, amount__lt=0).exists():
        return
    items = _open_items(supplier_id)
    notes = [item for item in items if item.outstanding < 0]
    payables = [item for item in items if item.outstanding > 0]
    if first is not None:
        payables.sort(key=lambda item: item.pk != first.pk)
    for note in notes:
        for payable in payables:
            if note.outstanding >= 0:
                break
            _apply(note, payable)


@transaction.atomic
def payable_open(
    *, supplier_id: int, source: Source, date: Date, due_date: Date, amount: Decimal, settles: Source | None = None
) -> Payable:
    """Write the open item of a posted document: a payable (amount > 0) or a debit note
    (amount < 0; ``settles`` names the document whose payable it settles first). Then net the
    supplier's open items. Locks the supplier."""
    lock_supplier(supplier_id)
    item = Payable.objects.create(
        supplier_id=supplier_id,
        source_type=source.type,
        source_id=source.id,
        source_number=source.number,
        date=date,
        due_date=due_date,
        amount=money(amount),
    )
    first = None
    if settles is not None:
        first = Payable.objects.filter(source_type=settles.type, source_id=settles.id, status=OPEN).first()
    _net(supplier_id, first=first)
    item.refresh_from_db()
    return item


def item_of(source: Source) -> Payable | None:
    return Payable.objects.filter(source_type=source.type, source_id=source.id).first()


@transaction.atomic
def payable_cancel(*, source: Source) -> Payable | None:
    """Cancel the open item of a document being cancelled: its credits are undone (the other
    side owes or is owed again) and the supplier's items are netted again. Refused with 409
    ``invalid_state`` while a posted payment is allocated to it. Locks the supplier."""
    item = item_of(source)
    if item is None:
        return None
    lock_supplier(item.supplier_id)
    item = Payable.objects.select_for_update().get(pk=item.pk)
    if item.status == CANCELLED:
        return item
    if item.paid != 0:
        payments = sorted(
            {
                allocation.payment.number
                for allocation in item.allocations.filter(payment__status="posted").select_related("payment")
            }
        )
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s has been paid (%(payments)s): cancel the payment first.")
            % {"number": source.number, "payments": ", ".join(payments)},
        )
    now = timezone.now()
    credits = list(
        PayableCredit.objects.select_for_update()
        .filter(Q(debit_note=item) | Q(payable=item), cancelled_at__isnull=True)
        .select_related("debit_note", "payable")
    )
    for credit in credits:
        other = credit.payable if credit.debit_note_id == item.pk else credit.debit_note
        other = Payable.objects.select_for_update().get(pk=other.pk)
        other.credited += credit.amount if other.amount < 0 else -credit.amount
        _save(other)
        credit.cancelled_at = now
        credit.save(update_fields=["cancelled_at"])
    item.credited = ZERO
    item.status = CANCELLED
    item.save(update_fields=["credited", "status"])
    _net(item.supplier_id)
    return item


def allocate(
    *, supplier_id: int, amount: Decimal, requested: list[tuple[int, Decimal]]
) -> list[tuple[Payable, Decimal]]:
    """Allocate a payment of ``amount``: first the ``requested`` (payable id, amount) pairs, the
    rest to what the supplier's open payables still owe (a requested one's remainder too),
    oldest due first. Refused with 409
    ``over_allocation`` (nothing written) when a requested amount is more than its payable's
    outstanding, or the payment is more than the supplier is owed. Writes the payables' paid
    amounts; the caller writes the allocation rows. Locks the supplier and its open items."""
    lock_supplier(supplier_id)
    items = {item.pk: item for item in _open_items(supplier_id)}
    result: list[tuple[Payable, Decimal]] = []
    left = amount
    for payable_id, wanted in requested:
        item = items.get(payable_id)
        if item is None or item.outstanding <= 0:
            raise BusinessError(
                BusinessError.OVER_ALLOCATION,
                _("Payable %(id)s is not open for this supplier: nothing can be allocated to it.") % {"id": payable_id},
            )
        if wanted > item.outstanding:
            raise BusinessError(
                BusinessError.OVER_ALLOCATION,
                _("%(amount)s is more than the %(outstanding)s outstanding on %(number)s.")
                % {"amount": wanted, "outstanding": item.outstanding, "number": item.source_number},
                outstanding=str(item.outstanding),
            )
        result.append((item, wanted))
        left -= wanted
    if left < 0:
        raise BusinessError(
            BusinessError.OVER_ALLOCATION,
            _("The allocations add up to %(allocated)s, more than the payment of %(amount)s.")
            % {"allocated": amount - left, "amount": amount},
        )
    # The rest oldest due first, requested payables included (for what their request left open).
    shares = {item.pk: share for item, share in result}
    for item in items.values():
        if left == 0:
            break
        room = item.outstanding - shares.get(item.pk, ZERO)
        if room <= 0:
            continue
        share = min(left, room)
        shares[item.pk] = shares.get(item.pk, ZERO) + share
        left -= share
    result = [(items[pk], share) for pk, share in shares.items()]
    if left > 0:
        owed = money(sum((item.outstanding for item in items.values() if item.outstanding > 0), ZERO))
        raise BusinessError(
            BusinessError.OVER_ALLOCATION,
            _("The payment of %(amount)s is more than the %(owed)s owed to this supplier.")
            % {"amount": amount, "owed": owed},
            owed=str(owed),
        )
    for item, share in result:
        item.paid += share
        _save(item)
    return result


def release(allocations: list[SupplierPaymentAllocation]) -> None:
    """Undo the allocations of a payment being cancelled: its payables owe those amounts again."""
    if not allocations:
        return
    lock_supplier(allocations[0].payment.supplier_id)
    for allocation in allocations:
        item = Payable.objects.select_for_update().get(pk=allocation.payable_id)
        item.paid -= allocation.amount
        _save(item)


def supplier_balance(supplier_id: int) -> Decimal:
    """What we owe the supplier overall (payables minus open debit notes)."""
    items = Payable.objects.filter(supplier_id=supplier_id, status=OPEN)
    totals = items.aggregate(amount=Sum("amount"), paid=Sum("paid"), credited=Sum("credited"))
    return (totals["amount"] or ZERO) - (totals["paid"] or ZERO) - (totals["credited"] or ZERO)
