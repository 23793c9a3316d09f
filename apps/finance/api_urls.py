"""API routes of this app (included under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import PayableViewSet, SupplierPaymentViewSet

router = SimpleRouter()
router.register("payables", PayableViewSet, basename="payable")
router.register("supplier-payments", SupplierPaymentViewSet, basename="supplier-payment")

urlpatterns = router.urls
