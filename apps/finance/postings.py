"""The posting rules: which accounts each business document debits and credits.

Called by the document's own posting service, in its transaction, after the stock ledger and
the open items are written (so the entry uses exactly their numbers); the cancelling service
calls :func:`reverse`. Stock values come from the stock ledger entries; money from the
document's totals. Where the two differ by rounding (a return valued at a receipt's cost to
more decimals than its lines), the few cents go to cost of sales so every entry balances.

| document                | debit                                   | credit                              |
|-------------------------|-----------------------------------------|-------------------------------------|
| purchase receipt        | 1405 stock value, 2221.01 VAT           | 2202 total                          |
| purchase return         | 2202 total                              | 1405 stock value, 2221.01 VAT       |
| delivery                | 1122 total; 6401 cost                   | 6001 net, 2221.02 VAT; 1405 cost    |
| sales return            | 6001 net, 2221.02 VAT; 1405 cost        | 1122 total; 6401 cost               |
| adjustment / count      | 1405 gain, or the reason's account      | the reason's account, or 1405 loss  |
| supplier payment        | 2202                                    | the cash account's ledger account   |
| customer receipt        | the cash account's ledger account       | 1122                                |
| cash transfer           | to-account                              | from-account                        |
| other income / expense  | cash / the category's account           | the category's account / cash       |
| opening cash balance    | the cash account's ledger account       | 3001                                |

Stock transfers between our own warehouses move no value in the books.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from apps.core.fields import ZERO

from . import chart, journal
from .journal import Posting

# Where stock adjustments book the other side, by reason (stock in / stock out).
ADJUSTMENT_ACCOUNTS = {
    "opening": (chart.CAPITAL, chart.CAPITAL),
    "found": (chart.OTHER_GAINS, chart.OTHER_GAINS),
    "scrap": (chart.OTHER_LOSSES, chart.OTHER_LOSSES),
    "damage": (chart.OTHER_LOSSES, chart.OTHER_LOSSES),
    "gift": (chart.SELLING_EXPENSES, chart.SELLING_EXPENSES),
    "internal_use": (chart.ADMIN_EXPENSES, chart.ADMIN_EXPENSES),
    "other": (chart.OTHER_GAINS, chart.OTHER_LOSSES),
}


def _source(document, source_type: str) -> journal.Source:
    return journal.Source(type=source_type, id=document.pk, number=document.number)


def _stock_value(entries) -> Decimal:
    return sum((entry.value for entry in entries), ZERO)


def _balanced(postings: list[Posting], residual_account: str = chart.COST_OF_SALES) -> list[Posting]:
    """Add the rounding residue (if any) to ``residual_account`` so the entry balances."""
    residue = sum((p.amount for p in postings), ZERO)
    if residue:
        postings.append(Posting(residual_account, -residue, _("Rounding difference")))
    return postings


def _partner(document, field: str) -> str:
    partner = getattr(document, field)
    return f"{partner.code} {partner.name}" if partner is not None else ""


def purchase_receipt(receipt, entries, *, user, source_type: str):
    memo = _("Purchase receipt %(number)s, %(partner)s") % {
        "number": receipt.number,
        "partner": _partner(receipt, "supplier"),
    }
    postings = [
        Posting(chart.INVENTORY, _stock_value(entries)),
        Posting(chart.VAT_INPUT, receipt.total_tax),
        Posting(chart.PAYABLE, -receipt.total),
    ]
    return journal.record(
        source=_source(receipt, source_type), date=receipt.date, user=user, memo=memo, postings=_balanced(postings)
    )


def purchase_return(document, entries, *, user, source_type: str):
    memo = _("Purchase return %(number)s, %(partner)s") % {
        "number": document.number,
        "partner": _partner(document, "supplier"),
    }
    postings = [
        Posting(chart.PAYABLE, document.total),
        Posting(chart.INVENTORY, _stock_value(entries)),  # negative: goods out
        Posting(chart.VAT_INPUT, -document.total_tax),
    ]
    return journal.record(
        source=_source(document, source_type), date=document.date, user=user, memo=memo, postings=_balanced(postings)
    )


def delivery(document, entries, *, user, source_type: str):
    memo = _("Delivery %(number)s, %(partner)s") % {
        "number": document.number,
        "partner": _partner(document, "customer"),
    }
    cost = -_stock_value(entries)
    postings = [
        Posting(chart.RECEIVABLE, document.total),
        Posting(chart.REVENUE, -document.total_net),
        Posting(chart.VAT_OUTPUT, -document.total_tax),
        Posting(chart.COST_OF_SALES, cost),
        Posting(chart.INVENTORY, -cost),
    ]
    return journal.record(
        source=_source(document, source_type), date=document.date, user=user, memo=memo, postings=postings
    )


def sales_return(document, entries, *, user, source_type: str):
    memo = _("Sales return %(number)s, %(partner)s") % {
        "number": document.number,
        "partner": _partner(document, "customer"),
    }
    cost = _stock_value(entries)
    postings = [
        Posting(chart.REVENUE, document.total_net),
        Posting(chart.VAT_OUTPUT, document.total_tax),
        Posting(chart.RECEIVABLE, -document.total),
        Posting(chart.INVENTORY, cost),
        Posting(chart.COST_OF_SALES, -cost),
    ]
    return journal.record(
        source=_source(document, source_type), date=document.date, user=user, memo=memo, postings=postings
    )


def stock_change(document, entries, *, user, source_type: str, reason: str, memo: str):
    """An adjustment or a count: the stock value in or out against the reason's account."""
    gain_account, loss_account = ADJUSTMENT_ACCOUNTS.get(reason, ADJUSTMENT_ACCOUNTS["other"])
    gained = sum((e.value for e in entries if e.value > 0), ZERO)
    lost = -sum((e.value for e in entries if e.value < 0), ZERO)
    postings = [
        Posting(chart.INVENTORY, gained - lost),
        Posting(gain_account, -gained),
        Posting(loss_account, lost),
    ]
    return journal.record(
        source=_source(document, source_type), date=document.date, user=user, memo=memo, postings=postings
    )


def stock_adjustment(adjustment, entries, *, user, source_type: str):
    memo = _("Stock adjustment %(number)s (%(reason)s)") % {
        "number": adjustment.number,
        "reason": adjustment.get_reason_display(),
    }
    return stock_change(
        adjustment, entries, user=user, source_type=source_type, reason=adjustment.reason, memo=str(memo)
    )


def stock_count(count, entries, *, user, source_type: str):
    memo = _("Stock count %(number)s: gains and losses") % {"number": count.number}
    return stock_change(count, entries, user=user, source_type=source_type, reason="other", memo=str(memo))


def cash_ledger_account(cash_account):
    """The chart account a cash/bank account books to (1001 or 1002 by kind when unset)."""
    if cash_account.ledger_account_id:
        return cash_account.ledger_account
    from .models import Account

    return Account.objects.get(code=chart.CASH if cash_account.kind == "cash" else chart.BANK)


def supplier_payment(payment, *, user, source_type: str):
    memo = _("Payment %(number)s to %(partner)s") % {"number": payment.number, "partner": _partner(payment, "supplier")}
    postings = [Posting(chart.PAYABLE, payment.amount), Posting(cash_ledger_account(payment.account), -payment.amount)]
    return journal.record(
        source=_source(payment, source_type), date=payment.date, user=user, memo=memo, postings=postings
    )


def customer_receipt(receipt, *, user, source_type: str):
    memo = _("Receipt %(number)s from %(partner)s") % {
        "number": receipt.number,
        "partner": _partner(receipt, "customer"),
    }
    postings = [
        Posting(cash_ledger_account(receipt.account), receipt.amount),
        Posting(chart.RECEIVABLE, -receipt.amount),
    ]
    return journal.record(
        source=_source(receipt, source_type), date=receipt.date, user=user, memo=memo, postings=postings
    )


def cash_transfer(transfer, *, user, source_type: str):
    memo = _("Transfer %(number)s: %(from)s → %(to)s") % {
        "number": transfer.number,
        "from": transfer.from_account.name,
        "to": transfer.to_account.name,
    }
    postings = [
        Posting(cash_ledger_account(transfer.to_account), transfer.amount),
        Posting(cash_ledger_account(transfer.from_account), -transfer.amount),
    ]
    return journal.record(
        source=_source(transfer, source_type), date=transfer.date, user=user, memo=memo, postings=postings
    )


def money_document(document, lines, *, user, source_type: str):
    """Other income (cash in, category accounts credited) or expense (category accounts
    debited, cash out)."""
    sign = 1 if document.kind == "expense" else -1
    memo = f"{document.number} {document.counterparty}".strip()
    postings = [
        Posting(line.category.account, sign * line.amount, line.description or line.category.name) for line in lines
    ]
    postings.append(Posting(cash_ledger_account(document.account), -sign * document.total))
    return journal.record(
        source=_source(document, source_type), date=document.date, user=user, memo=memo, postings=postings
    )


def opening_balance(cash_account, delta: Decimal, *, user, source_type: str, number: str, date):
    memo = _("Opening balance of %(account)s") % {"account": cash_account.name}
    postings = [Posting(cash_ledger_account(cash_account), delta), Posting(chart.CAPITAL, -delta)]
    return journal.record(
        source=journal.Source(type=source_type, id=cash_account.pk, number=number),
        date=date,
        user=user,
        memo=memo,
        postings=postings,
    )


def reverse(document, *, user, source_type: str):
    return journal.reverse(source=_source(document, source_type), user=user)
