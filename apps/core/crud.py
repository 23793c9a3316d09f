"""URL patterns for a model's four generic pages."""

from django.urls import path


def crud_urls(prefix: str, name: str, *, list_view, detail_view, create_view, update_view) -> list:
    """``<prefix>``, ``<prefix>new/``, ``<prefix><pk>/`` and ``<prefix><pk>/edit/`` named
    ``<name>-list``, ``-create``, ``-detail`` and ``-update``."""
    return [
        path(prefix, list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}new/", create_view.as_view(), name=f"{name}-create"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}-detail"),
        path(f"{prefix}<int:pk>/edit/", update_view.as_view(), name=f"{name}-update"),
    ]
