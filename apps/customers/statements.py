"""The customer statement (对账单) as the API, the page, its print view and its Excel file show
it: ``apps.finance.reports.customer_statement`` plus the customer, the period and the rows'
labels."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.xlsx import Column, write_workbook
from apps.finance.reports import customer_statement

from .models import Customer

# The kinds of row, as customer_statement names them.
KINDS = {
    "delivery": gettext_lazy("Delivery"),
    "sales_return": gettext_lazy("Sales return"),
    "receipt": gettext_lazy("Customer receipt"),
}


def statement_for(*, customer: Customer, date_from: datetime.date, date_to: datetime.date) -> dict:
    """``{customer, date_from, date_to, opening, rows, totals, closing}``; each row
    ``{date, number, kind, kind_label, debit, credit, balance}`` (balance = running balance
    after the row)."""
    statement = customer_statement(customer=customer, date_from=date_from, date_to=date_to)
    for row in statement["rows"]:
        row["kind_label"] = str(KINDS.get(row["kind"], row["kind"]))
    return {"customer": customer, "date_from": date_from, "date_to": date_to, **statement}


def statement_workbook(statement: dict) -> bytes:
    """The statement as an Excel sheet: a header row, the opening balance, one row per
    document with the running balance, and the totals with the closing balance. Amounts stay
    numbers."""
    rows = [{"kind_label": _("Opening balance"), "date": statement["date_from"], "balance": statement["opening"]}]
    rows += statement["rows"]
    rows.append(
        {
            "kind_label": _("Closing balance"),
            "date": statement["date_to"],
            "debit": statement["totals"]["debit"],
            "credit": statement["totals"]["credit"],
            "balance": statement["closing"],
        }
    )
    columns = [
        Column("date", _("Date")),
        Column("number", _("Number")),
        Column("kind_label", _("Kind")),
        Column("debit", _("Debit"), numeric=True),
        Column("credit", _("Credit"), numeric=True),
        Column("balance", _("Balance"), numeric=True),
    ]
    title = _("Statement %(code)s") % {"code": statement["customer"].code}
    return write_workbook(rows, columns, title=title).getvalue()


def statement_filename(statement: dict) -> str:
    """``statement-C0001-2026-11-01-2026-11-30.xlsx`` (the customer's id when its code is not
    plain ASCII, which a header cannot carry)."""
    customer = statement["customer"]
    code = re.sub(r"[^A-Za-z0-9_-]", "", customer.code) or str(customer.pk)
    return f"statement-{code}-{statement['date_from']}-{statement['date_to']}.xlsx"
