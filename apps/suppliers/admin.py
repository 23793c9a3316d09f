from django.contrib import admin

from apps.core.admin import MasterDataAdmin

from .models import Supplier, SupplierProduct


@admin.register(Supplier)
class SupplierAdmin(MasterDataAdmin):
    list_display = ["code", "name", "contact", "phone", "payment_terms_days", "is_active"]
    search_fields = ["code", "name", "name_pinyin", "contact"]
    list_filter = ["is_active"]


@admin.register(SupplierProduct)
class SupplierProductAdmin(MasterDataAdmin):
    list_display = ["supplier", "product", "supplier_sku", "last_price", "last_purchase_date", "is_preferred"]
    search_fields = ["supplier__code", "supplier__name", "product__sku", "product__name", "supplier_sku"]
    list_filter = ["is_preferred"]
    list_select_related = ["supplier", "product"]
    raw_id_fields = ["supplier", "product"]
    readonly_fields = ["last_price", "last_purchase_date"]
