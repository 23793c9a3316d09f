from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{count, next, previous, results}``; ``?page_size=`` up to 500. An Excel download
    (``?format=xlsx``) is not paginated: it holds every row the filters select, up to
    ``JXC_XLSX_MAX_ROWS`` (beyond that the filters must narrow it: 400)."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "xlsx":
            limit = settings.JXC_XLSX_MAX_ROWS
            if queryset.count() > limit:
                raise ValidationError(
                    {"format": [_("More than %(limit)s rows: narrow the filters to download them.") % {"limit": limit}]}
                )
            return None
        return super().paginate_queryset(queryset, request, view)
