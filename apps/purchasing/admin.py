"""Purchasing documents in the admin: to look at (with their history), never to edit; they
change only through apps/purchasing/services.py."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturn,
    PurchaseReturnLine,
)

DOCUMENT_COLUMNS = ["number", "date", "status", "supplier", "warehouse", "total", "created_by"]


class LineInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class PurchaseOrderLineInline(LineInline):
    model = PurchaseOrderLine
    fields = ["line_no", "product", "qty", "unit_price", "tax_rate", "received_qty", "net_amount", "tax_amount"]


class PurchaseReceiptLineInline(LineInline):
    model = PurchaseReceiptLine
    fields = ["line_no", "product", "qty", "unit_cost", "tax_rate", "returned_qty", "net_amount", "tax_amount"]


class PurchaseReturnLineInline(LineInline):
    model = PurchaseReturnLine
    fields = ["line_no", "product", "qty", "unit_cost", "tax_rate", "stock_value", "net_amount", "tax_amount"]


class PurchaseDocumentAdmin(ReadOnlyAdmin):
    list_display = DOCUMENT_COLUMNS
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "supplier__name", "supplier__code", "note"]
    list_select_related = ["supplier", "warehouse", "created_by"]
    date_hierarchy = "date"


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(PurchaseDocumentAdmin):
    list_display = [*DOCUMENT_COLUMNS, "approved_by"]
    list_select_related = [*PurchaseDocumentAdmin.list_select_related, "approved_by"]
    inlines = [PurchaseOrderLineInline]


@admin.register(PurchaseReceipt)
class PurchaseReceiptAdmin(PurchaseDocumentAdmin):
    list_display = [*DOCUMENT_COLUMNS, "purchase_order"]
    list_select_related = [*PurchaseDocumentAdmin.list_select_related, "purchase_order"]
    search_fields = [*PurchaseDocumentAdmin.search_fields, "supplier_reference"]
    inlines = [PurchaseReceiptLineInline]


@admin.register(PurchaseReturn)
class PurchaseReturnAdmin(PurchaseDocumentAdmin):
    list_display = [*DOCUMENT_COLUMNS, "purchase_receipt"]
    list_select_related = [*PurchaseDocumentAdmin.list_select_related, "purchase_receipt"]
    inlines = [PurchaseReturnLineInline]
