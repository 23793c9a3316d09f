"""THE JOURNAL: the one writer of journal entries (凭证).

Posting services call :func:`record` in their own transaction with the document's debits and
credits (apps.finance.postings builds them), and :func:`reverse` when the document is
cancelled: the reversal is a new entry with every line on the other side, dated the day of the
cancellation; the original stays as it was. Both refuse a date in a closed month (409
``period_closed``), which rolls the whole posting back. Finance writes manual entries through
:func:`manual_create` / :func:`manual_post` / :func:`manual_reverse`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.documents import lock, require_status, set_status
from apps.core.errors import BusinessError
from apps.core.fields import ZERO, money
from apps.core.numbering import next_number

from . import periods
from .models import Account, JournalEntry, JournalLine, JournalStatus


@dataclass(frozen=True)
class Source:
    """The document an entry comes from."""

    type: str
    id: int
    number: str


@dataclass(frozen=True)
class Posting:
    """One side of an entry: ``amount`` is signed, a debit positive and a credit negative.
    ``account`` is a code ("1405") or an Account."""

    account: str | Account
    amount: Decimal
    description: str = ""


def _accounts(postings: list[Posting]) -> dict[str, Account]:
    codes = {p.account for p in postings if isinstance(p.account, str)}
    found = {a.code: a for a in Account.objects.filter(code__in=codes)}
    missing = codes - set(found)
    if missing:
        raise ValueError(f"accounts missing from the chart: {sorted(missing)}")
    return found


def _lines(postings: Iterable[Posting]) -> list[JournalLine]:
    postings = [Posting(p.account, money(p.amount), p.description) for p in postings if money(p.amount) != 0]
    accounts = _accounts(postings)
    lines = []
    for number, posting in enumerate(postings, start=1):
        account = accounts[posting.account] if isinstance(posting.account, str) else posting.account
        lines.append(
            JournalLine(
                line_no=number,
                account=account,
                debit=posting.amount if posting.amount > 0 else ZERO,
                credit=-posting.amount if posting.amount < 0 else ZERO,
                description=posting.description,
            )
        )
    return lines


def _write(*, date: datetime.date, user, memo: str, lines: list[JournalLine], status: str, **fields) -> JournalEntry:
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    if debit != credit:
        raise ValueError(f"unbalanced entry: debit {debit} credit {credit}")
    entry = JournalEntry(
        number=next_number(prefix=JournalEntry.number_prefix, date=date),
        date=date,
        memo=memo[:200],
        created_by=user,
        status=status,
        total=debit,
        posted_at=timezone.now() if status == JournalStatus.POSTED else None,
        **fields,
    )
    entry._history_user = user
    entry.save()
    for line in lines:
        line.entry = entry
    JournalLine.objects.bulk_create(lines)
    return entry


def record(*, source: Source, date: datetime.date, user, memo: str, postings: Iterable[Posting]) -> JournalEntry | None:
    """Write the posted entry of ``source`` on ``date`` (lines of zero are dropped; nothing is
    written when none is left). The postings must balance (ValueError: a programming error,
    posting rules balance their own rounding). 409 ``period_closed`` for a closed month."""
    periods.hold_open(date)
    lines = _lines(postings)
    if not lines:
        return None
    return _write(
        date=date,
        user=user,
        memo=memo,
        lines=lines,
        status=JournalStatus.POSTED,
        source_type=source.type,
        source_id=source.id,
        source_number=source.number,
    )


def _reversal(entry: JournalEntry, *, user, date: datetime.date) -> JournalEntry:
    periods.hold_open(date)
    lines = [
        JournalLine(
            line_no=line.line_no,
            account_id=line.account_id,
            debit=line.credit,
            credit=line.debit,
            description=line.description,
        )
        for line in entry.lines.all()
    ]
    return _write(
        date=date,
        user=user,
        memo=_("Reversal of %(number)s") % {"number": entry.number},
        lines=lines,
        status=JournalStatus.POSTED,
        source_type=entry.source_type,
        source_id=entry.source_id,
        source_number=entry.source_number,
        reversal_of=entry,
    )


def reverse(*, source: Source, user, date: datetime.date | None = None) -> list[JournalEntry]:
    """Reverse every entry ``source`` wrote that is not reversed yet (a cancellation), dated
    ``date`` (today). 409 ``period_closed`` when that day's month is closed."""
    date = date or timezone.localdate()
    periods.hold_open(date)
    originals = JournalEntry.objects.filter(
        source_type=source.type,
        source_id=source.id,
        reversal_of__isnull=True,
        reversed_by__isnull=True,
        status=JournalStatus.POSTED,
    ).order_by("id")
    return [_reversal(entry, user=user, date=date) for entry in originals]


# --- Manual entries (finance) ----------------------------------------------------------------


def _manual_lines(lines: list[dict]) -> list[JournalLine]:
    """Lines ``{account, debit, credit, description}``: each on one side only; at least two;
    debits equal to credits (400 with the sums otherwise)."""
    errors = []
    result = []
    for number, line in enumerate(lines or [], start=1):
        debit, credit = money(line.get("debit") or 0), money(line.get("credit") or 0)
        account = line.get("account")
        if debit < 0 or credit < 0:
            errors.append(_("Line %(line)s: amounts are never negative.") % {"line": number})
        elif (debit == 0) == (credit == 0):
            errors.append(_("Line %(line)s: enter either a debit or a credit.") % {"line": number})
        if account is None:
            errors.append(_("Line %(line)s: choose an account.") % {"line": number})
        elif not account.is_active:
            errors.append(_("Line %(line)s: account %(code)s is inactive.") % {"line": number, "code": account.code})
        result.append(
            JournalLine(
                line_no=number,
                account=account,
                debit=debit,
                credit=credit,
                description=line.get("description") or "",
            )
        )
    if errors:
        raise ValidationError({"lines": errors})
    if len(result) < 2:
        raise ValidationError({"lines": [_("An entry needs at least two lines.")]})
    debit = sum((line.debit for line in result), ZERO)
    credit = sum((line.credit for line in result), ZERO)
    if debit != credit:
        raise ValidationError(
            {
                "lines": [
                    _("Debits (%(debit)s) and credits (%(credit)s) must be equal.") % {"debit": debit, "credit": credit}
                ]
            }
        )
    return result


@transaction.atomic
def manual_create(*, user, lines: list[dict], date: datetime.date | None = None, memo: str = "", note: str = ""):
    """A draft manual entry; refused (400) unless balanced."""
    built = _manual_lines(lines)
    return _write(
        date=date or timezone.localdate(), user=user, memo=memo, lines=built, status=JournalStatus.DRAFT, note=note
    )


def _manual(entry: JournalEntry) -> JournalEntry:
    entry = lock(entry)
    if not entry.is_manual:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s was written by %(source)s: cancel that document instead.")
            % {"number": entry.number, "source": entry.source_number},
        )
    return entry


@transaction.atomic
def manual_update(*, entry: JournalEntry, user, lines: list[dict] | None = None, date=None, memo=None, note=None):
    """Change a draft manual entry (None leaves a field); posted entries are never edited (409)."""
    entry = _manual(entry)
    require_status(entry, JournalStatus.DRAFT, action=_("edit"))
    if lines is not None:
        built = _manual_lines(lines)
        entry.lines.all().delete()
        for line in built:
            line.entry = entry
        JournalLine.objects.bulk_create(built)
        entry.total = sum((line.debit for line in built), ZERO)
    for name, value in (("date", date), ("memo", memo), ("note", note)):
        if value is not None:
            setattr(entry, name, value)
    entry._history_user = user
    entry.save()
    return entry


@transaction.atomic
def manual_delete(*, entry: JournalEntry, user) -> None:
    entry = _manual(entry)
    require_status(entry, JournalStatus.DRAFT, action=_("be deleted"))
    entry.delete()


@transaction.atomic
def manual_post(*, entry: JournalEntry, user) -> JournalEntry:
    """Post a draft manual entry dated in an open month (409 ``period_closed``)."""
    entry = _manual(entry)
    if entry.status == JournalStatus.POSTED:
        return entry
    periods.hold_open(entry.date)
    _manual_lines([{"account": x.account, "debit": x.debit, "credit": x.credit} for x in entry.lines.all()])
    entry.posted_at = timezone.now()
    entry.save(update_fields=["posted_at"])
    return set_status(entry, JournalStatus.POSTED, user=user)


@transaction.atomic
def manual_reverse(*, entry: JournalEntry, user, date: datetime.date | None = None) -> JournalEntry:
    """Reverse a posted manual entry with a new entry (dated today unless given); the
    original stays. Reversing twice is 409 ``invalid_state``."""
    entry = _manual(entry)
    require_status(entry, JournalStatus.POSTED, action=_("be reversed"))
    if entry.reversal_of_id is not None or JournalEntry.objects.filter(reversal_of=entry).exists():
        raise BusinessError(
            BusinessError.INVALID_STATE, _("%(number)s is already reversed.") % {"number": entry.number}
        )
    return _reversal(entry, user=user, date=date or timezone.localdate())
