from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from apps.accounts.api import MeView, TokenView, UserViewSet
from apps.customers.api import ComplaintViewSet, CustomerContactViewSet, CustomerViewSet
from apps.inventory.api import (
    CategoryViewSet,
    ProductViewSet,
    StockAdjustmentViewSet,
    StockBalanceViewSet,
    StockCountViewSet,
    StockLedgerViewSet,
    StockTransferViewSet,
    UnitViewSet,
    WarehouseViewSet,
)
from apps.suppliers.api import SupplierViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("categories", CategoryViewSet, basename="category")
router.register("units", UnitViewSet, basename="unit")
router.register("products", ProductViewSet, basename="product")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("customers", CustomerViewSet, basename="customer")
router.register("customer-contacts", CustomerContactViewSet, basename="customer-contact")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("stock-adjustments", StockAdjustmentViewSet, basename="stock-adjustment")
router.register("stock-transfers", StockTransferViewSet, basename="stock-transfer")
router.register("stock-counts", StockCountViewSet, basename="stock-count")
router.register("stock-balances", StockBalanceViewSet, basename="stock-balance")
router.register("stock-ledger", StockLedgerViewSet, basename="stock-ledger")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("apps.core.api_urls")),
    path("", include("apps.purchasing.api_urls")),
    path("", include("apps.sales.api_urls")),
    path("", include("apps.finance.api_urls")),
    path("reports/", include("apps.reports.api_urls")),
    path("", include("apps.reports.run_api_urls")),
    path("", include("apps.imports.api_urls")),
    path("", include("apps.notifications.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    # The schema and docs are for people who may use the API: logged-in users.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[IsAuthenticated]),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.core.urls")),
    path("inventory/", include("apps.inventory.urls")),
    path("suppliers/", include("apps.suppliers.urls")),
    path("customers/", include("apps.customers.urls")),
    path("purchasing/", include("apps.purchasing.urls")),
    path("sales/", include("apps.sales.urls")),
    path("finance/", include("apps.finance.urls")),
    path("reports/", include("apps.reports.urls")),
    path("imports/", include("apps.imports.urls")),
    path("notifications/", include("apps.notifications.urls")),
]

admin.site.site_header = "JXC 进销存"
admin.site.site_title = "JXC"
