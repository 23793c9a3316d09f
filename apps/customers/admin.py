from django.contrib import admin

from apps.core.admin import MasterDataAdmin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(MasterDataAdmin):
    list_display = ["code", "name", "contact", "phone", "credit_limit", "salesperson", "is_active"]
    search_fields = ["code", "name", "name_pinyin", "contact"]
    list_filter = ["is_active", "grade"]
    list_select_related = ["salesperson"]
