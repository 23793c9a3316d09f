"""THE writer of receivables (应收): open items per customer, the credit notes (negative
receivables, from sales returns) that settle them and the customer receipts allocated to them.
Sales posting services call :func:`receivable_open` and :func:`receivable_cancel` in their own
transaction; customer receipts call :func:`allocate` and :func:`release`. The rules are those
of :mod:`apps.finance.openitems`."""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from apps.customers.models import Customer

from .models import Receivable, ReceivableCredit
from .openitems import Messages, OpenItemBook, Source

__all__ = ["BOOK", "Source", "allocate", "customer_balance", "lock_customer", "receivable_cancel", "receivable_open"]

BOOK = OpenItemBook(
    item=Receivable,
    credit=ReceivableCredit,
    partner=Customer,
    partner_field="customer",
    note_field="credit_note",
    item_field="receivable",
    document_field="receipt",
    messages=Messages(
        not_open=_("Receivable %(id)s is not open for this customer: nothing can be allocated to it."),
        more_than_owed=_("The receipt of %(amount)s is more than the %(owed)s this customer owes."),
        paid_already=_("%(number)s has been paid (%(payments)s): cancel the customer receipt first."),
    ),
)


def lock_customer(customer_id: int) -> Customer:
    return BOOK.lock_partner(customer_id)


def receivable_open(
    *, customer_id: int, source: Source, date: Date, due_date: Date, amount: Decimal, settles: Source | None = None
) -> Receivable:
    """A receivable (amount > 0) or a credit note (amount < 0) for a posted document."""
    return BOOK.open(
        partner_id=customer_id, source=source, date=date, due_date=due_date, amount=amount, settles=settles
    )


def receivable_cancel(*, source: Source) -> Receivable | None:
    return BOOK.cancel(source=source)


def allocate(*, customer_id: int, amount: Decimal, requested: list[tuple[int, Decimal]]) -> list[tuple]:
    return BOOK.allocate(partner_id=customer_id, amount=amount, requested=requested)


def release(allocations) -> None:
    BOOK.release(allocations)


def customer_balance(customer_id: int) -> Decimal:
    """What the customer owes overall (receivables minus open credit notes)."""
    return BOOK.balance(customer_id)
