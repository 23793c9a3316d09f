"""Forms of the finance pages: the header of a supplier payment or customer receipt and the
allocation inputs beside the partner's open items. Fields and widgets only;
apps.finance.services checks every rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from apps.core.fields import money
from apps.core.pages import ServiceForm
from apps.core.widgets import DateInput
from apps.customers.selectors import customers_for
from apps.suppliers.models import Supplier

from .models import CashAccount, CustomerReceipt, OpenItem, SupplierPayment
from .services import default_cash_account

ALLOCATION_PREFIX = "alloc-"


class PartnerChoiceField(forms.ModelChoiceField):
    """A supplier or customer shown as "code name"."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name} ({obj.get_kind_display()})"


class SettlementForm(ServiceForm):
    """The header of a payment or receipt: partner (``partner``: "supplier" | "customer"),
    date, cash/bank account (the default one preselected), amount, reference, note. A draft
    keeps showing its partner and account even if they were made inactive since (the service
    refuses an inactive account when saving)."""

    partner = ""

    def partners(self) -> QuerySet:
        """The partners this user may choose."""
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        partners = Q(is_active=True)
        accounts = Q(is_active=True)
        if instance.pk:
            partners |= Q(pk=getattr(instance, f"{self.partner}_id"))
            accounts |= Q(pk=instance.account_id)
        self.fields[self.partner].queryset = self.partners().filter(partners).order_by("code")
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


class SupplierPaymentForm(SettlementForm):
    partner = "supplier"

    class Meta:
        model = SupplierPayment
        fields = ["supplier", "date", "account", "amount", "reference", "note"]
        field_classes = {"supplier": PartnerChoiceField, "account": AccountChoiceField}

    def partners(self) -> QuerySet:
        return Supplier.objects.all()


class CustomerReceiptForm(SettlementForm):
    partner = "customer"

    class Meta:
        model = CustomerReceipt
        fields = ["customer", "date", "account", "amount", "reference", "note"]
        field_classes = {"customer": PartnerChoiceField, "account": AccountChoiceField}

    def partners(self) -> QuerySet:
        return customers_for(self.user)


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
    item: OpenItem
    raw: str = ""
    amount: Decimal | None = None
    error: str = ""


@dataclass
class Allocations:
    """The partner's open items (payables or receivables) with what is typed beside each
    (``alloc-<item id>``)."""

    rows: list[AllocationRow] = field(default_factory=list)

    @classmethod
    def from_data(cls, items: list[OpenItem], data) -> Allocations:
        rows = []
        for item in items:
            raw = data.get(f"{ALLOCATION_PREFIX}{item.pk}", "").strip()
            row = AllocationRow(item=item, raw=raw)
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
    def from_amounts(cls, items: list[OpenItem], amounts: dict[int, Decimal]) -> Allocations:
        rows = []
        for item in items:
            amount = amounts.get(item.pk)
            raw = f"{amount:f}" if amount is not None else ""
            rows.append(AllocationRow(item=item, raw=raw, amount=amount))
        return cls(rows)

    @property
    def errors(self) -> list[str]:
        return [f"{row.item.source_number}: {row.error}" for row in self.rows if row.error]

    def is_valid(self) -> bool:
        return not self.errors

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows if row.amount and not row.error), Decimal(0))

    def service_allocations(self, item_field: str) -> list[dict]:
        """The non-zero inputs as the service's ``allocations`` (``item_field``: "payable" |
        "receivable")."""
        return [{item_field: row.item, "amount": row.amount} for row in self.rows if row.amount]


def oldest_first(items: list[OpenItem], amount: Decimal | None) -> dict[int, Decimal]:
    """``amount`` spread over ``items`` (already in due-date order) as posting would: each
    gets up to its outstanding amount until nothing is left."""
    left = money(amount) if amount is not None and amount > 0 else Decimal(0)
    result: dict[int, Decimal] = {}
    for item in items:
        if left <= 0:
            break
        share = min(left, item.outstanding)
        if share > 0:
            result[item.pk] = share
            left -= share
    return result
