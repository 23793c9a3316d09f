"""Forms of the purchasing pages: document headers and the list filters. Fields and widgets
only; apps.purchasing.services checks every rule."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.accounts.selectors import readable_warehouses
from apps.core.widgets import DateInput
from apps.inventory.document_forms import DocumentHeaderForm, WarehouseChoiceField
from apps.inventory.models import StockDocumentStatus
from apps.suppliers.models import Supplier

from .filters import PurchaseOrderFilter, PurchaseReceiptFilter, PurchaseReturnFilter
from .models import PurchaseOrder, PurchaseOrderStatus, PurchaseReceipt, PurchaseReturn

OPEN = "open"
OPEN_STATUSES = (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED)


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class PurchaseHeaderForm(DocumentHeaderForm):
    """A purchasing document's header. Against a source document (the order a receipt
    receives, the receipt a return sends back) the supplier and warehouse are the source's and
    are not asked for."""

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        if source is not None:
            del self.fields["supplier"], self.fields["warehouse"]
        else:
            current = self.instance.supplier_id if self.instance.pk else None
            self.fields["supplier"].queryset = Supplier.objects.filter(Q(is_active=True) | Q(pk=current)).order_by(
                "code"
            )
        if "expected_date" in self.fields:
            self.fields["expected_date"].widget = DateInput()


class PurchaseOrderForm(PurchaseHeaderForm):
    class Meta:
        model = PurchaseOrder
        fields = ["supplier", "warehouse", "date", "expected_date", "note"]
        field_classes = {"supplier": SupplierChoiceField, "warehouse": WarehouseChoiceField}

    def warehouse_choices(self, user):
        """Buyers order for any active warehouse (receiving is the clerks' business)."""
        return readable_warehouses(user).filter(is_active=True).order_by("code")


class PurchaseReceiptForm(PurchaseHeaderForm):
    class Meta:
        model = PurchaseReceipt
        fields = ["supplier", "warehouse", "date", "supplier_reference", "note"]
        field_classes = {"supplier": SupplierChoiceField, "warehouse": WarehouseChoiceField}


class PurchaseReturnForm(PurchaseHeaderForm):
    class Meta:
        model = PurchaseReturn
        fields = ["supplier", "warehouse", "date", "reason", "note"]
        field_classes = {"supplier": SupplierChoiceField, "warehouse": WarehouseChoiceField}


# --- List filters of the pages ------------------------------------------------------------------
# The API's filters with one status picked from a list; orders add "open" (approved or partially
# received), which the Excel link sends to the API as the two statuses.


class PurchaseOrderPageFilter(PurchaseOrderFilter):
    status = filters.ChoiceFilter(
        choices=[(OPEN, _("Open (to be received)")), *PurchaseOrderStatus.choices],
        method="filter_status",
        label=_("status"),
    )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES if value == OPEN else [value])


class PurchaseReceiptPageFilter(PurchaseReceiptFilter):
    status = filters.ChoiceFilter(choices=StockDocumentStatus.choices, label=_("status"))


class PurchaseReturnPageFilter(PurchaseReturnFilter):
    status = filters.ChoiceFilter(choices=StockDocumentStatus.choices, label=_("status"))
