"""Writes of finance documents: supplier payments (付款单) and customer receipts (收款单).
Both work the same way (a :class:`Settlement`): a draft names a partner, an amount, an account
and requested allocations; posting allocates it (the requested ones, the rest oldest due first)
through the partner's open-item book; cancelling releases it. Each service is one transaction;
open items change only through apps.finance.payables / receivables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.documents import lock, require_status, set_status
from apps.core.errors import BusinessError
from apps.core.fields import money
from apps.core.numbering import next_number
from apps.core.services import record_delete, record_save

from . import cash, payables, postings, receivables
from .models import (
    Account,
    CashAccount,
    CustomerReceipt,
    CustomerReceiptAllocation,
    MoneyCategory,
    PaymentStatus,
    SupplierPayment,
    SupplierPaymentAllocation,
)
from .openitems import OpenItemBook

DRAFT, POSTED, CANCELLED = PaymentStatus.DRAFT, PaymentStatus.POSTED, PaymentStatus.CANCELLED


@dataclass(frozen=True)
class Settlement:
    """A money document that settles one partner's open items."""

    model: type[models.Model]
    allocation: type[models.Model]
    book: OpenItemBook
    not_partners_item: str  # "Line %(line)s: %(number)s is not a payable of this supplier."
    source_type: str  # of its cash movements and journal entries
    direction: int  # money in (+1, receipts) or out (-1, payments) of the cash account
    journal_entry: Callable  # apps.finance.postings' rule for it

    @property
    def partner(self) -> str:
        return self.book.partner_field

    @property
    def item(self) -> str:
        return self.book.item_field


PAYMENTS = Settlement(
    model=SupplierPayment,
    allocation=SupplierPaymentAllocation,
    book=payables.BOOK,
    not_partners_item=gettext_lazy("Line %(line)s: %(number)s is not a payable of this supplier."),
    source_type="supplier_payment",
    direction=-1,
    journal_entry=postings.supplier_payment,
)
RECEIPTS = Settlement(
    model=CustomerReceipt,
    allocation=CustomerReceiptAllocation,
    book=receivables.BOOK,
    not_partners_item=gettext_lazy("Line %(line)s: %(number)s is not a receivable of this customer."),
    source_type="customer_receipt",
    direction=1,
    journal_entry=postings.customer_receipt,
)


def default_cash_account() -> CashAccount | None:
    return CashAccount.objects.filter(is_default=True, is_active=True).first()


def _check(kind: Settlement, *, partner, amount, account: CashAccount | None, allocations: list[dict]) -> CashAccount:
    errors: dict[str, list[str]] = {}
    if amount is not None and money(amount) <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    if account is None:
        account = default_cash_account()
        if account is None:
            errors["account"] = [_("Choose an account: there is no default cash/bank account.")]
    elif not account.is_active:
        errors["account"] = [_("This account is inactive.")]
    lines, seen, total = [], set(), Decimal(0)
    for number, allocation in enumerate(allocations, start=1):
        item = allocation[kind.item]
        share = money(allocation["amount"])
        if getattr(item, kind.book.partner_id) != partner.pk:
            lines.append(kind.not_partners_item % {"line": number, "number": item.source_number})
        if share <= 0:
            lines.append(_("Line %(line)s: the amount must be more than zero.") % {"line": number})
        if item.pk in seen:
            lines.append(_("Line %(line)s: this item is already allocated above.") % {"line": number})
        seen.add(item.pk)
        total += share
    if amount is not None and money(amount) > 0 and total > money(amount):
        lines.append(
            _("The allocations add up to %(total)s, more than the amount of %(amount)s.")
            % {"total": total, "amount": money(amount)}
        )
    if lines:
        errors["allocations"] = lines
    if errors:
        raise ValidationError(errors)
    return account


def _write_allocations(kind: Settlement, document, allocations: list[tuple]) -> None:
    document.allocations.all().delete()
    kind.allocation.objects.bulk_create(
        kind.allocation(**{kind.book.document_field: document, kind.item: item}, amount=money(amount))
        for item, amount in allocations
    )


def _requested(kind: Settlement, allocations: list[dict]) -> list[tuple]:
    return [(allocation[kind.item], allocation["amount"]) for allocation in allocations]


@transaction.atomic
def settlement_create(kind: Settlement, *, user, partner, amount, account=None, allocations=None, date=None, **fields):
    """A draft (PAY-/RC-<year>-<n>) of ``amount`` for ``partner`` through ``account`` (the
    default account when None), with requested ``allocations`` ({payable|receivable, amount});
    what they leave is allocated oldest first at posting. Refuses (400) an item of another
    partner and allocations adding up to more than the amount."""
    allocations = allocations or []
    account = _check(kind, partner=partner, amount=amount, account=account, allocations=allocations)
    document = kind.model(created_by=user, amount=money(amount), account=account, **{kind.partner: partner}, **fields)
    if date is not None:
        document.date = date
    document.number = next_number(prefix=kind.model.number_prefix, date=document.date)
    document.full_clean(exclude=["created_by"])
    document._history_user = user
    document.save()
    _write_allocations(kind, document, _requested(kind, allocations))
    return document


@transaction.atomic
def settlement_update(kind: Settlement, *, document, user, account=None, allocations=None, **fields):
    """Change a draft (fields left None stay; ``allocations`` given replace the requested
    ones). Anything but a draft is 409 ``invalid_state``."""
    document = lock(document)
    require_status(document, DRAFT, action=_("edit"))
    for name, value in fields.items():
        if value is not None:
            setattr(document, name, money(value) if name == "amount" else value)
    keep = allocations is None
    if keep:
        allocations = [
            {kind.item: getattr(a, kind.item), "amount": a.amount}
            for a in document.allocations.select_related(kind.item)
        ]
    document.account = _check(
        kind,
        partner=getattr(document, kind.partner),
        amount=document.amount,
        account=account or document.account,
        allocations=allocations,
    )
    document.full_clean(exclude=["created_by"])
    document._history_user = user
    document.save()
    if not keep:
        _write_allocations(kind, document, _requested(kind, allocations))
    return document


@transaction.atomic
def settlement_post(kind: Settlement, *, document, user):
    """Post a draft: allocate it (the requested allocations, the rest oldest due first) and
    settle those items. Refused with 409 ``over_allocation`` (nothing written, still a draft)
    when it settles more than an item's outstanding or more than is owed. Locks the document,
    then the partner and its open items. Posting a posted document changes nothing."""
    document = lock(document)
    if document.status == POSTED:
        return document
    require_status(document, DRAFT, action=_("be posted"))
    requested = [(getattr(a, f"{kind.item}_id"), a.amount) for a in document.allocations.order_by("id")]
    result = kind.book.allocate(
        partner_id=getattr(document, kind.book.partner_id), amount=document.amount, requested=requested
    )
    _write_allocations(kind, document, result)
    partner = getattr(document, kind.partner)
    cash.move(
        account_id=document.account_id,
        amount=kind.direction * document.amount,
        date=document.date,
        source_type=kind.source_type,
        source_id=document.pk,
        number=document.number,
        counterparty=partner.name,
    )
    kind.journal_entry(document, user=user, source_type=kind.source_type)
    return set_status(document, POSTED, user=user)


@transaction.atomic
def settlement_cancel(kind: Settlement, *, document, user):
    """Cancel: a draft just becomes cancelled; a posted document's allocations are undone (its
    items are owed those amounts again); a cancelled one is 409 ``invalid_state``."""
    document = lock(document)
    require_status(document, DRAFT, POSTED, action=_("be cancelled"))
    if document.status == POSTED:
        kind.book.release(list(document.allocations.select_related(kind.book.document_field)))
        postings.reverse(document, user=user, source_type=kind.source_type)
        cash.reverse_moves(source_type=kind.source_type, source_id=document.pk)
    return set_status(document, CANCELLED, user=user)


# --- Supplier payments (付款单) -------------------------------------------------------------


def supplier_payment_create(*, user, supplier, amount: Decimal, **fields) -> SupplierPayment:
    return settlement_create(PAYMENTS, user=user, partner=supplier, amount=amount, **fields)


def supplier_payment_update(*, payment: SupplierPayment, user, **fields) -> SupplierPayment:
    return settlement_update(PAYMENTS, document=payment, user=user, **fields)


def supplier_payment_post(*, payment: SupplierPayment, user) -> SupplierPayment:
    return settlement_post(PAYMENTS, document=payment, user=user)


def supplier_payment_cancel(*, payment: SupplierPayment, user) -> SupplierPayment:
    return settlement_cancel(PAYMENTS, document=payment, user=user)


# --- Customer receipts (收款单) -------------------------------------------------------------


def customer_receipt_create(*, user, customer, amount: Decimal, **fields) -> CustomerReceipt:
    return settlement_create(RECEIPTS, user=user, partner=customer, amount=amount, **fields)


def customer_receipt_update(*, receipt: CustomerReceipt, user, **fields) -> CustomerReceipt:
    return settlement_update(RECEIPTS, document=receipt, user=user, **fields)


def customer_receipt_post(*, receipt: CustomerReceipt, user) -> CustomerReceipt:
    return settlement_post(RECEIPTS, document=receipt, user=user)


def customer_receipt_cancel(*, receipt: CustomerReceipt, user) -> CustomerReceipt:
    return settlement_cancel(RECEIPTS, document=receipt, user=user)


# --- The chart of accounts (科目) -------------------------------------------------------------


@transaction.atomic
def account_create(*, user, parent: Account, code: str, name: str, name_en: str = "") -> Account:
    """A sub-account of ``parent``: its code extends the parent's ("6602" → "6602.01") and it
    takes the parent's kind. Refused (400) for any other code or a code already used."""
    code = (code or "").strip()
    suffix = code[len(parent.code) + 1 :] if code.startswith(f"{parent.code}.") else ""
    if not suffix or not suffix.isdigit():
        raise ValidationError(
            {"code": [_("A sub-account of %(parent)s is numbered %(parent)s.NN.") % {"parent": parent.code}]}
        )
    if not parent.is_active:
        raise ValidationError({"parent": [_("This account is inactive.")]})
    return record_save(
        Account(parent=parent, kind=parent.kind),
        user=user,
        fields={"code": code, "name": name, "name_en": name_en or ""},
    )


@transaction.atomic
def account_update(*, account: Account, user, name=None, name_en=None, is_active=None) -> Account:
    """Rename or (de)activate an account; its code, kind and parent never change. An account
    the posting rules book to (chart.CHART) cannot be deactivated (400)."""
    from . import chart

    if is_active is False and account.code in {row[0] for row in chart.CHART}:
        raise ValidationError({"is_active": [_("The posting rules book to this account: it stays active.")]})
    fields = {k: v for k, v in (("name", name), ("name_en", name_en), ("is_active", is_active)) if v is not None}
    return record_save(account, user=user, fields=fields)


@transaction.atomic
def account_delete(*, account: Account, user) -> None:
    """Delete an unused sub-account. One with journal lines or sub-accounts, a seeded one, or one
    a cash account or category books to is 409 ``in_use`` (deactivate it instead)."""
    from . import chart

    used = (
        account.code in {row[0] for row in chart.CHART}
        or account.journal_lines.exists()
        or account.children.exists()
        or account.cash_accounts.exists()
        or MoneyCategory.objects.filter(account=account).exists()
    )
    if used:
        raise BusinessError(
            BusinessError.IN_USE,
            _("%(account)s is used: deactivate it instead of deleting it.") % {"account": account.code},
        )
    record_delete(account, user=user)
