"""Sales documents in the admin: to look at (with their history), never to edit; they change
only through apps/sales/services.py."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin
from apps.purchasing.admin import LineInline

from .models import (
    Delivery,
    DeliveryLine,
    Quotation,
    QuotationLine,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
)

DOCUMENT_COLUMNS = ["number", "date", "status", "customer", "warehouse", "total", "created_by"]
PRICED = ["line_no", "product", "qty", "unit_price", "tax_rate"]
AMOUNTS = ["net_amount", "tax_amount"]


class QuotationLineInline(LineInline):
    model = QuotationLine
    fields = [*PRICED, *AMOUNTS]


class SalesOrderLineInline(LineInline):
    model = SalesOrderLine
    fields = [*PRICED, "delivered_qty", *AMOUNTS]


class DeliveryLineInline(LineInline):
    model = DeliveryLine
    fields = [*PRICED, "sales_order_line", "unit_cost", "cost_amount", "returned_qty", *AMOUNTS]


class SalesReturnLineInline(LineInline):
    model = SalesReturnLine
    fields = [*PRICED, "delivery_line", "unit_cost", "cost_amount", *AMOUNTS]


class SalesDocumentAdmin(ReadOnlyAdmin):
    list_display = DOCUMENT_COLUMNS
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "customer__name", "customer__code", "note"]
    list_select_related = ["customer", "warehouse", "created_by"]
    date_hierarchy = "date"


@admin.register(Quotation)
class QuotationAdmin(SalesDocumentAdmin):
    list_display = [*DOCUMENT_COLUMNS, "valid_until"]
    inlines = [QuotationLineInline]


@admin.register(SalesOrder)
class SalesOrderAdmin(SalesDocumentAdmin):
    list_display = [*DOCUMENT_COLUMNS, "confirmed_by", "credit_override_by"]
    list_select_related = [*SalesDocumentAdmin.list_select_related, "confirmed_by", "credit_override_by"]
    search_fields = [*SalesDocumentAdmin.search_fields, "customer_reference"]
    inlines = [SalesOrderLineInline]


@admin.register(Delivery)
class DeliveryAdmin(SalesDocumentAdmin):
    list_display = [*DOCUMENT_COLUMNS, "sales_order", "total_cost"]
    list_select_related = [*SalesDocumentAdmin.list_select_related, "sales_order"]
    inlines = [DeliveryLineInline]


@admin.register(SalesReturn)
class SalesReturnAdmin(SalesDocumentAdmin):
    list_display = [*DOCUMENT_COLUMNS, "delivery", "reason", "is_exchange", "total_cost"]
    list_filter = [*SalesDocumentAdmin.list_filter, "reason", "is_exchange"]
    list_select_related = [*SalesDocumentAdmin.list_select_related, "delivery"]
    inlines = [SalesReturnLineInline]
