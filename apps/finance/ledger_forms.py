"""Forms of the general-ledger pages: sub-accounts of the chart, cash/bank accounts, cash
transfers, the headers of income/expense documents and manual journal entries, their line
grids, and the reason of a reopened period. Fields and widgets only: the services in
apps.finance (services, cash, journal, periods) check every rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.fields import money
from apps.core.pages import ServiceForm
from apps.core.widgets import DateInput

from . import chart
from .forms import parse_amount
from .models import Account, CashAccount, CashTransfer, JournalEntry, MoneyCategory, MoneyDocument

LINE_PREFIX = "line-"


class ChartAccountField(forms.ModelChoiceField):
    """An account of the chart shown as "code name" (the name in the user's language)."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.label}"


class CashAccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class MoneyInputField(forms.DecimalField):
    """An amount typed the way it is read: "12,000.50" or "¥12,000.50" is 12000.50."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("¥", "").replace("，", "")
        return super().to_python(value)


def next_sub_code(parent: Account) -> str:
    """The first free code under ``parent``: "6602.01", then "6602.02"..."""
    used = set(Account.objects.filter(code__startswith=f"{parent.code}.").values_list("code", flat=True))
    number = 1
    while f"{parent.code}.{number:02d}" in used:
        number += 1
    return f"{parent.code}.{number:02d}"


# --- The chart of accounts (科目) -------------------------------------------------------------


class SubAccountForm(forms.Form):
    """A sub-account: its parent, a code that extends the parent's ("6602.01"), its names."""

    parent = ChartAccountField(queryset=Account.objects.none(), label=gettext_lazy("parent account"))
    code = forms.CharField(
        label=gettext_lazy("code"),
        max_length=20,
        help_text=gettext_lazy("The parent's code, a dot and a number: 6602.01"),
    )
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Account.objects.filter(is_active=True).order_by("code")
        self.fields["parent"].widget.attrs["autofocus"] = True
        self.fields["code"].widget.attrs.update({"class": "mono", "autocomplete": "off"})


class AccountEditForm(ServiceForm):
    """Rename or (de)activate an account; its code, kind and parent never change."""

    class Meta:
        model = Account
        fields = ["name", "name_en", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.code in {row[0] for row in chart.CHART}:
            self.fields["is_active"].disabled = True
            self.fields["is_active"].help_text = _("The posting rules book to this account: it stays active.")

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


# --- Cash/bank accounts (结算账户) --------------------------------------------------------------


def cash_ledger_accounts():
    """The chart accounts a cash/bank account may book to: 1001, 1002 and their sub-accounts."""
    codes = Q()
    for code in (chart.CASH, chart.BANK):
        codes |= Q(code=code) | Q(code__startswith=f"{code}.")
    return Account.objects.filter(codes)


class CashAccountForm(ServiceForm):
    class Meta:
        model = CashAccount
        fields = [
            "code",
            "name",
            "kind",
            "opening_balance",
            "opening_date",
            "ledger_account",
            "is_default",
            "is_active",
        ]
        field_classes = {"ledger_account": ChartAccountField, "opening_balance": MoneyInputField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opening_balance", "opening_date"):
            self.fields[name].required = False
        self.fields["opening_balance"].help_text = _("Empty: 0.00. Booked against paid-in capital (3001).")
        current = Q(pk=self.instance.ledger_account_id) if self.instance.ledger_account_id else Q()
        ledger = self.fields["ledger_account"]
        ledger.queryset = cash_ledger_accounts().filter(Q(is_active=True) | current).order_by("code")
        ledger.empty_label = _("By kind: 1001 cash or 1002 bank")
        self.fields["opening_date"].widget = DateInput()
        if self.instance.pk and self.instance.movements.exists():
            for name in ("kind", "opening_date", "ledger_account"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Money has moved through this account: this cannot change any more.")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance.pk:
            data = {name: data[name] for name in self.changed_data}
        # Empty: the service's defaults (0.00, today), or the saved value on an edit.
        return {name: value for name, value in data.items() if not (value is None and name.startswith("opening_"))}


# --- Document headers -------------------------------------------------------------------------


def _active_or_current(queryset, current_ids):
    wanted = Q(is_active=True)
    ids = [pk for pk in current_ids if pk]
    if ids:
        wanted |= Q(pk__in=ids)
    return queryset.filter(wanted).order_by("code")


class DocumentHeaderForm(ServiceForm):
    """A draft's header: a date (today when empty) and a one-line note."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget = DateInput()
        self.fields["date"].required = False
        if "note" in self.fields:
            self.fields["note"].widget = forms.TextInput()

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("date") is None:
            data.pop("date", None)
        return data


class CashTransferForm(DocumentHeaderForm):
    class Meta:
        model = CashTransfer
        fields = ["date", "from_account", "to_account", "amount", "note"]
        field_classes = {"from_account": CashAccountField, "to_account": CashAccountField, "amount": MoneyInputField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.instance.from_account_id, self.instance.to_account_id] if self.instance.pk else []
        for name in ("from_account", "to_account"):
            self.fields[name].queryset = _active_or_current(CashAccount.objects.all(), current)


class MoneyDocumentForm(DocumentHeaderForm):
    """The header of a 收入单 / 支出单: the account money goes into or out of (the default one
    preselected), the counterparty, the date and a note."""

    class Meta:
        model = MoneyDocument
        fields = ["date", "account", "counterparty", "note"]
        field_classes = {"account": CashAccountField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import default_cash_account

        current = [self.instance.account_id] if self.instance.pk else []
        self.fields["account"].queryset = _active_or_current(CashAccount.objects.all(), current)
        if not self.instance.pk and not self.is_bound:
            default = default_cash_account()
            if default is not None:
                self.fields["account"].initial = default.pk


class JournalEntryForm(DocumentHeaderForm):
    class Meta:
        model = JournalEntry
        fields = ["date", "memo", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["memo"].widget.attrs["autocomplete"] = "off"


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Say why the period is reopened.")},
    )


# --- Line grids -------------------------------------------------------------------------------


@dataclass
class Line:
    """One row of a line grid: what was typed (``raw``), what it means (``values``) and what is
    wrong with it."""

    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not any(value.strip() for value in self.raw.values())


class LineGrid:
    """The rows posted as ``line-<field>`` lists (one value per row and field). Fully blank rows
    are ignored; at least ``min_rows`` rows are shown (blank ones to type into).

    Subclasses name the ``fields``, the ``choice`` field (an account or a category, by id,
    from ``choices()``) and the ``amounts`` (money, at most two decimals, never negative)."""

    fields: tuple[str, ...] = ()
    choice: str = ""
    amounts: tuple[str, ...] = ()
    min_rows = 2
    choose_message = gettext_lazy("Line %(line)s: choose an account.")

    def __init__(self, data=None, *, choices=None):
        self.choices = {obj.pk: obj for obj in (choices if choices is not None else [])}
        rows = []
        if data is not None:
            columns = {name: data.getlist(f"{LINE_PREFIX}{name}") for name in self.fields}
            count = max((len(values) for values in columns.values()), default=0)
            for index in range(count):
                raw = {name: (values[index] if index < len(values) else "") for name, values in columns.items()}
                rows.append(Line(raw=raw))
        self.rows = [row for row in rows if not row.blank]
        for number, row in enumerate(self.rows, start=1):
            self._parse(row, number)

    @classmethod
    def from_lines(cls, lines, *, choices) -> LineGrid:
        """A saved document's lines as the grid shows them."""
        grid = cls(choices=choices)
        for line in lines:
            raw = {}
            for name in cls.fields:
                value = getattr(line, f"{name}_id" if name == cls.choice else name)
                if name in cls.amounts:
                    raw[name] = f"{value:f}" if value else ""
                else:
                    raw[name] = "" if value is None else str(value)
            grid.rows.append(Line(raw=raw, values={name: getattr(line, name) for name in cls.fields}))
        return grid

    def _parse(self, row: Line, number: int) -> None:
        values = {}
        for name in self.amounts:
            text = row.raw.get(name, "")
            try:
                amount = parse_amount(text)
            except ValueError:
                row.errors.append(_("Line %(line)s: “%(text)s” is not an amount.") % {"line": number, "text": text})
                continue
            if amount is not None and money(amount) != amount:
                row.errors.append(_("Line %(line)s: at most two decimal places.") % {"line": number})
            values[name] = amount
        key = row.raw.get(self.choice, "").strip()
        chosen = self.choices.get(int(key)) if key.isdigit() else None
        if chosen is None:
            row.errors.append(self.choose_message % {"line": number})
        values[self.choice] = chosen
        for name in self.fields:
            if name not in values:
                values[name] = row.raw.get(name, "").strip()
        row.values = values

    @property
    def errors(self) -> list[str]:
        return [error for row in self.rows for error in row.errors]

    def is_valid(self) -> bool:
        return not self.errors

    def service_lines(self) -> list[dict]:
        return [dict(row.values) for row in self.rows]

    def shown_rows(self, extra: int = 1) -> list[Line]:
        """The rows to show: the typed ones and blank ones (at least ``min_rows``, ``extra``
        more to type into)."""
        blanks = max(self.min_rows - len(self.rows), extra)
        return self.rows + [Line(raw=dict.fromkeys(self.fields, "")) for _index in range(blanks)]

    def total(self, name: str) -> Decimal:
        return sum((row.values.get(name) or Decimal(0) for row in self.rows if not row.errors), Decimal(0))


class JournalLineGrid(LineGrid):
    """A manual entry's lines: account, debit, credit, description."""

    fields = ("account", "debit", "credit", "description")
    choice = "account"
    amounts = ("debit", "credit")
    min_rows = 4

    def service_lines(self) -> list[dict]:
        return [
            {
                "account": row.values["account"],
                "debit": row.values.get("debit") or Decimal(0),
                "credit": row.values.get("credit") or Decimal(0),
                "description": row.values.get("description", "")[:200],
            }
            for row in self.rows
        ]


class MoneyLineGrid(LineGrid):
    """A 收入单 / 支出单's lines: category, amount, description."""

    fields = ("category", "amount", "description")
    choice = "category"
    amounts = ("amount",)
    min_rows = 3
    choose_message = gettext_lazy("Line %(line)s: choose a category.")

    def _parse(self, row: Line, number: int) -> None:
        super()._parse(row, number)
        if row.values.get("amount") is None and not row.errors:
            row.errors.append(_("Line %(line)s: enter the amount.") % {"line": number})

    def service_lines(self) -> list[dict]:
        return [
            {
                "category": row.values["category"],
                "amount": row.values["amount"],
                "description": row.values.get("description", "")[:200],
            }
            for row in self.rows
        ]


def journal_accounts(extra_ids=()) -> list[Account]:
    """The accounts a manual line may book to: active ones without sub-accounts (a parent is a
    heading), plus any already on the entry."""
    accounts = Account.objects.filter(Q(is_active=True, children__isnull=True) | Q(pk__in=list(extra_ids)))
    return list(accounts.distinct().order_by("code"))


def money_categories(kind: str, extra_ids=()) -> list[MoneyCategory]:
    return list(
        MoneyCategory.objects.filter(Q(kind=kind, is_active=True) | Q(pk__in=list(extra_ids)))
        .select_related("account")
        .order_by("id")
    )
