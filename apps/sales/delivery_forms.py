"""Forms of the delivery and sales return pages: document headers and the list filters. Fields
and widgets only; apps.sales.services checks every rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.accounts.selectors import readable_warehouses, reads_all_warehouses
from apps.inventory.document_forms import WarehouseChoiceField
from apps.inventory.models import StockDocumentStatus

from .filters import DeliveryFilter, SalesReturnFilter
from .forms import CustomerChoiceField, SalesHeaderForm
from .models import Delivery, SalesReturn


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
