from apps.core.filters import SearchFilterSet, ordering

from .models import Supplier


class SupplierFilter(SearchFilterSet):
    search_fields = ("code", "name", "name_pinyin", "contact", "phone")
    ordering = ordering("code", "name", "payment_terms_days")

    class Meta:
        model = Supplier
        fields = ["code", "is_active", "payment_terms_days"]
