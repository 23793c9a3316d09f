"""The parameters of each report, as one form used by both the API (query parameters: an
invalid one is a 400 on that field) and the page (its filter bar). A warehouse outside the
reader's warehouses is invalid, like any unknown choice."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import readable_warehouses
from apps.core.widgets import DateInput
from apps.customers.selectors import customers_for
from apps.inventory.alerts import slow_moving_days
from apps.inventory.models import Category, Product
from apps.suppliers.models import Supplier

GROUP_BY_CHOICES = [("supplier", _("Supplier")), ("product", _("Product")), ("month", _("Month"))]
SALES_GROUP_BY_CHOICES = [
    ("product", _("Product")),
    ("customer", _("Customer")),
    ("salesperson", _("Salesperson")),
    ("month", _("Month")),
]
PROFIT_GROUP_BY_CHOICES = [("product", _("Product")), ("customer", _("Customer"))]


class YesNoField(forms.NullBooleanField):
    """``true``/``false`` (also ``1``/``0``) from a query string; empty is None (the form's
    default applies); anything else is refused."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def __init__(self, *, choices=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(widget=forms.Select(choices=choices or []), **kwargs)

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(_("Enter true or false."), code="invalid") from None

    def validate(self, value):
        pass


class ReportForm(forms.Form):
    """Base of the report parameter forms: ``user`` limits the warehouse choices (those they
    read) and the customer choices (a salesperson's own); ``get_defaults()`` fills in what was
    left empty (``params()`` returns the cleaned values with them)."""

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.user = user
        if "warehouse" in self.fields:
            self.fields["warehouse"].queryset = readable_warehouses(user).order_by("code")
            self.fields["warehouse"].empty_label = _("All")
        if "customer" in self.fields:
            self.fields["customer"].queryset = customers_for(user).order_by("code")
        for name in ("supplier", "customer"):
            if name in self.fields:
                self.fields[name].empty_label = _("All")
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("data-autosubmit", "")

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def get_defaults(self) -> dict:
        return {}

    def params(self) -> dict:
        """The cleaned parameters, with the defaults for those left empty."""
        result = dict(self.cleaned_data)
        for name, value in self.get_defaults().items():
            if result.get(name) in (None, ""):
                result[name] = value
        return result


def _date_field(label):
    return forms.DateField(label=label, required=False, widget=DateInput())


def _warehouse_field():
    return forms.ModelChoiceField(queryset=None, label=_("Warehouse"), required=False)


def _supplier_field():
    return forms.ModelChoiceField(queryset=Supplier.objects.order_by("code"), label=_("Supplier"), required=False)


def _group_by_field(choices):
    return forms.ChoiceField(label=_("Group by"), choices=choices, required=False)


def _customer_field():
    return forms.ModelChoiceField(queryset=None, label=_("Customer"), required=False)


class SuggestionsForm(ReportForm):
    """Purchase plan: ``warehouse``, the preferred ``supplier``, ``search`` (SKU, name, pinyin
    or barcode), ``velocity_days`` (the sales window) and ``only_needed`` (default true)."""

    search = forms.CharField(label=_("Search"), required=False, max_length=100)
    warehouse = _warehouse_field()
    supplier = _supplier_field()
    velocity_days = forms.IntegerField(label=_("Sales of the last (days)"), required=False, min_value=1, max_value=730)
    only_needed = YesNoField(label=_("Show"), choices=[("true", _("What to order")), ("false", _("Everything"))])

    def get_defaults(self) -> dict:
        return {"velocity_days": settings.JXC_PLANNING_VELOCITY_DAYS, "only_needed": True}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["velocity_days"].widget = forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "class": "num",
                "size": 4,
                "placeholder": settings.JXC_PLANNING_VELOCITY_DAYS,
            }
        )


class GroupedPeriodForm(ReportForm):
    """A report of a period grouped one of several ways: ``date_from`` (optional: from the first
    document), ``date_to`` (default today), ``group_by`` (default its first choice; a subclass
    declares its own choices) and ``warehouse``."""

    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    group_by = _group_by_field(GROUP_BY_CHOICES)
    warehouse = _warehouse_field()

    def get_defaults(self) -> dict:
        return {"date_to": timezone.localdate(), "group_by": self.fields["group_by"].choices[0][0]}


class PurchasesForm(GroupedPeriodForm):
    """Purchases report: the period, ``group_by`` (supplier, product or month; default
    supplier), ``warehouse`` and ``supplier``."""

    supplier = _supplier_field()


class SalesForm(GroupedPeriodForm):
    """Sales report: the period, ``group_by`` (product, customer, salesperson or month; default
    product), ``warehouse`` and ``customer`` (a salesperson: one of their own)."""

    group_by = _group_by_field(SALES_GROUP_BY_CHOICES)
    customer = _customer_field()


class GrossProfitForm(SalesForm):
    """Gross profit: as the sales report, grouped by product or customer."""

    group_by = _group_by_field(PROFIT_GROUP_BY_CHOICES)


class OpenLinesForm(ReportForm):
    """Open order lines: ``supplier``, ``warehouse``, ``product`` and ``overdue`` (true: only
    the late ones; false: only those not late)."""

    supplier = _supplier_field()
    warehouse = _warehouse_field()
    product = forms.ModelChoiceField(queryset=Product.objects.all(), required=False, widget=forms.HiddenInput)
    overdue = YesNoField(label=_("Overdue"), choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


class PerformanceForm(ReportForm):
    """Supplier performance: the period (``date_from`` optional: all history; ``date_to``
    default today) and ``supplier``."""

    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    supplier = _supplier_field()

    def get_defaults(self) -> dict:
        return {"date_to": timezone.localdate()}


class AgingForm(ReportForm):
    """AP ageing: ``date`` (default today) and ``supplier``."""

    date = _date_field(_("At"))
    supplier = _supplier_field()

    def get_defaults(self) -> dict:
        return {"date": timezone.localdate()}


class ReceivablesAgingForm(AgingForm):
    """AR ageing: ``date`` (default today) and ``customer`` (a salesperson: one of their own)."""

    supplier = None
    customer = _customer_field()


class TrialBalanceForm(ReportForm):
    """Trial balance (科目余额表): the balances at ``date_to`` (default today) and, with
    ``date_from``, the opening balances and the movements of the period. A ``date_from`` after
    the end date (given or today) is refused."""

    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))

    def default_date_to(self) -> datetime.date:
        return timezone.localdate()

    def default_date_from(self, date_to: datetime.date) -> datetime.date | None:
        return None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        date_to = data.get("date_to") or self.default_date_to()
        date_from = data.get("date_from") or self.default_date_from(date_to)
        if date_from and not data.get("date_to") and date_from > date_to:
            self.add_error("date_from", _("The start date is after the end date."))
        return data

    def get_defaults(self) -> dict:
        date_to = self.cleaned_data.get("date_to") or self.default_date_to()
        return {"date_to": date_to, "date_from": self.default_date_from(date_to)}


class StatementPeriodForm(TrialBalanceForm):
    """Income statement and cash flow: the period from ``date_from`` (default the first day of
    the end date's month) to ``date_to`` (default today)."""

    def default_date_from(self, date_to: datetime.date) -> datetime.date | None:
        return date_to.replace(day=1)


class BalanceSheetForm(ReportForm):
    """Balance sheet (资产负债表): at ``date`` (default today)."""

    date = _date_field(_("At"))

    def get_defaults(self) -> dict:
        return {"date": timezone.localdate()}


class StockSummaryForm(StatementPeriodForm):
    """Stock summary (进销存汇总): the period from ``date_from`` (default the first day of the end
    date's month) to ``date_to`` (default today), ``warehouse`` (one the reader reads; default
    all of them), ``category`` (with the categories below it) and ``search`` (SKU, name, pinyin
    or barcode)."""

    warehouse = _warehouse_field()
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("name"), label=_("Category"), required=False)
    search = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("All")
        self.fields["search"].widget.attrs.update({"placeholder": _("SKU, name, barcode or pinyin"), "type": "search"})


ALERT_KIND_CHOICES = [
    ("", _("All")),
    ("low", _("Below safety stock")),
    ("over", _("Above max stock")),
    ("slow", _("Slow-moving")),
]


class StockAlertsForm(ReportForm):
    """Stock alerts (库存预警): ``warehouse`` (one the reader reads; default all of them),
    ``kind`` (low, over or slow; default every kind) and ``slow_days`` (no movement for more
    than this many days is slow-moving; default the JXC_SLOW_MOVING_DAYS setting)."""

    warehouse = _warehouse_field()
    kind = forms.ChoiceField(label=_("Alert"), choices=ALERT_KIND_CHOICES, required=False)
    slow_days = forms.IntegerField(label=_("Slow-moving after (days)"), required=False, min_value=1, max_value=3650)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slow_days"].widget = forms.TextInput(
            attrs={"inputmode": "numeric", "class": "num", "size": 4, "placeholder": slow_moving_days()}
        )

    def get_defaults(self) -> dict:
        return {"slow_days": slow_moving_days()}


def first_of_year(day: datetime.date | None = None) -> datetime.date:
    day = day or timezone.localdate()
    return day.replace(month=1, day=1)


def first_of_month(day: str | datetime.date | None = None) -> datetime.date:
    """The first day of the month of ``day`` (a date or an ISO date; today when empty or not a
    date: the form reports that)."""
    if isinstance(day, str):
        try:
            day = datetime.date.fromisoformat(day.strip())
        except ValueError:
            day = None
    return (day or timezone.localdate()).replace(day=1)
