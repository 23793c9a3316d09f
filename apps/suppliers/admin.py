from django.contrib import admin

from apps.core.admin import MasterDataAdmin

from .models import Supplier


@admin.register(Supplier)
class SupplierAdmin(MasterDataAdmin):
    list_display = ["code", "name", "contact", "phone", "payment_terms_days", "is_active"]
    search_fields = ["code", "name", "name_pinyin", "contact"]
    list_filter = ["is_active"]
