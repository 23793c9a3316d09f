from django.urls import path

from apps.core.crud import crud_urls

from . import views

app_name = "suppliers"

urlpatterns = [
    *crud_urls(
        "",
        "supplier",
        list_view=views.SupplierList,
        detail_view=views.SupplierDetail,
        create_view=views.SupplierCreate,
        update_view=views.SupplierUpdate,
    ),
    path("<int:pk>/products/new/", views.SupplierProductCreate.as_view(), name="supplier-product-create"),
    path("<int:pk>/products/<int:item>/edit/", views.SupplierProductUpdate.as_view(), name="supplier-product-update"),
    path(
        "<int:pk>/products/<int:item>/delete/",
        views.SupplierProductDelete.as_view(),
        name="supplier-product-delete",
    ),
]
