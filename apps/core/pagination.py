from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{count, next, previous, results}``; ``?page_size=`` up to 500. An Excel download
    (``?format=xlsx``) is not paginated: it holds every row the filters select."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "xlsx":
            return None
        return super().paginate_queryset(queryset, request, view)
