"""THE writer of payables (应付): open items per supplier, the debit notes (negative payables,
from purchase returns) that settle them and the supplier payments allocated to them.
Purchasing's posting services call :func:`payable_open` and :func:`payable_cancel` in their own
transaction; supplier payments call :func:`allocate` and :func:`release`. The rules are those of
:mod:`apps.finance.openitems`."""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from apps.suppliers.models import Supplier

from .models import Payable, PayableCredit
from .openitems import Messages, OpenItemBook, Source

__all__ = ["BOOK", "Source", "allocate", "lock_supplier", "payable_cancel", "payable_open", "release"]

BOOK = OpenItemBook(
    item=Payable,
    credit=PayableCredit,
    partner=Supplier,
    partner_field="supplier",
    note_field="debit_note",
    item_field="payable",
    document_field="payment",
    messages=Messages(
        not_open=_("Payable %(id)s is not open for this supplier: nothing can be allocated to it."),
        more_than_owed=_("The payment of %(amount)s is more than the %(owed)s owed to this supplier."),
        paid_already=_("%(number)s has been paid (%(payments)s): cancel the payment first."),
    ),
)


def lock_supplier(supplier_id: int) -> Supplier:
    return BOOK.lock_partner(supplier_id)


def payable_open(
    *, supplier_id: int, source: Source, date: Date, due_date: Date, amount: Decimal, settles: Source | None = None
) -> Payable:
    """A payable (amount > 0) or a debit note (amount < 0) for a posted document."""
    return BOOK.open(
        partner_id=supplier_id, source=source, date=date, due_date=due_date, amount=amount, settles=settles
    )


def payable_cancel(*, source: Source) -> Payable | None:
    return BOOK.cancel(source=source)


def allocate(
    *, supplier_id: int, amount: Decimal, requested: list[tuple[int, Decimal]]
) -> list[tuple[Payable, Decimal]]:
    return BOOK.allocate(partner_id=supplier_id, amount=amount, requested=requested)


def release(allocations) -> None:
    BOOK.release(allocations)


def supplier_balance(supplier_id: int) -> Decimal:
    """What we owe the supplier overall (payables minus open debit notes)."""
    return BOOK.balance(supplier_id)
