from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.pages import ServiceForm
from apps.inventory.models import Product

from .models import Supplier, SupplierProduct


class SupplierForm(ServiceForm):
    class Meta:
        model = Supplier
        fields = [
            "code",
            "name",
            "contact",
            "phone",
            "email",
            "address",
            "payment_terms_days",
            "tax_number",
            "bank_account",
            "is_active",
        ]


class SupplierProductForm(ServiceForm):
    """A product the supplier sells us: its SKU at the supplier, lead time, minimum order and
    whether it is the product's preferred supplier. The last price is kept by receipts."""

    class Meta:
        model = SupplierProduct
        fields = ["supplier_sku", "lead_time_days", "min_order_qty", "is_preferred"]


class SupplierProductCreateForm(SupplierProductForm):
    """Adding a product: typed or scanned by SKU or barcode."""

    product = forms.CharField(
        label=_("Product"),
        max_length=64,
        help_text=_("SKU or barcode"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-scan": "", "list": "supplier-product-skus"}),
    )

    class Meta(SupplierProductForm.Meta):
        fields = ["product", *SupplierProductForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["product", *SupplierProductForm.Meta.fields])

    def clean_product(self):
        code = self.cleaned_data["product"].strip()
        found = list(Product.objects.filter(Q(sku__iexact=code) | Q(barcode=code), is_active=True)[:2])
        if len(found) != 1:
            raise forms.ValidationError(_("No active product has this SKU or barcode."), code="unknown")
        return found[0]
