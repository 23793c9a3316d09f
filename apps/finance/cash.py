"""Cash and bank accounts (结算账户) and the money that moves through them: the one writer of
``CashAccount.balance`` and of the cash journal (资金流水, :class:`CashMovement`).

Every payment, receipt, transfer and income/expense document moves money through :func:`move`
and is cancelled through :func:`reverse_moves`; both lock the account rows (in id order) and
write the balance after each movement, so the cash journal's running balance is exact under
concurrent postings. The journal entries are written by the same services (apps.finance.postings).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.documents import lock, require_status, set_status
from apps.core.fields import ZERO, money
from apps.core.numbering import next_number

from . import chart, postings
from .models import (
    Account,
    CashAccount,
    CashMovement,
    CashTransfer,
    MoneyCategory,
    MoneyDocument,
    MoneyKind,
    MoneyLine,
    PaymentStatus,
)

DRAFT, POSTED, CANCELLED = PaymentStatus.DRAFT, PaymentStatus.POSTED, PaymentStatus.CANCELLED

SOURCE_OPENING = "cash_opening"
SOURCE_TRANSFER = "cash_transfer"
SOURCE_MONEY = "money_document"


def _lock_accounts(ids) -> dict[int, CashAccount]:
    # FOR NO KEY UPDATE, not FOR UPDATE: the movements and entries written meanwhile reference
    # the account, and their deferred foreign-key checks take FOR KEY SHARE at COMMIT, which a
    # FOR UPDATE waiting in line would block (deadlocks under concurrent postings).
    accounts = CashAccount.objects.select_for_update(no_key=True).filter(pk__in=sorted(set(ids))).order_by("pk")
    return {a.pk: a for a in accounts}


def _store_balance(account: CashAccount) -> None:
    """Write the (locked) account's new balance without an audit-trail row: the cash journal
    is the balance's history, a copy of the account per movement would only bloat the audit."""
    CashAccount.objects.filter(pk=account.pk).update(balance=account.balance)


def move(
    *, account_id: int, amount: Decimal, date, source_type: str, source_id: int, number: str, counterparty: str = ""
) -> CashMovement:
    """Money in (positive) or out (negative) of an account; updates its balance."""
    account = _lock_accounts([account_id])[account_id]
    account.balance = money(account.balance + amount)
    _store_balance(account)
    return CashMovement.objects.create(
        account=account,
        date=date,
        amount=money(amount),
        balance_after=account.balance,
        source_type=source_type,
        source_id=source_id,
        source_number=number,
        counterparty=counterparty[:200],
    )


def reverse_moves(*, source_type: str, source_id: int, date=None) -> list[CashMovement]:
    """The opposite of every movement the source made (a cancellation), dated today."""
    originals = list(
        CashMovement.objects.filter(
            source_type=source_type, source_id=source_id, reversal_of__isnull=True, reversed_by__isnull=True
        ).order_by("id")
    )
    accounts = _lock_accounts([m.account_id for m in originals])
    result = []
    for original in originals:
        account = accounts[original.account_id]
        account.balance = money(account.balance - original.amount)
        _store_balance(account)
        result.append(
            CashMovement.objects.create(
                account=account,
                date=date or timezone.localdate(),
                amount=-original.amount,
                balance_after=account.balance,
                source_type=source_type,
                source_id=source_id,
                source_number=original.source_number,
                counterparty=original.counterparty,
                reversal_of=original,
            )
        )
    return result


# --- Cash/bank accounts --------------------------------------------------------------------


def _check_ledger_account(ledger_account: Account | None, kind: str) -> Account:
    if ledger_account is None:
        return Account.objects.get(code=chart.CASH if kind == CashAccount.Kind.CASH else chart.BANK)
    if not (ledger_account.code.startswith(chart.CASH) or ledger_account.code.startswith(chart.BANK)) or (
        not ledger_account.is_active
    ):
        raise ValidationError(
            {"ledger_account": [_("Choose an active account under 1001 (cash) or 1002 (bank deposits).")]}
        )
    return ledger_account


def _book_opening(account: CashAccount, delta: Decimal, *, user) -> None:
    if delta == 0:
        return
    number = f"{account.code}-OB"
    move(
        account_id=account.pk,
        amount=delta,
        date=account.opening_date,
        source_type=SOURCE_OPENING,
        source_id=account.pk,
        number=number,
    )
    postings.opening_balance(
        account, delta, user=user, source_type=SOURCE_OPENING, number=number, date=account.opening_date
    )


@transaction.atomic
def cash_account_create(
    *, user, code: str, name: str, kind: str, opening_balance=ZERO, opening_date=None, ledger_account=None, **fields
) -> CashAccount:
    """A new account; a non-zero opening balance is booked (cash journal and an entry against
    3001 paid-in capital) on its opening date (409 ``period_closed`` in a closed month)."""
    account = CashAccount(
        code=code,
        name=name,
        kind=kind,
        opening_balance=money(opening_balance or 0),
        opening_date=opening_date or timezone.localdate(),
        ledger_account=_check_ledger_account(ledger_account, kind),
        **fields,
    )
    account.full_clean()
    account._history_user = user
    account.save()
    _book_opening(account, account.opening_balance, user=user)
    account.refresh_from_db()
    return account


@transaction.atomic
def cash_account_update(*, account: CashAccount, user, **fields) -> CashAccount:
    """Change an account. A changed opening balance books the difference on the opening date;
    the opening date and the ledger account cannot change once money has moved (400)."""
    account = _lock_accounts([account.pk])[account.pk]
    before = account.opening_balance
    moved = account.movements.exists()
    if "ledger_account" in fields and fields["ledger_account"] is None:
        # Empty means the default by kind: compare that, not None, with the current account.
        fields["ledger_account"] = _check_ledger_account(None, fields.get("kind") or account.kind)
    kind = fields.get("kind") or account.kind
    default_ledger = account.ledger_account is None or account.ledger_account.code in (chart.CASH, chart.BANK)
    if kind != account.kind and "ledger_account" not in fields and default_ledger and not moved:
        fields["ledger_account"] = _check_ledger_account(None, kind)  # cash books to 1001, bank to 1002
    errors = {}
    for name in ("opening_date", "ledger_account", "kind"):
        if name in fields and fields[name] is not None and fields[name] != getattr(account, name) and moved:
            errors[name] = [_("Money has moved through this account: this cannot change any more.")]
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        if value is not None or name == "ledger_account":
            setattr(account, name, value)
    if "opening_balance" in fields and fields["opening_balance"] is not None:
        account.opening_balance = money(fields["opening_balance"])
    account.ledger_account = _check_ledger_account(account.ledger_account, account.kind)
    account.full_clean()
    account._history_user = user
    account.save()
    _book_opening(account, account.opening_balance - before, user=user)
    account.refresh_from_db()
    return account


@transaction.atomic
def cash_account_delete(*, account: CashAccount, user) -> None:
    """Delete an account nothing went through. The default account (payments naming no account
    use it) and one with movements or documents are 409 ``in_use``: deactivate it instead."""
    from apps.core.errors import BusinessError
    from apps.core.services import record_delete

    if account.is_default:
        raise BusinessError(
            BusinessError.IN_USE,
            _("%(account)s is the default account that payments and receipts use: it cannot be deleted.")
            % {"account": account.name},
        )
    record_delete(account, user=user)


def cash_journal(account: CashAccount, *, date_from=None, date_to=None):
    """The account's movements in order with the balance before the first one shown:
    ``(opening, movements)``; each movement carries ``running`` (the balance after it in date order)."""
    movements = CashMovement.objects.filter(account=account).order_by("date", "id")
    opening = ZERO
    if date_from is not None:
        from django.db.models import Sum

        opening = movements.filter(date__lt=date_from).aggregate(total=Sum("amount"))["total"] or ZERO
        movements = movements.filter(date__gte=date_from)
    if date_to is not None:
        movements = movements.filter(date__lte=date_to)
    rows = list(movements)
    running = money(opening)
    for row in rows:
        running = money(running + row.amount)
        row.running = running
    return money(opening), rows


# --- Cash transfers (资金调拨) ----------------------------------------------------------------


def _check_transfer(from_account, to_account, amount):
    errors = {}
    if from_account is not None and from_account == to_account:
        errors["to_account"] = [_("Money goes to a different account than it comes from.")]
    if amount is not None and money(amount) <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    for name, account in (("from_account", from_account), ("to_account", to_account)):
        if account is not None and not account.is_active:
            errors[name] = [_("This account is inactive.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cash_transfer_create(*, user, from_account, to_account, amount, date=None, note="") -> CashTransfer:
    _check_transfer(from_account, to_account, amount)
    transfer = CashTransfer(
        created_by=user, from_account=from_account, to_account=to_account, amount=money(amount), note=note
    )
    if date is not None:
        transfer.date = date
    transfer.number = next_number(prefix=CashTransfer.number_prefix, date=transfer.date)
    transfer._history_user = user
    transfer.save()
    return transfer


@transaction.atomic
def cash_transfer_update(*, transfer: CashTransfer, user, **fields) -> CashTransfer:
    transfer = lock(transfer)
    require_status(transfer, DRAFT, action=_("edit"))
    for name, value in fields.items():
        if value is not None:
            setattr(transfer, name, money(value) if name == "amount" else value)
    _check_transfer(transfer.from_account, transfer.to_account, transfer.amount)
    transfer._history_user = user
    transfer.save()
    return transfer


@transaction.atomic
def cash_transfer_post(*, transfer: CashTransfer, user) -> CashTransfer:
    """Money leaves one account and enters the other on the transfer's date."""
    transfer = lock(transfer)
    if transfer.status == POSTED:
        return transfer
    require_status(transfer, DRAFT, action=_("be posted"))
    _lock_accounts([transfer.from_account_id, transfer.to_account_id])
    common = {
        "date": transfer.date,
        "source_type": SOURCE_TRANSFER,
        "source_id": transfer.pk,
        "number": transfer.number,
    }
    move(account_id=transfer.from_account_id, amount=-transfer.amount, counterparty=transfer.to_account.name, **common)
    move(account_id=transfer.to_account_id, amount=transfer.amount, counterparty=transfer.from_account.name, **common)
    postings.cash_transfer(transfer, user=user, source_type=SOURCE_TRANSFER)
    return set_status(transfer, POSTED, user=user)


@transaction.atomic
def cash_transfer_cancel(*, transfer: CashTransfer, user) -> CashTransfer:
    transfer = lock(transfer)
    require_status(transfer, DRAFT, POSTED, action=_("be cancelled"))
    if transfer.status == POSTED:
        postings.reverse(transfer, user=user, source_type=SOURCE_TRANSFER)
        reverse_moves(source_type=SOURCE_TRANSFER, source_id=transfer.pk)
    return set_status(transfer, CANCELLED, user=user)


# --- Other income and expenses (收入单 / 支出单) -----------------------------------------------

PREFIX = {MoneyKind.INCOME: "OI", MoneyKind.EXPENSE: "OE"}


def _check_money(kind: str, account, lines: list[dict] | None) -> None:
    errors: dict[str, list[str]] = {}
    if account is not None and not account.is_active:
        errors["account"] = [_("This account is inactive.")]
    if lines is not None:
        problems = []
        if not lines:
            problems.append(_("Add at least one line."))
        for number, line in enumerate(lines, start=1):
            category: MoneyCategory = line.get("category")
            if category is None:
                problems.append(_("Line %(line)s: choose a category.") % {"line": number})
            elif not category.is_active:
                problems.append(_("Line %(line)s: this category is inactive.") % {"line": number})
            elif category.kind != kind:
                problems.append(
                    _("Line %(line)s: %(category)s is not a category of this kind of document.")
                    % {"line": number, "category": category.label}
                )
            if line.get("amount") is None:
                problems.append(_("Line %(line)s: enter the amount.") % {"line": number})
            elif money(line["amount"]) <= 0:
                problems.append(_("Line %(line)s: the amount must be more than zero.") % {"line": number})
        if problems:
            errors["lines"] = problems
    if errors:
        raise ValidationError(errors)


def _write_lines(document: MoneyDocument, lines: list[dict]) -> None:
    document.lines.all().delete()
    MoneyLine.objects.bulk_create(
        MoneyLine(
            document=document,
            line_no=number,
            category=line["category"],
            amount=money(line["amount"]),
            description=line.get("description") or "",
        )
        for number, line in enumerate(lines, start=1)
    )
    document.total = sum((money(line["amount"]) for line in lines), ZERO)


@transaction.atomic
def money_document_create(
    *, user, kind: str, account=None, lines: list[dict], date=None, counterparty: str = "", note: str = ""
) -> MoneyDocument:
    """A draft 收入单 (OI-) or 支出单 (OE-) paid into / from ``account`` (the default account
    when None), one line per category."""
    from .services import default_cash_account

    account = account or default_cash_account()
    if account is None:
        raise ValidationError({"account": [_("Choose an account: there is no default cash/bank account.")]})
    _check_money(kind, account, lines)
    document = MoneyDocument(created_by=user, kind=kind, account=account, counterparty=counterparty, note=note)
    if date is not None:
        document.date = date
    document.number = next_number(prefix=PREFIX[kind], date=document.date)
    document._history_user = user
    document.save()
    _write_lines(document, lines)
    document.save(update_fields=["total"])
    return document


@transaction.atomic
def money_document_update(*, document: MoneyDocument, user, lines: list[dict] | None = None, **fields) -> MoneyDocument:
    document = lock(document)
    require_status(document, DRAFT, action=_("edit"))
    for name, value in fields.items():
        if value is not None:
            setattr(document, name, value)
    _check_money(document.kind, document.account, lines)
    if lines is not None:
        _write_lines(document, lines)
    document._history_user = user
    document.save()
    return document


@transaction.atomic
def money_document_post(*, document: MoneyDocument, user) -> MoneyDocument:
    document = lock(document)
    if document.status == POSTED:
        return document
    require_status(document, DRAFT, action=_("be posted"))
    lines = list(document.lines.select_related("category__account"))
    sign = 1 if document.kind == MoneyKind.INCOME else -1
    move(
        account_id=document.account_id,
        amount=sign * document.total,
        date=document.date,
        source_type=SOURCE_MONEY,
        source_id=document.pk,
        number=document.number,
        counterparty=document.counterparty,
    )
    postings.money_document(document, lines, user=user, source_type=SOURCE_MONEY)
    return set_status(document, POSTED, user=user)


@transaction.atomic
def money_document_cancel(*, document: MoneyDocument, user) -> MoneyDocument:
    document = lock(document)
    require_status(document, DRAFT, POSTED, action=_("be cancelled"))
    if document.status == POSTED:
        postings.reverse(document, user=user, source_type=SOURCE_MONEY)
        reverse_moves(source_type=SOURCE_MONEY, source_id=document.pk)
    return set_status(document, CANCELLED, user=user)
