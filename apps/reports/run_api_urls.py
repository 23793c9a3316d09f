"""API routes of the report runs (included under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .run_api import ReportRunViewSet

router = SimpleRouter()
router.register("report-runs", ReportRunViewSet, basename="report-run")

urlpatterns = router.urls
