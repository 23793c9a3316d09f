"""The financial statements, read from posted journal entries (and, for cash flow, from the cash
journal): trial balance (科目余额表), income statement (利润表), balance sheet (资产负债表) and a
simple cash-flow summary (现金流量). Balances are debits minus credits; a statement shows each
account on its natural side (assets and expenses debit, the others credit)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from apps.core.fields import ZERO

from . import chart
from .models import Account, AccountKind, CashAccount, CashMovement, JournalLine, JournalStatus


def _sums(*, date_from=None, date_to=None) -> dict[int, tuple[Decimal, Decimal]]:
    """{account id: (debit, credit)} of posted lines dated in the range (inclusive)."""
    lines = JournalLine.objects.filter(entry__status=JournalStatus.POSTED)
    if date_from is not None:
        lines = lines.filter(entry__date__gte=date_from)
    if date_to is not None:
        lines = lines.filter(entry__date__lte=date_to)
    return {
        row["account"]: (row["debit"] or ZERO, row["credit"] or ZERO)
        for row in lines.values("account").annotate(debit=Sum("debit"), credit=Sum("credit"))
    }


def _sides(balance: Decimal) -> tuple[Decimal, Decimal]:
    return (balance, ZERO) if balance >= 0 else (ZERO, -balance)


def trial_balance(*, date_to: datetime.date, date_from: datetime.date | None = None) -> dict:
    """Every account with a balance or a movement: its balance at ``date_to`` in the debit or
    credit column (the contract's ``debit``/``credit``), and with ``date_from`` also the
    opening balance and the period's debits and credits. Totals balance."""
    closing = _sums(date_to=date_to)
    opening = _sums(date_to=date_from - datetime.timedelta(days=1)) if date_from else {}
    period = _sums(date_from=date_from, date_to=date_to) if date_from else closing
    rows = []
    totals = defaultdict(Decimal)
    for account in Account.objects.filter(pk__in=set(closing) | set(period)).order_by("code"):
        debit, credit = closing.get(account.pk, (ZERO, ZERO))
        close_debit, close_credit = _sides(debit - credit)
        o_debit, o_credit = opening.get(account.pk, (ZERO, ZERO))
        open_debit, open_credit = _sides(o_debit - o_credit)
        p_debit, p_credit = period.get(account.pk, (ZERO, ZERO))
        if not (close_debit or close_credit or p_debit or p_credit):
            continue
        row = {
            "account": account.code,
            "name": account.label,
            "kind": account.kind,
            "opening_debit": open_debit,
            "opening_credit": open_credit,
            "period_debit": p_debit,
            "period_credit": p_credit,
            "debit": close_debit,
            "credit": close_credit,
        }
        for key in ("opening_debit", "opening_credit", "period_debit", "period_credit", "debit", "credit"):
            totals[key] += row[key]
        rows.append(row)
    return {
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows,
        "total_debit": totals["debit"],
        "total_credit": totals["credit"],
        "totals": {key: totals[key] for key in ("opening_debit", "opening_credit", "period_debit", "period_credit")}
        | {"debit": totals["debit"], "credit": totals["credit"]},
    }


def _by_top_code(sums: dict[int, tuple[Decimal, Decimal]]) -> dict[str, Decimal]:
    """{top-level code: debit − credit} rolled up from the accounts and their sub-accounts."""
    accounts = {a.pk: a.code for a in Account.objects.filter(pk__in=list(sums))}
    result: dict[str, Decimal] = defaultdict(Decimal)
    for account_id, (debit, credit) in sums.items():
        result[accounts[account_id].split(".")[0]] += debit - credit
    return result


def _names() -> dict[str, Account]:
    return {a.code: a for a in Account.objects.filter(parent__isnull=True)}


# Income statement lines: (key, codes, sign): +1 an income (its credit balance), −1 an expense.
INCOME_LINES = [
    ("revenue", [chart.REVENUE, chart.OTHER_REVENUE], 1),
    ("cost_of_sales", [chart.COST_OF_SALES, "6402"], -1),
    ("taxes", ["6403"], -1),
    ("selling", [chart.SELLING_EXPENSES], -1),
    ("administrative", [chart.ADMIN_EXPENSES], -1),
    ("finance", [chart.FINANCE_EXPENSES], -1),
    ("investment", ["6111"], 1),
]


def _income_labels() -> dict[str, str]:
    return {
        "revenue": _("Revenue"),
        "cost_of_sales": _("Cost of sales"),
        "taxes": _("Taxes and surcharges"),
        "selling": _("Selling expenses"),
        "administrative": _("Administrative expenses"),
        "finance": _("Finance costs"),
        "investment": _("Investment income"),
        "other_operating": _("Other operating items"),
        "operating_profit": _("Operating profit"),
        "non_operating_income": _("Non-operating income"),
        "non_operating_expenses": _("Non-operating expenses"),
        "profit_before_tax": _("Profit before tax"),
        "income_tax": _("Income tax"),
        "net_profit": _("Net profit"),
    }


def _profit(by_code: dict[str, Decimal], kinds: dict[str, str]) -> Decimal:
    """Income minus expenses: minus the debit balance of every income and expense account."""
    return -sum(
        (amount for code, amount in by_code.items() if kinds.get(code) in (AccountKind.INCOME, AccountKind.EXPENSE)),
        ZERO,
    )


def income_statement(*, date_from: datetime.date, date_to: datetime.date) -> dict:
    """利润表 for the period: revenue, costs and expenses down to net profit; accounts finance
    added outside the standard lines go to "other operating items" so net profit is always
    income minus expenses."""
    by_code = _by_top_code(_sums(date_from=date_from, date_to=date_to))
    kinds = {a.code: a.kind for a in Account.objects.filter(parent__isnull=True)}
    labels = _income_labels()
    values: dict[str, Decimal] = {}
    used = set()
    for key, codes, sign in INCOME_LINES:
        values[key] = -sign * sum((by_code.get(code, ZERO) for code in codes), ZERO)
        used.update(codes)
    used.update({chart.OTHER_GAINS, chart.OTHER_LOSSES, chart.INCOME_TAX})
    other = -sum(
        (
            amount
            for code, amount in by_code.items()
            if code not in used and kinds.get(code) in (AccountKind.INCOME, AccountKind.EXPENSE)
        ),
        ZERO,
    )
    values["other_operating"] = other
    values["operating_profit"] = (
        values["revenue"]
        - values["cost_of_sales"]
        - values["taxes"]
        - values["selling"]
        - values["administrative"]
        - values["finance"]
        + values["investment"]
        + other
    )
    values["non_operating_income"] = -by_code.get(chart.OTHER_GAINS, ZERO)
    values["non_operating_expenses"] = by_code.get(chart.OTHER_LOSSES, ZERO)
    values["profit_before_tax"] = (
        values["operating_profit"] + values["non_operating_income"] - values["non_operating_expenses"]
    )
    values["income_tax"] = by_code.get(chart.INCOME_TAX, ZERO)
    values["net_profit"] = values["profit_before_tax"] - values["income_tax"]
    totals = {"operating_profit", "profit_before_tax", "net_profit"}
    values = {key: value + ZERO for key, value in values.items()}  # no "-0" for an empty line
    rows = [
        {"key": key, "label": label, "amount": values[key], "is_total": key in totals} for key, label in labels.items()
    ]
    return {"date_from": date_from, "date_to": date_to, "rows": rows, **values}


@dataclass
class _Section:
    rows: list[dict] = field(default_factory=list)
    total: Decimal = ZERO

    def add(self, code: str, name: str, amount: Decimal) -> None:
        if amount:
            self.rows.append({"account": code, "name": name, "amount": amount})
            self.total += amount


def balance_sheet(*, date: datetime.date) -> dict:
    """资产负债表 at ``date``: assets (debit balances), liabilities and equity (credit
    balances), equity including the profit not yet carried to retained earnings. Assets always
    equal liabilities plus equity (``balanced``)."""
    by_code = _by_top_code(_sums(date_to=date))
    accounts = _names()
    assets, liabilities, equity = _Section(), _Section(), _Section()
    for code in sorted(by_code):
        account = accounts.get(code)
        kind = account.kind if account else AccountKind.ASSET
        name = account.label if account else code
        if kind in (AccountKind.ASSET, AccountKind.COST):
            assets.add(code, name, by_code[code])
        elif kind == AccountKind.LIABILITY:
            liabilities.add(code, name, -by_code[code])
        elif kind == AccountKind.EQUITY:
            equity.add(code, name, -by_code[code])
    kinds = {code: a.kind for code, a in accounts.items()}
    profit = _profit(by_code, kinds)
    equity.add("", _("Profit not yet carried forward"), profit)
    return {
        "date": date,
        "assets": assets.rows,
        "liabilities": liabilities.rows,
        "equity": equity.rows,
        "total_assets": assets.total,
        "total_liabilities": liabilities.total,
        "total_equity": equity.total,
        "total_liabilities_and_equity": liabilities.total + equity.total,
        "balanced": assets.total == liabilities.total + equity.total,
    }


def _flow_labels() -> dict[str, str]:
    return {
        "customer_receipt": _("Received from customers"),
        "supplier_payment": _("Paid to suppliers"),
        "cash_transfer": _("Transfers between own accounts"),
        "cash_opening": _("Opening balances"),
    }


def cash_flow(*, date_from: datetime.date, date_to: datetime.date) -> dict:
    """现金流量 (simple): for all cash/bank accounts together, the balance at the start, money
    in and out by kind (other income and expenses by category), and the balance at the end;
    plus the same per account."""
    movements = CashMovement.objects.all()
    before = movements.filter(date__lt=date_from)
    during = list(movements.filter(date__gte=date_from, date__lte=date_to).order_by("id"))
    opening_by_account = {r["account"]: r["total"] for r in before.values("account").annotate(total=Sum("amount"))}
    labels = _flow_labels()
    flows: dict[str, Decimal] = defaultdict(Decimal)
    names: dict[str, str] = {}
    money_ids = {m.source_id for m in during if m.source_type == "money_document"}
    lines_of: dict[int, list] = defaultdict(list)
    if money_ids:
        from .models import MoneyLine

        for line in MoneyLine.objects.filter(document_id__in=money_ids).select_related("category", "document"):
            lines_of[line.document_id].append(line)
    for movement in during:
        if movement.source_type == "money_document":
            sign = 1 if movement.amount > 0 else -1
            for line in lines_of[movement.source_id]:
                key = f"category:{line.category_id}"
                names[key] = line.category.label
                flows[key] += sign * line.amount
        else:
            flows[movement.source_type] += movement.amount
            names[movement.source_type] = labels.get(movement.source_type, movement.source_type)
    rows = [
        {"key": key, "label": names[key], "inflow": max(amount, ZERO), "outflow": max(-amount, ZERO), "net": amount}
        for key, amount in sorted(flows.items(), key=lambda item: (-item[1], item[0]))
        if amount
    ]
    per_account = []
    for account in CashAccount.objects.order_by("code"):
        opening = opening_by_account.get(account.pk, ZERO)
        in_ = sum((m.amount for m in during if m.account_id == account.pk and m.amount > 0), ZERO)
        out = -sum((m.amount for m in during if m.account_id == account.pk and m.amount < 0), ZERO)
        if opening or in_ or out:
            per_account.append(
                {
                    "account": account.pk,
                    "code": account.code,
                    "name": account.name,
                    "opening": opening,
                    "inflow": in_,
                    "outflow": out,
                    "closing": opening + in_ - out,
                }
            )
    opening = sum(opening_by_account.values(), ZERO)
    net = sum(flows.values(), ZERO)
    return {
        "date_from": date_from,
        "date_to": date_to,
        "opening": opening,
        "rows": rows,
        "inflow": sum((r["inflow"] for r in rows), ZERO),
        "outflow": sum((r["outflow"] for r in rows), ZERO),
        "net_change": net,
        "closing": opening + net,
        "accounts": per_account,
    }
