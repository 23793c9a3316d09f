"""Open items (payables, receivables) and the money documents that settle them (supplier
payments, customer receipts) in the admin: to look at, never to edit; open items change only
through apps/finance/payables.py and receivables.py, payments and receipts through
apps/finance/services.py."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import (
    Account,
    CashMovement,
    CustomerReceipt,
    CustomerReceiptAllocation,
    JournalEntry,
    JournalLine,
    Payable,
    Period,
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


# --- The books: to look at; written only by apps/finance/journal.py, cash.py and periods.py ----


class JournalLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = JournalLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ["line_no", "account", "debit", "credit", "description"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["number", "date", "status", "memo", "source_number", "total", "created_by"]
    list_filter = ["status", "source_type"]
    search_fields = ["number", "memo", "source_number"]
    date_hierarchy = "date"
    list_select_related = ["created_by"]
    inlines = [JournalLineInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_en", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(CashMovement)
class CashMovementAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "date", "amount", "balance_after", "source_number", "counterparty"]
    list_filter = ["account", "source_type"]
    search_fields = ["source_number", "counterparty"]
    date_hierarchy = "date"


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["month", "is_closed", "closed_at", "closed_by"]
