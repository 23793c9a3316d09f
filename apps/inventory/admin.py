from django.contrib import admin
from guardian.admin import GuardedModelAdminMixin

from apps.core.admin import MasterDataAdmin

from .models import Category, Product, Unit, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(GuardedModelAdminMixin, MasterDataAdmin):
    """Object permissions ("operate this warehouse") can be granted per user from here too."""

    list_display = ["code", "name", "address", "is_active"]
    search_fields = ["code", "name"]
    list_filter = ["is_active"]


@admin.register(Category)
class CategoryAdmin(MasterDataAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(MasterDataAdmin):
    list_display = ["name", "decimals"]


@admin.register(Product)
class ProductAdmin(MasterDataAdmin):
    list_display = ["sku", "name", "spec", "unit", "category", "barcode", "sale_price", "is_active"]
    search_fields = ["sku", "name", "barcode", "name_pinyin"]
    list_filter = ["is_active", "valuation_method", "category"]
    list_select_related = ["unit", "category"]
