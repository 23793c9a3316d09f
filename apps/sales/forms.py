"""Forms of the sales pages: document headers and the list filters. Fields and widgets only;
apps.sales.services checks every rule (the customer's salesperson, the customer's credit, the
warehouse's stock)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.accounts.selectors import readable_warehouses
from apps.core.widgets import DateInput
from apps.customers.selectors import customers_for
from apps.inventory.document_forms import DocumentHeaderForm, WarehouseChoiceField

from .filters import QuotationFilter, SalesOrderFilter
from .models import OPEN_ORDER_STATUSES, Quotation, QuotationStatus, SalesOrder, SalesOrderStatus

OPEN = "open"


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class SalesHeaderForm(DocumentHeaderForm):
    """A sales document's header. The customer picker offers the active customers the user
    sees (a salesperson: their own); a draft keeps showing its customer. Against a source
    document (the order a delivery ships, the delivery a return takes back) the customer and
    warehouse are the source's and are not asked for."""

    date_fields: tuple[str, ...] = ()  # dates other than the document's date, as date pickers

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        if source is not None:
            del self.fields["customer"], self.fields["warehouse"]
        else:
            current = self.instance.customer_id if self.instance.pk else None
            customers = customers_for(self.user) if self.user is not None else self.fields["customer"].queryset.none()
            self.fields["customer"].queryset = customers.filter(Q(is_active=True) | Q(pk=current)).order_by("code")
        for name in self.date_fields:
            self.fields[name].widget = DateInput()


class OfferForm(SalesHeaderForm):
    """The header of a quotation or an order: salespeople sell from any active warehouse
    (shipping is the warehouse's business)."""

    def warehouse_choices(self, user):
        return readable_warehouses(user).filter(is_active=True).order_by("code")


class QuotationForm(OfferForm):
    date_fields = ("valid_until",)

    class Meta:
        model = Quotation
        fields = ["customer", "warehouse", "date", "valid_until", "note"]
        field_classes = {"customer": CustomerChoiceField, "warehouse": WarehouseChoiceField}


class SalesOrderForm(OfferForm):
    date_fields = ("delivery_date",)

    class Meta:
        model = SalesOrder
        fields = ["customer", "warehouse", "date", "delivery_date", "customer_reference", "note"]
        field_classes = {"customer": CustomerChoiceField, "warehouse": WarehouseChoiceField}


# --- List filters of the pages ------------------------------------------------------------------
# The API's filters with one status picked from a list; orders add "open" (confirmed or partially
# delivered), which the Excel link sends to the API as ?open=true.


class QuotationPageFilter(QuotationFilter):
    status = filters.ChoiceFilter(choices=QuotationStatus.choices, label=_("status"))


class SalesOrderPageFilter(SalesOrderFilter):
    status = filters.ChoiceFilter(
        choices=[(OPEN, _("Open (to be delivered)")), *SalesOrderStatus.choices],
        method="filter_status",
        label=_("status"),
    )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_ORDER_STATUSES if value == OPEN else [value])
