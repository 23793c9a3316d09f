"""Forms of the delivery and sales return pages: document headers and the list filters. Fields
and widgets only; apps.sales.services checks every rule."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.accounts.selectors import readable_warehouses, reads_all_warehouses
from apps.customers.selectors import customers_for
from apps.inventory.document_forms import DocumentHeaderForm, WarehouseChoiceField
from apps.inventory.models import StockDocumentStatus

from .filters import DeliveryFilter, SalesReturnFilter
from .models import Delivery, SalesReturn


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class SalesHeaderForm(DocumentHeaderForm):
    """A delivery's or return's header. Against a source document (the order a delivery ships,
    the delivery a return takes back) the customer and warehouse are the source's and are not
    asked for; otherwise the customers offered are the active ones the user sees."""

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        if source is not None:
            del self.fields["customer"], self.fields["warehouse"]
            return
        current = self.instance.customer_id if self.instance.pk else None
        customers = customers_for(self.user) if self.user is not None else self.fields["customer"].queryset.none()
        self.fields["customer"].queryset = customers.filter(Q(is_active=True) | Q(pk=current)).order_by("code")


class DeliveryForm(SalesHeaderForm):
    class Meta:
        model = Delivery
        fields = ["customer", "warehouse", "date", "shipping_address", "note"]
        field_classes = {"customer": CustomerChoiceField, "warehouse": WarehouseChoiceField}

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, source=source, **kwargs)
        if source is not None and not self.instance.pk:
            self.fields["shipping_address"].initial = source.customer.address


class SalesReturnForm(SalesHeaderForm):
    class Meta:
        model = SalesReturn
        fields = ["customer", "warehouse", "date", "reason", "reason_note", "is_exchange", "note"]
        field_classes = {"customer": CustomerChoiceField, "warehouse": WarehouseChoiceField}

    def warehouse_choices(self, user):
        """Customer service takes goods back into any active warehouse (it is assigned none);
        a clerk into the warehouses they operate."""
        if reads_all_warehouses(user):
            return readable_warehouses(user).filter(is_active=True).order_by("code")
        return super().warehouse_choices(user)


# --- List filters of the pages: the API's filters with one status picked from a list -----------


class DeliveryPageFilter(DeliveryFilter):
    status = filters.ChoiceFilter(choices=StockDocumentStatus.choices, label=_("status"))


class SalesReturnPageFilter(SalesReturnFilter):
    status = filters.ChoiceFilter(choices=StockDocumentStatus.choices, label=_("status"))
