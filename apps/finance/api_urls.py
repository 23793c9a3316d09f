"""API routes of this app (included under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import CustomerReceiptViewSet, PayableViewSet, ReceivableViewSet, SupplierPaymentViewSet

router = SimpleRouter()
router.register("payables", PayableViewSet, basename="payable")
router.register("supplier-payments", SupplierPaymentViewSet, basename="supplier-payment")
router.register("receivables", ReceivableViewSet, basename="receivable")
router.register("customer-receipts", CustomerReceiptViewSet, basename="customer-receipt")

urlpatterns = router.urls
