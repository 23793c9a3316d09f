"""Payables and supplier payments in the admin: to look at, never to edit; payables change
only through apps/finance/payables.py, payments through apps/finance/services.py."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import Payable, SupplierPayment, SupplierPaymentAllocation


@admin.register(Payable)
class PayableAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["source_number", "supplier", "date", "due_date", "amount", "paid", "credited", "status"]
    list_filter = ["status", "source_type"]
    search_fields = ["source_number", "supplier__name", "supplier__code"]
    list_select_related = ["supplier"]
    date_hierarchy = "due_date"


class AllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SupplierPaymentAllocation
    extra = 0
    can_delete = False
    fields = readonly_fields = ["payable", "amount"]


@admin.register(SupplierPayment)
class SupplierPaymentAdmin(ReadOnlyAdmin):
    list_display = ["number", "date", "status", "supplier", "amount", "account", "reference", "created_by"]
    list_filter = ["status", "account"]
    search_fields = ["number", "supplier__name", "supplier__code", "reference"]
    list_select_related = ["supplier", "account", "created_by"]
    date_hierarchy = "date"
    inlines = [AllocationInline]
