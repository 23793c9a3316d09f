"""API routes of this app (included under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import DeliveryViewSet, QuotationViewSet, SalesOrderViewSet, SalesReturnViewSet

router = SimpleRouter()
router.register("quotations", QuotationViewSet, basename="quotation")
router.register("sales-orders", SalesOrderViewSet, basename="sales-order")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("sales-returns", SalesReturnViewSet, basename="sales-return")

urlpatterns = router.urls
