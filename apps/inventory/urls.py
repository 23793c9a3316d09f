from apps.core.crud import crud_urls

from . import views

app_name = "inventory"

urlpatterns = [
    *crud_urls(
        "warehouses/",
        "warehouse",
        list_view=views.WarehouseList,
        detail_view=views.WarehouseDetail,
        create_view=views.WarehouseCreate,
        update_view=views.WarehouseUpdate,
    ),
    *crud_urls(
        "categories/",
        "category",
        list_view=views.CategoryList,
        detail_view=views.CategoryDetail,
        create_view=views.CategoryCreate,
        update_view=views.CategoryUpdate,
    ),
    *crud_urls(
        "units/",
        "unit",
        list_view=views.UnitList,
        detail_view=views.UnitDetail,
        create_view=views.UnitCreate,
        update_view=views.UnitUpdate,
    ),
    *crud_urls(
        "products/",
        "product",
        list_view=views.ProductList,
        detail_view=views.ProductDetail,
        create_view=views.ProductCreate,
        update_view=views.ProductUpdate,
    ),
]
