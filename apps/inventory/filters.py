from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from apps.accounts.selectors import readable_warehouses
from apps.core.filters import SearchFilterSet, StrictBooleanFilter, ordering

from .models import Category, Product, StockBalance, StockLedgerEntry, Unit, Warehouse


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
    cost_orderings = ("purchase_price",)

    class Meta:
        model = Product
        fields = ["sku", "barcode", "category", "is_active", "valuation_method", "unit"]

    def filter_category(self, queryset, name, value):
        """A category includes its sub-categories (three levels deep is plenty for a shop)."""
        return queryset.filter(Q(category=value) | Q(category__parent=value) | Q(category__parent__parent=value))


# --- Stock reads: balances and the ledger (selectors.stock_balances / stock_ledger) -----------


def _readable_warehouses(request):
    if request is None or not request.user.is_authenticated:
        return Warehouse.objects.none()
    return readable_warehouses(request.user)


def _by_category(queryset, name, value):
    """A category includes its sub-categories (three levels deep, as for products)."""
    return queryset.filter(
        Q(product__category=value) | Q(product__category__parent=value) | Q(product__category__parent__parent=value)
    )


class StockBalanceFilter(SearchFilterSet):
    """``?product=&warehouse=&category=&low_stock=true&in_stock=true&search=&ordering=``.
    ``warehouse`` offers (and accepts) only the warehouses the user reads."""

    search_fields = ("product__sku", "product__name", "product__barcode", "product__name_pinyin")
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("product"))
    warehouse = filters.ModelChoiceFilter(queryset=_readable_warehouses, label=_("warehouse"))
    category = filters.ModelChoiceFilter(
        field_name="product__category", queryset=Category.objects.all(), method=_by_category, label=_("category")
    )
    low_stock = StrictBooleanFilter(method="filter_low_stock", label=_("Below safety stock"))
    in_stock = StrictBooleanFilter(method="filter_in_stock", label=_("In stock"))
    ordering = ordering(
        "product__sku",
        "product__name",
        "warehouse__code",
        "location",
        "qty",
        "value",
        "available",
        "reserved_qty",
        "ordered_qty",
        "average_cost",
        "product__safety_stock",
    )
    cost_orderings = ("value", "average_cost")

    class Meta:
        model = StockBalance
        fields = ["product", "warehouse"]

    def filter_low_stock(self, queryset, name, value):
        below = Q(qty__lt=F("product__safety_stock"))
        return queryset.filter(below) if value else queryset.exclude(below)

    def filter_in_stock(self, queryset, name, value):
        return queryset.exclude(qty=0) if value else queryset.filter(qty=0)


class StockLedgerFilter(SearchFilterSet):
    """``?product=&warehouse=&source_number=&source_type=&source_id=&date_from=&date_to=``
    (business dates), ``?search=`` (SKU, name, document number), ``?ordering=``."""

    search_fields = ("product__sku", "product__name", "source_number")
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("product"))
    warehouse = filters.ModelChoiceFilter(queryset=_readable_warehouses, label=_("warehouse"))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    ordering = ordering("id", "posted_at", "date", "qty", "value")

    class Meta:
        model = StockLedgerEntry
        fields = ["product", "warehouse", "source_number", "source_type", "source_id"]
