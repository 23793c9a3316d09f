"""Filters of the customer, contact and complaint lists, shared by the API and the pages."""

from django.utils.translation import gettext_lazy as _

from apps.core.filters import ChoicesInFilter, SearchFilterSet, StrictBooleanFilter, ordering

from .models import Complaint, ComplaintStatus, Customer, CustomerContact


class CustomerFilter(SearchFilterSet):
    search_fields = ("code", "name", "name_pinyin", "contact", "phone")
    ordering = ordering("code", "name", "credit_limit", "payment_terms_days")

    class Meta:
        model = Customer
        fields = ["code", "is_active", "salesperson", "grade", "payment_terms_days"]


class CustomerContactFilter(SearchFilterSet):
    """``?customer=`` (the customer's contacts), ``?is_primary=``, ``?search=`` (name, role,
    phone, e-mail)."""

    search_fields = ("name", "role", "phone", "email")
    ordering = ordering("name", "role")

    class Meta:
        model = CustomerContact
        fields = ["customer", "is_primary"]


class ComplaintFilter(SearchFilterSet):
    """``?status=open,in_progress`` (one or several), ``?customer=``, ``?assignee=``,
    ``?category=``, ``?priority=``, ``?mine=true`` (assigned to me), ``?search=`` (number,
    subject, customer, linked document) and ``?ordering=``."""

    search_fields = ("number", "subject", "customer__code", "customer__name", "document_number")
    status = ChoicesInFilter(field_name="status", lookup_expr="in", choices=ComplaintStatus.choices, label=_("status"))
    mine = StrictBooleanFilter(
        method="filter_mine", label=_("assigned to me"), help_text=_("true: the tickets assigned to me.")
    )
    ordering = ordering("number", "created_at", "updated_at", "status", "priority")

    class Meta:
        model = Complaint
        fields = ["status", "customer", "assignee", "category", "priority"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        return queryset.filter(assignee=user) if value else queryset.exclude(assignee=user)
