"""API routes of this app (included under /api/v1/)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
# quotations, sales-orders, deliveries, sales-returns are registered here (see apps/sales/api.py).

urlpatterns = router.urls
