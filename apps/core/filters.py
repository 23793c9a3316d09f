"""Filters shared by the API and the HTML lists: one FilterSet per list answers
``?search=`` (every word must match one of ``search_fields``), field filters and ``?ordering=``."""

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class _StrictBooleanWidget(BooleanWidget):
    """Like django-filter's widget, but hands an unrecognised value on instead of dropping it,
    so the field can refuse it."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if value is None or isinstance(value, bool):
            return value
        return _BOOLEANS.get(str(value).strip().lower(), value)


class _StrictBooleanField(forms.NullBooleanField):
    widget = _StrictBooleanWidget

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        raise forms.ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(filters.BooleanFilter):
    """``?is_active=true|false|1|0``; anything else is a 400, not a silently ignored filter
    that would answer every row."""

    field_class = _StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _StrictBooleanWidget)
        super().__init__(*args, **kwargs)


class SearchFilterSet(filters.FilterSet):
    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

    search = filters.CharFilter(method="filter_search", label=_("Search"))

    search_fields: tuple[str, ...] = ()
    # Orderings by cost (purchase price, stock value, average cost): only for users who may see
    # costs (inventory.view_cost); for others they are not a choice (400), so even the order of
    # costs stays hidden.
    cost_orderings: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if self.cost_orderings and not (user is not None and user.has_perm("inventory.view_cost")):
            ordering = self.filters["ordering"]
            for name in self.cost_orderings:
                ordering.param_map.pop(name, None)
            ordering.extra["choices"] = [
                choice for choice in ordering.extra["choices"] if choice[0].lstrip("-") not in self.cost_orderings
            ]
            # The form field may already be built (and copied along) with every choice.
            ordering.__dict__.pop("_field", None)

    def filter_search(self, queryset, name, value):
        for word in value.split()[:5]:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset


def ordering(*fields: str, **labels) -> filters.OrderingFilter:
    return filters.OrderingFilter(fields=fields, field_labels=labels, label=_("Ordering"))


class ChoicesInFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """``?status=approved,partially_received``: any of the listed values, each one a valid
    choice (an unknown one is a 400, not an empty list)."""
