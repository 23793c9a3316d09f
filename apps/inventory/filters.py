from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.core.filters import SearchFilterSet, ordering

from .models import Category, Product, Unit, Warehouse


class WarehouseFilter(SearchFilterSet):
    search_fields = ("code", "name", "address")
    ordering = ordering("code", "name")

    class Meta:
        model = Warehouse
        fields = ["is_active", "code"]


class CategoryFilter(SearchFilterSet):
    search_fields = ("name",)
    ordering = ordering("name", "id")

    class Meta:
        model = Category
        fields = ["parent"]


class UnitFilter(SearchFilterSet):
    search_fields = ("name",)
    ordering = ordering("name")

    class Meta:
        model = Unit
        fields = ["name"]


class ProductFilter(SearchFilterSet):
    search_fields = ("sku", "name", "spec", "barcode", "name_pinyin")
    category = filters.ModelChoiceFilter(queryset=Category.objects.all(), method="filter_category", label=_("category"))
    ordering = ordering("sku", "name", "purchase_price", "sale_price", "safety_stock", "category__name")

    class Meta:
        model = Product
        fields = ["sku", "barcode", "category", "is_active", "valuation_method", "unit"]

    def filter_category(self, queryset, name, value):
        """A category includes its sub-categories (three levels deep is plenty for a shop)."""
        return queryset.filter(Q(category=value) | Q(category__parent=value) | Q(category__parent__parent=value))
