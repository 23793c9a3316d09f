"""Pages for warehouses, categories, units and products (list, detail, new, edit)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.core.api import VIEW_COST
from apps.core.pages import Column, CreatePage, DetailPage, ListPage, UpdatePage

from . import services
from .filters import CategoryFilter, ProductFilter, UnitFilter, WarehouseFilter
from .forms import CategoryForm, ProductForm, UnitForm, WarehouseForm, category_path
from .models import Category, Product, Unit, Warehouse

# Warehouses


class WarehousePage:
    model = Warehouse
    url_base = "inventory:warehouse"


class WarehouseList(WarehousePage, ListPage):
    filterset_class = WarehouseFilter
    filter_fields = ("search", "is_active")
    api_url_name = "warehouse-list"
    search_placeholder = _("Code, name or address")
    columns = (
        Column("code", link=True, order=True),
        Column("name", link=True, order=True),
        Column("address"),
        Column("is_active"),
    )


class WarehouseDetail(WarehousePage, DetailPage):
    fields = ("code", "name", "address", "is_active")


class WarehouseCreate(WarehousePage, CreatePage):
    form_class = WarehouseForm
    service = staticmethod(services.warehouse_create)


class WarehouseUpdate(WarehousePage, UpdatePage):
    form_class = WarehouseForm
    service = staticmethod(services.warehouse_update)
    instance_kwarg = "warehouse"


# Categories


class CategoryPage:
    model = Category
    url_base = "inventory:category"


class CategoryList(CategoryPage, ListPage):
    filterset_class = CategoryFilter
    filter_fields = ("search", "parent")
    api_url_name = "category-list"
    search_placeholder = _("Name")
    columns = (
        Column("name", link=True, order=True),
        Column("parent", value=lambda category: category_path(category.parent)),
        Column("product_count", _("products"), kind="number"),
    )

    def get_queryset(self):
        return Category.objects.select_related("parent__parent").annotate(product_count=Count("products"))


class CategoryDetail(CategoryPage, DetailPage):
    fields = (
        "name",
        (_("parent"), lambda category: category_path(category.parent)),
        (_("products"), lambda category: category.products.count()),
    )


class CategoryCreate(CategoryPage, CreatePage):
    form_class = CategoryForm
    service = staticmethod(services.category_create)


class CategoryUpdate(CategoryPage, UpdatePage):
    form_class = CategoryForm
    service = staticmethod(services.category_update)
    instance_kwarg = "category"


# Units


class UnitPage:
    model = Unit
    url_base = "inventory:unit"


class UnitList(UnitPage, ListPage):
    filterset_class = UnitFilter
    filter_fields = ("search",)
    api_url_name = "unit-list"
    search_placeholder = _("Name")
    columns = (
        Column("name", link=True, order=True),
        Column("decimals"),
        Column("product_count", _("products"), kind="number"),
    )

    def get_queryset(self):
        return Unit.objects.annotate(product_count=Count("products"))


class UnitDetail(UnitPage, DetailPage):
    fields = ("name", "decimals", (_("products"), lambda unit: unit.products.count()))


class UnitCreate(UnitPage, CreatePage):
    form_class = UnitForm
    service = staticmethod(services.unit_create)


class UnitUpdate(UnitPage, UpdatePage):
    form_class = UnitForm
    service = staticmethod(services.unit_update)
    instance_kwarg = "unit"


# Products


class ProductPage:
    model = Product
    url_base = "inventory:product"

    def get_queryset(self):
        return Product.objects.select_related("unit", "category__parent__parent")


class ProductList(ProductPage, ListPage):
    filterset_class = ProductFilter
    filter_fields = ("search", "category", "is_active", "valuation_method")
    api_url_name = "product-list"
    search_placeholder = _("SKU, name, spec, barcode or pinyin")
    columns = (
        Column("sku", link=True, order=True),
        Column("name", link=True, order=True),
        Column("spec"),
        Column("unit"),
        Column("category", order="category__name"),
        Column("barcode"),
        Column("purchase_price", order=True, permission=VIEW_COST),
        Column("sale_price", order=True),
        Column("tax_rate"),
        Column("safety_stock", order=True),
        Column("valuation_method"),
        Column("is_active"),
    )


class ProductDetail(ProductPage, DetailPage):
    field_permissions = {"purchase_price": VIEW_COST}
    fields = (
        "sku",
        "name",
        "spec",
        "barcode",
        "unit",
        (_("category"), lambda product: category_path(product.category)),
        "purchase_price",
        "sale_price",
        "tax_rate",
        "safety_stock",
        "max_stock",
        "reorder_qty",
        "valuation_method",
        "is_active",
    )


class ProductCreate(ProductPage, CreatePage):
    form_class = ProductForm
    service = staticmethod(services.product_create)


class ProductUpdate(ProductPage, UpdatePage):
    form_class = ProductForm
    service = staticmethod(services.product_update)
    instance_kwarg = "product"
