"""Site-wide pages: the landing page and the audit trail. The generic list/detail/form pages
every app builds on are in ``apps/core/pages.py``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from apps.accounts.departments import DEPARTMENTS
from apps.accounts.selectors import assigned_warehouses, sees_all_customers, user_departments
from apps.customers.models import Customer
from apps.customers.selectors import customers_for
from apps.dashboards.views import dashboard_panels
from apps.inventory.models import Product, Warehouse
from apps.suppliers.models import Supplier

from .audit import audit_entries, audit_rows, history_models, model_name
from .pages import PAGE_SIZE, detail_url, perm


class HomePage(LoginRequiredMixin, TemplateView):
    """Each department's landing page: who you are, the dashboards of your departments
    (``apps.dashboards``), what you may open, and how many records of each master-data list
    you can see."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        cards = []
        if user.has_perm(perm(Product, "view")):
            cards.append(
                {
                    "label": _("Products"),
                    "count": Product.objects.filter(is_active=True).count(),
                    "note": _("in use"),
                    "url": reverse("inventory:product-list") + "?is_active=true",
                }
            )
        if user.has_perm(perm(Customer, "view")):
            cards.append(
                {
                    "label": _("Customers") if sees_all_customers(user) else _("My customers"),
                    "count": customers_for(user).filter(is_active=True).count(),
                    "note": _("in use"),
                    "url": reverse("customers:customer-list") + "?is_active=true",
                }
            )
        if user.has_perm(perm(Supplier, "view")):
            cards.append(
                {
                    "label": _("Suppliers"),
                    "count": Supplier.objects.filter(is_active=True).count(),
                    "note": _("in use"),
                    "url": reverse("suppliers:supplier-list") + "?is_active=true",
                }
            )
        if user.has_perm(perm(Warehouse, "view")):
            cards.append(
                {
                    "label": _("Warehouses"),
                    "count": Warehouse.objects.filter(is_active=True).count(),
                    "note": _("in use"),
                    "url": reverse("inventory:warehouse-list") + "?is_active=true",
                }
            )
        actions = [
            (perm(Product, "add"), _("New product"), "inventory:product-create"),
            (perm(Supplier, "add"), _("New supplier"), "suppliers:supplier-create"),
            (perm(Customer, "add"), _("New customer"), "customers:customer-create"),
            (perm(Warehouse, "add"), _("New warehouse"), "inventory:warehouse-create"),
            ("accounts.add_user", _("New user"), "accounts:user-create"),
        ]
        context.update(
            {
                "departments": [DEPARTMENTS.get(code, code) for code in user_departments(user)],
                "panels": dashboard_panels(user),
                "cards": cards,
                "actions": [(label, reverse(name)) for permission, label, name in actions if user.has_perm(permission)],
                "my_warehouses": list(assigned_warehouses(user).filter(is_active=True))
                if user.has_perm(perm(Warehouse, "view"))
                else [],
            }
        )
        return context


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    user = forms.ModelChoiceField(
        label=_("User"), required=False, queryset=get_user_model().objects.order_by("username"), empty_label=_("All")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All"))] + [
            (label, model_name(model, plural=True)) for label, model in history_models().items()
        ]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""


class AuditTrailPage(PermissionRequiredMixin, TemplateView):
    """Recent changes to every record with a history (django-simple-history), newest first:
    when, who, which record, created/changed/deleted and each changed field's old and new value."""

    template_name = "core/audit.html"
    permission_required = "accounts.view_audit_trail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.request.GET or None)
        model_label = user_id = None
        if form.is_bound and form.is_valid():
            model_label = form.cleaned_data["model"] or None
            user_id = form.cleaned_data["user"].pk if form.cleaned_data["user"] else None
        page = Paginator(audit_rows(model_label=model_label, user_id=user_id), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        entries = audit_entries(page.object_list)
        user = self.request.user
        for entry in entries:
            entry.model_name = model_name(entry.model)
            entry.url = detail_url(entry.model, entry.object_id, user) if entry.action != "-" else None
        context.update({"title": _("Audit trail"), "form": form, "page_obj": page, "entries": entries})
        return context
