"""Supplier pages (list, detail, new, edit)."""

from django.utils.translation import gettext_lazy as _

from apps.core.pages import Column, CreatePage, DetailPage, ListPage, UpdatePage

from . import services
from .filters import SupplierFilter
from .forms import SupplierForm
from .models import Supplier

FIELDS = SupplierForm._meta.fields


class SupplierPage:
    model = Supplier
    url_base = "suppliers:supplier"


class SupplierList(SupplierPage, ListPage):
    filterset_class = SupplierFilter
    filter_fields = ("search", "is_active")
    api_url_name = "supplier-list"
    search_placeholder = _("Code, name, pinyin, contact or phone")
    columns = (
        Column("code", link=True, order=True),
        Column("name", link=True, order=True),
        Column("contact"),
        Column("phone"),
        Column("payment_terms_days", order=True),
        Column("tax_number"),
        Column("is_active"),
    )


class SupplierDetail(SupplierPage, DetailPage):
    fields = tuple(FIELDS)


class SupplierCreate(SupplierPage, CreatePage):
    form_class = SupplierForm
    service = staticmethod(services.supplier_create)


class SupplierUpdate(SupplierPage, UpdatePage):
    form_class = SupplierForm
    service = staticmethod(services.supplier_update)
    instance_kwarg = "supplier"
