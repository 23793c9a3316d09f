"""Customers in the admin. Contacts and complaint tickets are shown, not edited: they change
through apps/customers/services.py (one primary contact per customer; a ticket's status moves
and notes are its history)."""

from django.contrib import admin

from apps.core.admin import MasterDataAdmin, ReadOnlyAdmin, ReadOnlyAdminMixin

from .models import Complaint, ComplaintNote, Customer, CustomerContact


class CustomerContactInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CustomerContact
    fields = ["name", "role", "phone", "email", "is_primary"]
    extra = 0


@admin.register(Customer)
class CustomerAdmin(MasterDataAdmin):
    list_display = ["code", "name", "contact", "phone", "credit_limit", "salesperson", "is_active"]
    search_fields = ["code", "name", "name_pinyin", "contact"]
    list_filter = ["is_active", "grade"]
    list_select_related = ["salesperson"]
    inlines = [CustomerContactInline]


class ComplaintNoteInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ComplaintNote
    fields = ["created_at", "author", "status_from", "status_to", "text"]
    readonly_fields = fields
    extra = 0


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "subject", "category", "priority", "status", "assignee", "created_at"]
    search_fields = ["number", "subject", "customer__code", "customer__name", "document_number"]
    list_filter = ["status", "category", "priority"]
    list_select_related = ["customer", "assignee"]
    inlines = [ComplaintNoteInline]
