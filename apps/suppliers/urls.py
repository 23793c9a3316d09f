from apps.core.crud import crud_urls

from . import views

app_name = "suppliers"

urlpatterns = crud_urls(
    "",
    "supplier",
    list_view=views.SupplierList,
    detail_view=views.SupplierDetail,
    create_view=views.SupplierCreate,
    update_view=views.SupplierUpdate,
)
