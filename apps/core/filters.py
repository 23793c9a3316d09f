"""Filters shared by the API and the HTML lists: one FilterSet per list answers
``?search=`` (every word must match one of ``search_fields``), field filters and ``?ordering=``."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters


class SearchFilterSet(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", label=_("Search"))

    search_fields: tuple[str, ...] = ()

    def filter_search(self, queryset, name, value):
        for word in value.split()[:5]:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset


def ordering(*fields: str, **labels) -> filters.OrderingFilter:
    return filters.OrderingFilter(fields=fields, field_labels=labels, label=_("Ordering"))
