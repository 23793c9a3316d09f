"""Open items (payables, receivables) and the money documents that settle them (supplier
payments, customer receipts) in the admin: to look at, never to edit; open items change only
through apps/finance/payables.py and receivables.py, payments and receipts through
apps/finance/services.py."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import (
    CustomerReceipt,
    CustomerReceiptAllocation,
    Payable,
    Receivable,
    SupplierPayment,
    SupplierPaymentAllocation,
)


class OpenItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_filter = ["status", "source_type"]
    date_hierarchy = "due_date"


@admin.register(Payable)
class PayableAdmin(OpenItemAdmin):
    list_display = ["source_number", "supplier", "date", "due_date", "amount", "paid", "credited", "status"]
    search_fields = ["source_number", "supplier__name", "supplier__code"]
    list_select_related = ["supplier"]


@admin.register(Receivable)
class ReceivableAdmin(OpenItemAdmin):
    list_display = ["source_number", "customer", "date", "due_date", "amount", "paid", "credited", "status"]
    search_fields = ["source_number", "customer__name", "customer__code"]
    list_select_related = ["customer__salesperson"]


class PaymentAllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SupplierPaymentAllocation
    extra = 0
    can_delete = False
    fields = readonly_fields = ["payable", "amount"]


class ReceiptAllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CustomerReceiptAllocation
    extra = 0
    can_delete = False
    fields = readonly_fields = ["receivable", "amount"]


class SettlementAdmin(ReadOnlyAdmin):
    list_filter = ["status", "account"]
    date_hierarchy = "date"


@admin.register(SupplierPayment)
class SupplierPaymentAdmin(SettlementAdmin):
    list_display = ["number", "date", "status", "supplier", "amount", "account", "reference", "created_by"]
    search_fields = ["number", "supplier__name", "supplier__code", "reference"]
    list_select_related = ["supplier", "account", "created_by"]
    inlines = [PaymentAllocationInline]


@admin.register(CustomerReceipt)
class CustomerReceiptAdmin(SettlementAdmin):
    list_display = ["number", "date", "status", "customer", "amount", "account", "reference", "created_by"]
    search_fields = ["number", "customer__name", "customer__code", "reference"]
    list_select_related = ["customer", "account", "created_by"]
    inlines = [ReceiptAllocationInline]
