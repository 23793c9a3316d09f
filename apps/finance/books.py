"""Do the books reconcile? The checks behind ``manage.py check_books``, the finance page of the
same name and the month-end checklist. Each check returns readable descriptions of what is
wrong; an empty list means it holds."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from apps.core.fields import ZERO, money

from . import chart
from .models import CashAccount, CashMovement, JournalEntry, JournalLine, JournalStatus, OpenItemStatus

POSTED = JournalStatus.POSTED


def _posted_lines():
    return JournalLine.objects.filter(entry__status=POSTED)


def balance_of(code: str) -> Decimal:
    """Debits minus credits of an account and its sub-accounts, all posted entries."""
    lines = _posted_lines().filter(Q(account__code=code) | Q(account__code__startswith=f"{code}."))
    row = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return money((row["debit"] or ZERO) - (row["credit"] or ZERO))


# Amounts have two decimals, so a real difference is at least a cent. Sums are compared with
# half a cent of slack in SQL: SQLite adds decimals in floating point, and its sums of equal
# columns may differ in the twelfth decimal.
HALF_CENT = Decimal("0.005")


def check_journal() -> list[str]:
    """Every posted entry balances, and so does the journal as a whole."""
    problems = []
    unbalanced = (
        JournalEntry.objects.filter(status=POSTED)
        .annotate(debit=Sum("lines__debit"), credit=Sum("lines__credit"), lines_count=Count("lines"))
        .annotate(difference=F("debit") - F("credit"))
        .filter(Q(difference__gt=HALF_CENT) | Q(difference__lt=-HALF_CENT))
        .order_by("id")
    )
    for entry in unbalanced[:50]:
        problems.append(f"{entry.number}: debit {money(entry.debit)} ≠ credit {money(entry.credit)}")
    row = _posted_lines().aggregate(debit=Sum("debit"), credit=Sum("credit"))
    debit, credit = money(row["debit"] or ZERO), money(row["credit"] or ZERO)
    if debit != credit:
        problems.append(f"journal: total debit {debit} ≠ total credit {credit}")
    return problems


def _compare(label: str, books: Decimal, sub_ledger: Decimal, what: str) -> list[str]:
    books, sub_ledger = money(books), money(sub_ledger)  # SQLite's sums carry float noise
    if books != sub_ledger:
        return [f"{label}: books {books}, {what} {sub_ledger} (difference {books - sub_ledger})"]
    return []


def check_inventory() -> list[str]:
    """1405 equals the stock ledger's value (the sum of the stock balances)."""
    from apps.inventory.models import StockBalance, StockLedgerEntry

    books = balance_of(chart.INVENTORY)
    ledger = StockLedgerEntry.objects.aggregate(total=Sum("value"))["total"] or ZERO
    balances = StockBalance.objects.aggregate(total=Sum("value"))["total"] or ZERO
    problems = _compare(f"{chart.INVENTORY} inventory", books, ledger, "stock ledger value")
    problems += _compare(f"{chart.INVENTORY} inventory", books, balances, "stock balances value")
    return problems


def _open_outstanding(model) -> Decimal:
    row = model.objects.exclude(status=OpenItemStatus.CANCELLED).aggregate(
        amount=Sum("amount"), paid=Sum("paid"), credited=Sum("credited")
    )
    return (row["amount"] or ZERO) - (row["paid"] or ZERO) - (row["credited"] or ZERO)


def check_receivables_control() -> list[str]:
    from .models import Receivable

    return _compare(
        f"{chart.RECEIVABLE} receivables",
        balance_of(chart.RECEIVABLE),
        _open_outstanding(Receivable),
        "open receivables",
    )


def check_payables_control() -> list[str]:
    from .models import Payable

    return _compare(
        f"{chart.PAYABLE} payables", -balance_of(chart.PAYABLE), _open_outstanding(Payable), "open payables"
    )


def _posted_tax(model) -> Decimal:
    return model.objects.filter(status="posted").aggregate(total=Sum("total_tax"))["total"] or ZERO


def check_vat() -> list[str]:
    """Input VAT = receipts' tax − purchase returns' tax; output VAT = deliveries' − sales returns'."""
    from apps.purchasing.models import PurchaseReceipt, PurchaseReturn
    from apps.sales.models import Delivery, SalesReturn

    input_tax = _posted_tax(PurchaseReceipt) - _posted_tax(PurchaseReturn)
    output_tax = _posted_tax(Delivery) - _posted_tax(SalesReturn)
    return _compare(
        f"{chart.VAT_INPUT} input VAT", balance_of(chart.VAT_INPUT), input_tax, "document taxes"
    ) + _compare(f"{chart.VAT_OUTPUT} output VAT", -balance_of(chart.VAT_OUTPUT), output_tax, "document taxes")


def check_cash() -> list[str]:
    """Each account's balance is its movements' sum and its last running balance; each ledger
    account of cash equals the balances of the cash/bank accounts booked to it."""
    problems = []
    moved = {
        row["account"]: row["total"] for row in CashMovement.objects.values("account").annotate(total=Sum("amount"))
    }
    by_ledger: dict[int, Decimal] = {}
    for account in CashAccount.objects.select_related("ledger_account").order_by("code"):
        total = money(moved.get(account.pk, ZERO))
        if account.balance != total:
            problems.append(f"{account.code} {account.name}: balance {account.balance}, movements add up to {total}")
        last = CashMovement.objects.filter(account=account).order_by("-id").first()
        if last is not None and last.balance_after != account.balance:
            problems.append(
                f"{account.code} {account.name}: balance {account.balance}, last running balance {last.balance_after}"
            )
        if account.ledger_account_id:
            by_ledger[account.ledger_account_id] = by_ledger.get(account.ledger_account_id, ZERO) + account.balance
    for account_id, total in by_ledger.items():
        lines = _posted_lines().filter(account_id=account_id).aggregate(debit=Sum("debit"), credit=Sum("credit"))
        books = (lines["debit"] or ZERO) - (lines["credit"] or ZERO)
        code = JournalLine._meta.get_field("account").related_model.objects.get(pk=account_id).code
        problems += _compare(f"{code} cash/bank", books, total, "cash/bank account balances")
    return problems


def check_documents() -> list[str]:
    """Every document that moved stock value has its journal entry, and every one whose stock
    movements were reversed (a cancellation) has its entry reversed too. In SQL: a few
    statements whatever the size of the book."""
    from apps.inventory.models import StockLedgerEntry

    originals = JournalEntry.objects.filter(
        status=POSTED, reversal_of__isnull=True, source_type=OuterRef("source_type"), source_id=OuterRef("source_id")
    )
    moved = (
        StockLedgerEntry.objects.filter(reversal_of__isnull=True)
        .exclude(source_type="stock_transfer")
        .exclude(value=0)
        .values_list("source_type", "source_id")
        .distinct()
    )
    problems = [
        f"{source_type} {source_id}: stock value moved but no journal entry"
        for source_type, source_id in moved.filter(~Exists(originals)).order_by("source_type", "source_id")[:50]
    ]
    reversed_stock = (
        StockLedgerEntry.objects.filter(reversal_of__isnull=False)
        .exclude(source_type="stock_transfer")
        .values_list("source_type", "source_id")
        .distinct()
    )
    unreversed = originals.filter(reversed_by__isnull=True)
    problems += [
        f"{source_type} {source_id}: cancelled in the stock ledger but its journal entry is not reversed"
        for source_type, source_id in reversed_stock.filter(Exists(unreversed)).order_by("source_type", "source_id")[
            :50
        ]
    ]
    return problems


def check_open_items() -> list[str]:
    from .checks import check_payables, check_receivables

    return check_payables() + check_receivables()


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    run: Callable[[], list[str]]


CHECKS = [
    Check("journal", _("The journal balances, overall and per entry"), check_journal),
    Check("inventory", _("Inventory (1405) = stock ledger value"), check_inventory),
    Check("receivables", _("Receivables (1122) = open receivables"), check_receivables_control),
    Check("payables", _("Payables (2202) = open payables"), check_payables_control),
    Check("vat", _("VAT accounts = document taxes"), check_vat),
    Check("cash", _("Cash and bank = cash journals"), check_cash),
    Check("documents", _("Every posting has its journal entry"), check_documents),
    Check("open_items", _("Open items match their payments and notes"), check_open_items),
]


def run_checks() -> list[tuple[Check, list[str]]]:
    return [(check, check.run()) for check in CHECKS]


def check_books() -> list[str]:
    """Every problem found, each prefixed with its check."""
    return [f"{check.key}: {problem}" for check, problems in run_checks() for problem in problems]


DRAFT_MODELS = [
    ("purchasing", "PurchaseReceipt"),
    ("purchasing", "PurchaseReturn"),
    ("sales", "Delivery"),
    ("sales", "SalesReturn"),
    ("inventory", "StockAdjustment"),
    ("inventory", "StockTransfer"),
    ("inventory", "StockCount"),
    ("finance", "SupplierPayment"),
    ("finance", "CustomerReceipt"),
    ("finance", "CashTransfer"),
    ("finance", "MoneyDocument"),
    ("finance", "JournalEntry"),
]


def drafts_until(end: datetime.date) -> list[str]:
    """Numbers of documents that would post into the books, still drafts, dated on or before ``end``."""
    from django.apps import apps

    found = []
    for app_label, name in DRAFT_MODELS:
        model = apps.get_model(app_label, name)
        found += list(
            model.objects.filter(status="draft", date__lte=end).order_by("date").values_list("number", flat=True)[:50]
        )
    return found
