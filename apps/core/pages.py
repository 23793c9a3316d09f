"""Generic HTML pages: a list, a detail, a create and an edit page for any model.

An app's ``views.py`` declares, per model, which columns the list shows, which filters, which
form and which service writes. The pages only shape input and output: every write goes through
the same service the API calls, and a ``ValidationError`` or ``BusinessError`` from the service
is shown next to its field, keeping what was typed.

Permissions are checked on the server for every page: ``view_``, ``add_`` or ``change_<model>``
from the departments table (403 otherwise; anonymous users go to the login page). Record scope
(a salesperson's own customers) comes from ``get_queryset()``: outside it is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .audit import object_history
from .errors import BusinessError
from .fields import MoneyField, QuantityField, RateField
from .formatting import display_value, format_money, format_percent, format_quantity

PAGE_SIZE = 50

# model -> "app:model" URL base of its pages (``-list``, ``-detail``...), filled as the page
# classes are declared; lets the audit trail link a record to its detail page.
_url_bases: dict[type[models.Model], str] = {}


def perm(model: type[models.Model], verb: str) -> str:
    """``perm(Product, "add")`` -> ``"inventory.add_product"``."""
    return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"


def detail_url(model: type[models.Model], pk, user) -> str | None:
    """The detail page of a record if there is one and ``user`` may view that model."""
    base = _url_bases.get(model)
    if base is None or not user.has_perm(perm(model, "view")):
        return None
    try:
        return reverse(f"{base}-detail", args=[pk])
    except NoReverseMatch:
        return None


def _model_field(model, path: str):
    """The model field at the end of ``"unit__name"``, or None for a plain attribute."""
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else None
    return field


def _resolve(obj, path: str):
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    return value


class Column:
    """A list column: ``Column("sku", link=True, order=True)``, ``Column("unit__name",
    gettext_lazy("unit"))``, ``Column("purchase_price", order=True)`` (money from the field type),
    ``Column("path", gettext_lazy("path"), value=lambda obj: ...)`` (computed).

    ``kind`` overrides how the value is shown: "money", "quantity", "percent", "active" (a badge)
    or "text"; by default it follows the model field. ``order`` is the ``?ordering=`` key
    (``True`` for the column's name); it must be one the FilterSet's OrderingFilter accepts.
    ``link`` is True for a link to the row's page (``ListPage.row_url``), or a function(obj) ->
    URL or None for a link of the column's own (a source document). ``permission``: only users
    with it see the column (costs: ``inventory.view_cost``).
    """

    NUMERIC = {"money", "quantity", "percent", "number"}

    def __init__(
        self,
        name: str,
        label=None,
        *,
        kind: str | None = None,
        order: str | bool | None = None,
        link: bool | Callable[[Any], str | None] = False,
        value: Callable[[Any], Any] | None = None,
        permission: str | None = None,
    ):
        self.permission = permission
        self.name = name
        self.label = label
        self.kind = kind
        self.order = name if order is True else order
        self.link = link
        self.value = value
        self.field = None

    def bind(self, model) -> Column:
        field = _model_field(model, self.name)
        label = self.label
        if label is None:
            first = _model_field(model, self.name.split("__")[0])
            label = first.verbose_name if first is not None else self.name
        kind = self.kind or _kind_of(field)
        bound = Column(self.name, capfirst(str(label)), kind=kind, order=self.order, link=self.link, value=self.value)
        bound.field = field
        return bound

    @property
    def css(self) -> str:
        return "num" if self.kind in self.NUMERIC else ""

    def cell(self, obj) -> dict[str, Any]:
        value = self.value(obj) if self.value is not None else _resolve(obj, self.name)
        if self.kind == "active":
            return {"badge": "active" if value else "inactive", "text": _("Active") if value else _("Inactive")}
        if value is None or value == "":
            text = ""
        elif self.kind == "money":
            text = format_money(value)
        elif self.kind == "quantity":
            text = format_quantity(value)
        elif self.kind == "percent":
            text = format_percent(value)
        elif isinstance(value, models.Model):
            text = str(value)
        else:
            text = display_value(self.field, value)
        return {"text": text}


def _kind_of(field) -> str:
    if isinstance(field, MoneyField):
        return "money"
    if isinstance(field, RateField):
        return "percent"
    if isinstance(field, (QuantityField, models.DecimalField)):
        return "quantity"
    if isinstance(field, models.BooleanField) and field.name == "is_active":
        return "active"
    if isinstance(field, (models.IntegerField, models.FloatField)) and not field.choices and not field.is_relation:
        return "number"
    return "text"


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: field messages next to their fields, the
    rest at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            texts = [message for error in errors for message in error.messages]
            if name in form.fields:
                form.add_error(name, texts)
            elif name == NON_FIELD_ERRORS:
                form.add_error(None, texts)
            else:
                field = _model_field(getattr(getattr(form, "_meta", None), "model", None), name)
                label = capfirst(str(field.verbose_name)) if field is not None else name
                form.add_error(None, [f"{label}: {text}" for text in texts])
    else:
        form.add_error(None, exc.messages)


class ServiceForm(forms.ModelForm):
    """A ModelForm used for its fields and widgets only: it never saves and does not run the
    model's validation (``_post_clean``). The page passes ``cleaned_data`` to the service, whose
    ``full_clean()`` is the one place the rules are checked."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)
            if isinstance(field, (forms.DecimalField, forms.IntegerField)) and isinstance(
                field.widget, forms.NumberInput
            ):
                # A text box: no spinner, no wheel changing a price, and the server does the checking.
                mode = "numeric" if isinstance(field, forms.IntegerField) else "decimal"
                attrs = {**field.widget.attrs, "inputmode": mode, "class": "num"}
                attrs.pop("step", None)
                field.widget = forms.TextInput(attrs=attrs)
                field.widget.is_required = field.required
        first = next((f for f in self.fields.values() if not f.widget.is_hidden), None)
        if first is not None:
            first.widget.attrs.setdefault("autofocus", True)

    def _post_clean(self):
        """The service validates (``record_save`` -> ``full_clean``), not the form."""

    def service_data(self) -> dict[str, Any]:
        """Keyword arguments for the service."""
        return dict(self.cleaned_data)


class PercentField(forms.DecimalField):
    """A rate stored as a fraction (0.13) and typed as a percentage (13)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "num percent"})

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_quantity(value * 100).replace(",", "")
        return value

    def clean(self, value):
        number = super().clean(value)
        return None if number is None else number / 100

    def has_changed(self, initial, data):
        if isinstance(initial, Decimal):
            initial = initial * 100
        return super().has_changed(initial, data)


class Page(PermissionRequiredMixin, TemplateView):
    """Base of the generic pages: the model, its URL base and the permission verb."""

    model: type[models.Model]
    url_base: str = ""  # "inventory:product" -> inventory:product-list, -detail, -create, -update
    verb: str = "view"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "model", None) is not None and cls.url_base:
            _url_bases.setdefault(cls.model, cls.url_base)

    def get_permission_required(self):
        return [perm(self.model, self.verb)]

    def get_queryset(self) -> models.QuerySet:
        return self.model._default_manager.all()

    def may(self, verb: str) -> bool:
        return self.request.user.has_perm(perm(self.model, verb))

    def url(self, action: str, *args) -> str:
        return reverse(f"{self.url_base}-{action}", args=args)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["model_name"] = capfirst(self.verbose_name)
        context["list_url"] = self.url("list")
        context["list_title"] = capfirst(str(self.model._meta.verbose_name_plural))
        return context


class ListPage(Page):
    """A filterable, sortable, paginated table, with New and Excel buttons.

    ``filterset_class`` is the app's FilterSet (the same one the API uses, so ``?search=``,
    field filters and ``?ordering=`` mean the same in both); ``filter_fields`` are the filters
    shown in the filter bar; ``api_url_name`` is the API list whose ``?format=xlsx`` the Excel
    button downloads with the same query string.
    """

    template_name = "core/list.html"
    filterset_class = None
    filter_fields: tuple[str, ...] = ("search",)
    columns: tuple[Column, ...] = ()
    api_url_name: str = ""
    search_placeholder = gettext_lazy("Search")

    def get_filterset(self):
        data = self.request.GET.copy()
        data.pop("page", None)
        return self.filterset_class(data or None, queryset=self.get_queryset(), request=self.request)

    def tune_filter_form(self, form: forms.Form) -> None:
        """Make the filter widgets fit a one-line filter bar ("All" instead of "---------")."""
        for name in self.filter_fields:
            field = form.fields[name]
            field.label = capfirst(str(field.label))
            widget = field.widget
            if name == "search":
                widget.input_type = "search"
                widget.attrs.update(
                    {"placeholder": str(self.search_placeholder), "data-jxc-search": "", "autocomplete": "off"}
                )
            elif isinstance(field, forms.NullBooleanField) or widget.__class__.__name__ == "BooleanWidget":
                widget.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
                widget.attrs["data-autosubmit"] = ""
            elif isinstance(field, forms.ChoiceField):
                if hasattr(field, "empty_label"):  # ModelChoiceField and django-filter's ChoiceField
                    field.empty_label = _("All")
                    # The widget's choices may still point at the class-level field's iterator.
                    field.widget.choices = field.choices
                else:
                    field.choices = [("", _("All"))] + [c for c in field.choices if c[0] not in ("", None)]
                widget.attrs["data-autosubmit"] = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        queryset = filterset.qs
        # A stable order across pages even when the sort key has ties (and the model's default
        # order where an aggregate dropped it).
        order = list(queryset.query.order_by) or list(self.model._meta.ordering)
        queryset = queryset.order_by(*order, "pk")
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        user = self.request.user
        columns = [
            column.bind(self.model)
            for column in self.columns
            if column.permission is None or user.has_perm(column.permission)
        ]
        form = filterset.form
        self.tune_filter_form(form)
        rows = []
        for obj in page.object_list:
            url = self.row_url(obj)
            cells = []
            for column in columns:
                cell = column.cell(obj)
                cell["css"] = column.css
                if callable(column.link):
                    cell["url"] = column.link(obj)
                else:
                    cell["url"] = url if column.link else None
                cells.append(cell)
            rows.append({"url": url, "cells": cells, "obj": obj, "css": self.row_css(obj)})
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "title": context["list_title"],
                "headers": self.headers(columns),
                "rows": rows,
                "totals_row": self.totals_row(columns, filterset.qs),
                "page_obj": page,
                "filter_form": form,
                "filter_fields": [form[name] for name in self.filter_fields],
                "filter_errors": form.errors if filterset.is_bound and not form.is_valid() else None,
                "ordering": self.request.GET.get("ordering", ""),
                "is_filtered": any(query.get(name) for name in self.filter_fields),
                "excel_url": self.excel_url(query),
                "create_url": self.url("create") if self.may("add") else None,
            }
        )
        return context

    def row_url(self, obj) -> str | None:
        """Where a row's ``link=True`` columns go: the record's detail page."""
        return self.url("detail", obj.pk)

    def row_css(self, obj) -> str:
        """Extra CSS class of a row (e.g. "overdue"), empty by default."""
        return ""

    def totals(self, queryset: models.QuerySet) -> dict[str, Any] | None:
        """``{column name: sum}`` for a totals row under the table, over every row the filters
        select (not only the page shown); None (the default) for no totals row."""
        return None

    def totals_row(self, columns: list[Column], queryset: models.QuerySet) -> list[dict[str, Any]] | None:
        totals = self.totals(queryset)
        if totals is None:
            return None
        cells = []
        for column in columns:
            value = totals.get(column.name)
            if value is None:
                text = ""
            elif column.kind == "money":
                text = format_money(value)
            elif column.kind == "quantity":
                text = format_quantity(value)
            else:
                text = str(value)
            cells.append({"text": text, "css": column.css})
        if cells and not cells[0]["text"]:
            cells[0]["text"] = _("Total")
        return cells

    def headers(self, columns: list[Column]) -> list[dict[str, Any]]:
        current = self.request.GET.get("ordering", "").split(",")[0]
        result = []
        for column in columns:
            header = {"label": column.label, "css": column.css, "url": None, "arrow": ""}
            if column.order:
                key = column.order
                params = self.request.GET.copy()
                params.pop("page", None)
                if current == key:
                    params["ordering"], header["arrow"] = f"-{key}", "▲"
                elif current == f"-{key}":
                    params["ordering"], header["arrow"] = key, "▼"
                else:
                    params["ordering"] = key
                header["url"] = f"?{params.urlencode()}"
            result.append(header)
        return result

    def excel_url(self, query) -> str | None:
        if not self.api_url_name:
            return None
        params = query.copy()
        params["format"] = "xlsx"
        return f"{reverse(self.api_url_name)}?{params.urlencode()}"


class ObjectPage(Page):
    """A page about one record of ``get_queryset()`` (404 outside it)."""

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        # Permission first (403/login), then the record (404).
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        return super(PermissionRequiredMixin, self).dispatch(request, *args, **kwargs)


class DetailPage(ObjectPage):
    """The record's fields, an Edit button for those who may change it and, for those who may
    read the audit trail, its history.

    ``fields`` lists model field names, or ``(label, function(obj) -> str)`` pairs.
    """

    template_name = "core/detail.html"
    fields: tuple[str | tuple[Any, Callable[[Any], Any]], ...] = ()
    # Fields only some may see: {field name: permission} (costs: inventory.view_cost).
    field_permissions: dict[str, str] = {}

    def rows(self, obj) -> list[dict[str, Any]]:
        rows = []
        user = self.request.user
        for item in self.fields:
            if (
                isinstance(item, str)
                and item in self.field_permissions
                and not user.has_perm(self.field_permissions[item])
            ):
                continue
            if isinstance(item, tuple):
                label, function = item
                value = function(obj)
                rows.append({"label": capfirst(str(label)), "value": "—" if value in (None, "") else value})
                continue
            field = self.model._meta.get_field(item)
            value = getattr(obj, item)
            if field.is_relation:
                text = str(value) if value is not None else "—"
            else:
                text = display_value(field, value)
            css = "num" if _kind_of(field) in Column.NUMERIC else ""
            rows.append({"label": capfirst(str(field.verbose_name)), "value": text, "css": css})
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        context.update(
            {
                "object": obj,
                "title": f"{context['model_name']} {obj}",
                "rows": self.rows(obj),
                "edit_url": self.url("update", obj.pk) if self.may("change") else None,
                "history": object_history(obj) if self.request.user.has_perm("accounts.view_audit_trail") else None,
            }
        )
        return context


class FormPage(Page):
    """Shows ``form_class``; on a valid POST calls :meth:`perform` (the service) and goes to
    the record's detail page. Service refusals land on the form."""

    template_name = "core/form.html"
    form_class: type[forms.BaseForm]
    service: Callable[..., Any]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}

    def get_form(self, data=None):
        return self.form_class(data=data, **self.get_form_kwargs())

    def perform(self, form):  # pragma: no cover - subclasses
        raise NotImplementedError

    def success_message(self, obj) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            if not self.has_changes(form):
                messages.info(request, _("Nothing was changed."))
                return HttpResponseRedirect(self.url("detail", self.object.pk))
            try:
                obj = self.perform(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            except IntegrityError:
                form.add_error(None, _("The record conflicts with an existing one."))
            else:
                messages.success(request, self.success_message(obj))
                return HttpResponseRedirect(self.url("detail", obj.pk))
            self.after_failure()
        return self.render_to_response(self.get_context_data(form=form))

    def has_changes(self, form) -> bool:
        return True

    def after_failure(self) -> None:
        pass

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["form_errors"] = form.non_field_errors()
        return context


class CreatePage(FormPage):
    verb = "add"

    def perform(self, form):
        return self.service(user=self.request.user, **form.service_data())

    def success_message(self, obj) -> str:
        return _("%(model)s “%(object)s” was created.") % {"model": capfirst(self.verbose_name), "object": obj}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("New %(model)s") % {"model": self.verbose_name}
        context["cancel_url"] = context["list_url"]
        return context


class UpdatePage(ObjectPage, FormPage):
    """``instance_kwarg`` names the record in the service's arguments (``product=``)."""

    verb = "change"
    instance_kwarg = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def has_changes(self, form) -> bool:
        return form.has_changed()

    def perform(self, form):
        return self.service(user=self.request.user, **{self.instance_kwarg: self.object}, **form.service_data())

    def after_failure(self) -> None:
        # The service set the typed values on the instance before refusing; show the saved record.
        self.object = self.get_object()

    def success_message(self, obj) -> str:
        return _("%(model)s “%(object)s” was saved.") % {"model": capfirst(self.verbose_name), "object": obj}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["title"] = _("Edit %(model)s %(object)s") % {"model": self.verbose_name, "object": self.object}
        context["cancel_url"] = self.url("detail", self.object.pk)
        return context
