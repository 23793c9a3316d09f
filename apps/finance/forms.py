"""Forms of the finance pages: the supplier payment's header and its allocation inputs. Fields
and widgets only; apps.finance.services checks every rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.fields import money
from apps.core.pages import ServiceForm
from apps.core.widgets import DateInput
from apps.suppliers.models import Supplier

from .models import CashAccount, Payable, SupplierPayment
from .services import default_cash_account

ALLOCATION_PREFIX = "alloc-"


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name} ({obj.get_kind_display()})"


class SupplierPaymentForm(ServiceForm):
    """The payment's header: supplier, date, cash/bank account (the default one preselected),
    amount, reference, note. A draft keeps showing its supplier and account even if they were
    made inactive since (the service refuses an inactive account when saving)."""

    class Meta:
        model = SupplierPayment
        fields = ["supplier", "date", "account", "amount", "reference", "note"]
        field_classes = {"supplier": SupplierChoiceField, "account": AccountChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        suppliers = Q(is_active=True)
        accounts = Q(is_active=True)
        if instance.pk:
            suppliers |= Q(pk=instance.supplier_id)
            accounts |= Q(pk=instance.account_id)
        self.fields["supplier"].queryset = Supplier.objects.filter(suppliers).order_by("code")
        self.fields["account"].queryset = CashAccount.objects.filter(accounts).order_by("code")
        self.fields["account"].required = False
        self.fields["account"].empty_label = _("Default account")
        if not instance.pk:
            default = default_cash_account()
            if default is not None:
                self.fields["account"].initial = default.pk
        self.fields["date"].widget = DateInput()
        self.fields["date"].required = False
        self.fields["note"].widget = forms.TextInput()
        self.fields["amount"].widget.attrs["data-payment-amount"] = ""

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("date") is None:
            data.pop("date", None)
        return data


def parse_amount(text: str) -> Decimal | None:
    """A typed amount ("1,234.5") as a Decimal; None when empty; raises ValueError otherwise."""
    text = (text or "").strip().replace(",", "").replace("¥", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():
        raise ValueError(text)
    return number


@dataclass
class AllocationRow:
    payable: Payable
    raw: str = ""
    amount: Decimal | None = None
    error: str = ""


@dataclass
class Allocations:
    """The supplier's open payables with what is typed beside each (``alloc-<payable id>``)."""

    rows: list[AllocationRow] = field(default_factory=list)

    @classmethod
    def from_data(cls, payables: list[Payable], data) -> Allocations:
        rows = []
        for payable in payables:
            raw = data.get(f"{ALLOCATION_PREFIX}{payable.pk}", "").strip()
            row = AllocationRow(payable=payable, raw=raw)
            try:
                row.amount = parse_amount(raw)
            except ValueError:
                row.error = _("“%(text)s” is not an amount.") % {"text": raw}
            else:
                if row.amount is not None and row.amount < 0:
                    row.error = _("The amount must be more than zero.")
                elif row.amount is not None and money(row.amount) != row.amount:
                    row.error = _("At most two decimal places.")
            rows.append(row)
        return cls(rows)

    @classmethod
    def from_amounts(cls, payables: list[Payable], amounts: dict[int, Decimal]) -> Allocations:
        rows = []
        for payable in payables:
            amount = amounts.get(payable.pk)
            raw = f"{amount:f}" if amount is not None else ""
            rows.append(AllocationRow(payable=payable, raw=raw, amount=amount))
        return cls(rows)

    @property
    def errors(self) -> list[str]:
        return [f"{row.payable.source_number}: {row.error}" for row in self.rows if row.error]

    def is_valid(self) -> bool:
        return not self.errors

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows if row.amount and not row.error), Decimal(0))

    def service_allocations(self) -> list[dict]:
        """The non-zero inputs as the service's ``allocations``."""
        return [{"payable": row.payable, "amount": row.amount} for row in self.rows if row.amount]


def oldest_first(payables: list[Payable], amount: Decimal | None) -> dict[int, Decimal]:
    """``amount`` spread over ``payables`` (already in due-date order) as posting would:
    each gets up to its outstanding amount until nothing is left."""
    left = money(amount) if amount is not None and amount > 0 else Decimal(0)
    result: dict[int, Decimal] = {}
    for payable in payables:
        if left <= 0:
            break
        share = min(left, payable.outstanding)
        if share > 0:
            result[payable.pk] = share
            left -= share
    return result
