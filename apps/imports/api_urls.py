"""API routes of the Excel import (included under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import ImportJobViewSet

router = SimpleRouter()
router.register("imports", ImportJobViewSet, basename="import")

urlpatterns = router.urls
