from apps.core.filters import SearchFilterSet, ordering

from .models import Supplier, SupplierProduct


class SupplierFilter(SearchFilterSet):
    search_fields = ("code", "name", "name_pinyin", "contact", "phone")
    ordering = ordering("code", "name", "payment_terms_days")

    class Meta:
        model = Supplier
        fields = ["code", "is_active", "payment_terms_days"]


class SupplierProductFilter(SearchFilterSet):
    search_fields = ("supplier__code", "supplier__name", "product__sku", "product__name", "supplier_sku")
    ordering = ordering("supplier__code", "product__sku", "last_price", "last_purchase_date", "lead_time_days")

    class Meta:
        model = SupplierProduct
        fields = ["supplier", "product", "is_preferred"]
