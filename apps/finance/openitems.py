"""The open-item sub-ledgers: payables (应付, per supplier) and receivables (应收, per customer)
work the same way, so one engine writes both. ``apps.finance.payables`` and
``apps.finance.receivables`` each configure an :class:`OpenItemBook` and are the only writers
of their items.

An open item is written by the document that creates the debt (a posted purchase receipt or
delivery: amount > 0) or the credit (a posted purchase or sales return: amount < 0, a debit or
credit note), and settled by payments/receipts (``paid``) and by notes (``credited``).

Guarantees:
- every change to a partner's items first locks the partner row, so the items of one partner
  change one transaction at a time (lock order: documents, then stock balances, then the
  partner);
- a partner never keeps both an open note and an open item: a note settles the item of the
  document it returns against first, then the oldest items (by due date); a new item is
  settled by open notes, oldest first;
- ``outstanding = amount − paid − credited``; status is ``paid`` exactly when nothing is
  outstanding; a cancelled item keeps its amount but has no payments and no credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import BusinessError
from apps.core.fields import ZERO, money

from .models import OpenItemStatus

OPEN, PAID, CANCELLED = OpenItemStatus.OPEN, OpenItemStatus.PAID, OpenItemStatus.CANCELLED


@dataclass(frozen=True)
class Source:
    """The document an open item comes from (type, id, number), as in the stock ledger."""

    type: str
    id: int
    number: str


@dataclass(frozen=True)
class Messages:
    """The sentences that name the partner and the money document (translated, lazily)."""

    not_open: str  # %(id)s
    more_than_owed: str  # %(amount)s %(owed)s
    paid_already: str  # %(number)s %(payments)s


@dataclass(frozen=True)
class OpenItemBook:
    """One sub-ledger: its item and credit models, the partner they belong to, and the names of
    the fields that differ between them (``debit_note``/``credit_note``, ``payable``/``receivable``,
    ``payment``/``receipt``)."""

    item: type[models.Model]
    credit: type[models.Model]
    partner: type[models.Model]
    partner_field: str  # "supplier" | "customer"
    note_field: str  # the credit's note FK: "debit_note" | "credit_note"
    item_field: str  # the credit's and allocation's item FK: "payable" | "receivable"
    document_field: str  # the allocation's money document FK: "payment" | "receipt"
    messages: Messages

    @property
    def partner_id(self) -> str:
        return f"{self.partner_field}_id"

    # --- locking and netting ----------------------------------------------------------------

    def lock_partner(self, partner_id: int):
        return self.partner.objects.select_for_update(no_key=True, of=("self",)).get(pk=partner_id)

    def open_items(self, partner_id: int) -> list:
        return list(
            self.item.objects.select_for_update(no_key=True)
            .filter(**{self.partner_id: partner_id}, status=OPEN)
            .order_by("due_date", "date", "id")
        )

    @staticmethod
    def _save(*items) -> None:
        for item in items:
            if item.status != CANCELLED:
                item.status = PAID if item.outstanding == 0 else OPEN
            item.save(update_fields=["paid", "credited", "status"])

    def _apply(self, note, item) -> None:
        amount = min(-note.outstanding, item.outstanding)
        if amount <= 0:
            return
        self.credit.objects.create(**{self.note_field: note, self.item_field: item}, amount=amount)
        note.credited -= amount
        item.credited += amount
        self._save(note, item)

    def _net(self, partner_id: int, *, first=None) -> None:
        """Settle the partner's open notes against its open items (``first`` first)."""
        # Most of the time there is no open note: one indexed look-up instead of locking and
        # loading every open item of the partner (hundreds for a busy one) on each posting.
        if not self.item.objects.filter(**{self.partner_id: partner_id}, status=OPEN, amount__lt=0).exists():
            return
        items = self.open_items(partner_id)
        notes = [item for item in items if item.outstanding < 0]
        owed = [item for item in items if item.outstanding > 0]
        if first is not None:
            owed.sort(key=lambda item: item.pk != first.pk)
        for note in notes:
            for item in owed:
                if note.outstanding >= 0:
                    break
                self._apply(note, item)

    # --- the writes -------------------------------------------------------------------------

    def open(
        self, *, partner_id: int, source: Source, date: Date, due_date: Date, amount: Decimal, settles=None
    ) -> models.Model:
        """Write the open item of a posted document: an item (amount > 0) or a note (amount < 0;
        ``settles`` names the document whose item it settles first). Then net the partner's
        open items. Locks the partner."""
        with transaction.atomic():
            self.lock_partner(partner_id)
            item = self.item.objects.create(
                **{self.partner_id: partner_id},
                source_type=source.type,
                source_id=source.id,
                source_number=source.number,
                date=date,
                due_date=due_date,
                amount=money(amount),
            )
            first = None
            if settles is not None:
                first = self.item.objects.filter(source_type=settles.type, source_id=settles.id, status=OPEN).first()
            self._net(partner_id, first=first)
            item.refresh_from_db()
            return item

    def item_of(self, source: Source):
        return self.item.objects.filter(source_type=source.type, source_id=source.id).first()

    def cancel(self, *, source: Source):
        """Cancel the open item of a document being cancelled: its credits are undone (the other
        side owes or is owed again) and the partner's items are netted again. Refused with 409
        ``invalid_state`` while a posted payment or receipt is allocated to it. Locks the
        partner."""
        item = self.item_of(source)
        if item is None:
            return None
        with transaction.atomic():
            self.lock_partner(getattr(item, self.partner_id))
            item = self.item.objects.select_for_update(no_key=True).get(pk=item.pk)
            if item.status == CANCELLED:
                return item
            if item.paid != 0:
                documents = sorted(
                    {
                        getattr(allocation, self.document_field).number
                        for allocation in item.allocations.filter(
                            **{f"{self.document_field}__status": "posted"}
                        ).select_related(self.document_field)
                    }
                )
                raise BusinessError(
                    BusinessError.INVALID_STATE,
                    self.messages.paid_already % {"number": source.number, "payments": ", ".join(documents)},
                )
            now = timezone.now()
            credits = list(
                self.credit.objects.select_for_update()
                .filter(Q(**{self.note_field: item}) | Q(**{self.item_field: item}), cancelled_at__isnull=True)
                .select_related(self.note_field, self.item_field)
            )
            for credit in credits:
                note, owed = getattr(credit, self.note_field), getattr(credit, self.item_field)
                other = owed if note.pk == item.pk else note
                other = self.item.objects.select_for_update(no_key=True).get(pk=other.pk)
                other.credited += credit.amount if other.amount < 0 else -credit.amount
                self._save(other)
                credit.cancelled_at = now
                credit.save(update_fields=["cancelled_at"])
            item.credited = ZERO
            item.status = CANCELLED
            item.save(update_fields=["credited", "status"])
            self._net(getattr(item, self.partner_id))
            return item

    def allocate(self, *, partner_id: int, amount: Decimal, requested: list[tuple[int, Decimal]]) -> list[tuple]:
        """Allocate a payment or receipt of ``amount``: first the ``requested`` (item id,
        amount) pairs, the rest to what the partner's open items still owe (a requested one's
        remainder too), oldest due first. Refused with 409 ``over_allocation`` (nothing
        written) when a requested amount is more than its item's outstanding, or the amount is
        more than is owed. Writes the items' paid amounts; the caller writes the allocation
        rows. Locks the partner and its open items."""
        self.lock_partner(partner_id)
        items = {item.pk: item for item in self.open_items(partner_id)}
        shares: dict[int, Decimal] = {}
        left = amount
        for item_id, wanted in requested:
            item = items.get(item_id)
            if item is None or item.outstanding <= 0:
                raise BusinessError(BusinessError.OVER_ALLOCATION, self.messages.not_open % {"id": item_id})
            if wanted > item.outstanding:
                raise BusinessError(
                    BusinessError.OVER_ALLOCATION,
                    _("%(amount)s is more than the %(outstanding)s outstanding on %(number)s.")
                    % {"amount": wanted, "outstanding": item.outstanding, "number": item.source_number},
                    outstanding=str(item.outstanding),
                )
            shares[item.pk] = shares.get(item.pk, ZERO) + wanted
            left -= wanted
        if left < 0:
            raise BusinessError(
                BusinessError.OVER_ALLOCATION,
                _("The allocations add up to %(allocated)s, more than the payment of %(amount)s.")
                % {"allocated": amount - left, "amount": amount},
            )
        # The rest oldest due first, requested items included (for what their request left open).
        for item in items.values():
            if left == 0:
                break
            room = item.outstanding - shares.get(item.pk, ZERO)
            if room <= 0:
                continue
            share = min(left, room)
            shares[item.pk] = shares.get(item.pk, ZERO) + share
            left -= share
        if left > 0:
            owed = money(sum((item.outstanding for item in items.values() if item.outstanding > 0), ZERO))
            raise BusinessError(
                BusinessError.OVER_ALLOCATION,
                self.messages.more_than_owed % {"amount": amount, "owed": owed},
                owed=str(owed),
            )
        result = [(items[pk], share) for pk, share in shares.items()]
        for item, share in result:
            item.paid += share
            self._save(item)
        return result

    def release(self, allocations: list) -> None:
        """Undo the allocations of a payment or receipt being cancelled: their items owe those
        amounts again, and the partner's open notes settle them (oldest first)."""
        if not allocations:
            return
        partner_id = getattr(getattr(allocations[0], self.document_field), self.partner_id)
        self.lock_partner(partner_id)
        for allocation in allocations:
            item = self.item.objects.select_for_update(no_key=True).get(pk=getattr(allocation, f"{self.item_field}_id"))
            item.paid -= allocation.amount
            self._save(item)
        # An open note (a return of goods already paid for) now settles what is owed again.
        self._net(partner_id)

    def balance(self, partner_id: int) -> Decimal:
        """What is owed overall (items minus open notes)."""
        items = self.item.objects.filter(**{self.partner_id: partner_id}, status=OPEN)
        totals = items.aggregate(amount=Sum("amount"), paid=Sum("paid"), credited=Sum("credited"))
        return (totals["amount"] or ZERO) - (totals["paid"] or ZERO) - (totals["credited"] or ZERO)
