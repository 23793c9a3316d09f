"""API routes of this app (included under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from apps.suppliers.api import SupplierProductViewSet

from .api import PurchaseOrderViewSet, PurchaseReceiptViewSet, PurchaseReturnViewSet

router = SimpleRouter()
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("purchase-receipts", PurchaseReceiptViewSet, basename="purchase-receipt")
router.register("purchase-returns", PurchaseReturnViewSet, basename="purchase-return")
# The suppliers' price lists arrive with purchasing (jxc/urls.py keeps the master data router).
router.register("supplier-products", SupplierProductViewSet, basename="supplier-product")

urlpatterns = router.urls
