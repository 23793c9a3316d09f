"""Customer pages (list, detail, new, edit). A salesperson sees and edits only their own
customers (``customers_for``); anyone else's are a 404."""

from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import sees_all_customers
from apps.core.pages import Column, CreatePage, DetailPage, ListPage, UpdatePage

from . import services
from .filters import CustomerFilter
from .forms import CustomerForm, salespeople
from .models import Customer
from .selectors import customers_for


class CustomerPage:
    model = Customer
    url_base = "customers:customer"

    def get_queryset(self):
        return customers_for(self.request.user)


class CustomerList(CustomerPage, ListPage):
    filterset_class = CustomerFilter
    api_url_name = "customer-list"
    search_placeholder = _("Code, name, pinyin, contact or phone")
    columns = (
        Column("code", link=True, order=True),
        Column("name", link=True, order=True),
        Column("contact"),
        Column("phone"),
        Column("salesperson"),
        Column("grade"),
        Column("credit_limit", order=True),
        Column("payment_terms_days", order=True),
        Column("is_active"),
    )

    @property
    def filter_fields(self):
        if sees_all_customers(self.request.user):
            return ("search", "salesperson", "is_active")
        return ("search", "is_active")

    def tune_filter_form(self, form):
        if "salesperson" in form.fields:
            form.fields["salesperson"].queryset = salespeople()
        super().tune_filter_form(form)


class CustomerDetail(CustomerPage, DetailPage):
    fields = tuple(CustomerForm._meta.fields)


class CustomerCreate(CustomerPage, CreatePage):
    form_class = CustomerForm
    service = staticmethod(services.customer_create)


class CustomerUpdate(CustomerPage, UpdatePage):
    form_class = CustomerForm
    service = staticmethod(services.customer_update)
    instance_kwarg = "customer"
