from apps.core.filters import SearchFilterSet, ordering

from .models import Customer


class CustomerFilter(SearchFilterSet):
    search_fields = ("code", "name", "name_pinyin", "contact", "phone")
    ordering = ordering("code", "name", "credit_limit", "payment_terms_days")

    class Meta:
        model = Customer
        fields = ["code", "is_active", "salesperson", "grade", "payment_terms_days"]
