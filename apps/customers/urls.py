from apps.core.crud import crud_urls

from . import views

app_name = "customers"

urlpatterns = crud_urls(
    "",
    "customer",
    list_view=views.CustomerList,
    detail_view=views.CustomerDetail,
    create_view=views.CustomerCreate,
    update_view=views.CustomerUpdate,
)
