"""Supplier pages (list, detail, new, edit) and the supplier's products (add, edit, delete).

The detail page also shows what the supplier sells us, its recent documents and its
performance (all history and the last 90 days), computed from the posted documents."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import BusinessError
from apps.core.pages import Column, CreatePage, DetailPage, ListPage, ObjectPage, UpdatePage, add_service_errors, perm

from . import selectors, services
from .filters import SupplierFilter
from .forms import SupplierForm, SupplierProductCreateForm, SupplierProductForm
from .models import Supplier, SupplierProduct

FIELDS = SupplierForm._meta.fields

# Document kind -> (title, detail URL name, list URL name) of the history section.
HISTORY = {
    "orders": (gettext_lazy("Purchase orders"), "purchasing:order-detail", "purchasing:order-list"),
    "receipts": (gettext_lazy("Purchase receipts"), "purchasing:receipt-detail", "purchasing:receipt-list"),
    "returns": (gettext_lazy("Purchase returns"), "purchasing:return-detail", "purchasing:return-list"),
    "payments": (gettext_lazy("Supplier payments"), "finance:payment-detail", "finance:payment-list"),
}
BADGES = {"partially_received": "partial", "received": "done"}


def _url(name: str, *args, query: dict | None = None) -> str | None:
    """The URL of a page that may not exist yet (the documents' pages come with their apps)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


class SupplierPage:
    model = Supplier
    url_base = "suppliers:supplier"


class SupplierList(SupplierPage, ListPage):
    filterset_class = SupplierFilter
    filter_fields = ("search", "is_active")
    api_url_name = "supplier-list"
    search_placeholder = gettext_lazy("Code, name, pinyin, contact or phone")
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
    """The supplier's fields, then its products (with add/edit/delete for those who may), its
    performance, its recent documents and, for auditors, its history."""

    template_name = "suppliers/supplier_detail.html"
    fields = tuple(FIELDS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        supplier, user = self.object, self.request.user
        context["products"] = self.product_rows(supplier) if user.has_perm(perm(SupplierProduct, "view")) else None
        if user.has_perm(perm(SupplierProduct, "add")):
            form = SupplierProductCreateForm(user=user)
            form.fields["product"].widget.attrs.pop("autofocus", None)
            context["product_form"] = form
            context["product_form_url"] = reverse("suppliers:supplier-product-create", args=[supplier.pk])
        reads_documents = user.has_perm("purchasing.view_purchasereceipt") or user.has_perm(
            "purchasing.view_purchaseorder"
        )
        if reads_documents:
            context["scorecard"] = selectors.supplier_scorecard(supplier=supplier, user=user)
            context["performance_url"] = _url("reports:supplier-performance", query={"supplier": supplier.pk})
        context["documents"] = self.documents(supplier)
        if user.has_perm("finance.view_payable"):
            context["owed"] = selectors.amount_owed(supplier=supplier)
            context["payables_url"] = _url("finance:payable-list", query={"supplier": supplier.pk})
        return context

    def product_rows(self, supplier):
        may_change = self.request.user.has_perm(perm(SupplierProduct, "change"))
        may_delete = self.request.user.has_perm(perm(SupplierProduct, "delete"))
        sees_products = self.request.user.has_perm("inventory.view_product")
        rows = []
        for item in selectors.supplier_products(supplier=supplier):
            rows.append(
                {
                    "item": item,
                    "product_url": reverse("inventory:product-detail", args=[item.product_id])
                    if sees_products
                    else None,
                    "edit_url": reverse("suppliers:supplier-product-update", args=[supplier.pk, item.pk])
                    if may_change
                    else None,
                    "delete_url": reverse("suppliers:supplier-product-delete", args=[supplier.pk, item.pk])
                    if may_delete
                    else None,
                }
            )
        return rows

    def documents(self, supplier):
        sections = []
        for name, documents in selectors.supplier_history(supplier=supplier, user=self.request.user).items():
            title, detail, listing = HISTORY[name]
            has_detail = _url(detail, 0) is not None
            sections.append(
                {
                    "name": name,
                    "title": title,
                    "all_url": _url(listing, query={"supplier": supplier.pk}),
                    "rows": [
                        {
                            "document": document,
                            "url": reverse(detail, args=[document.pk]) if has_detail else None,
                            "badge": BADGES.get(document.status, document.status),
                            "amount": getattr(document, "total", None)
                            if name != "payments"
                            else getattr(document, "amount", None),
                        }
                        for document in documents
                    ],
                }
            )
        return sections


class SupplierCreate(SupplierPage, CreatePage):
    form_class = SupplierForm
    service = staticmethod(services.supplier_create)


class SupplierUpdate(SupplierPage, UpdatePage):
    form_class = SupplierForm
    service = staticmethod(services.supplier_update)
    instance_kwarg = "supplier"


# --- The supplier's products -----------------------------------------------------------------


class SupplierProductPage(SupplierPage, ObjectPage):
    """A form page about one of the supplier's products (the supplier is ``object``). Service
    refusals land on the form, which keeps what was typed."""

    template_name = "core/form.html"
    verb = "add"

    def get_permission_required(self):
        return [perm(SupplierProduct, self.verb)]

    def detail_url(self) -> str:
        return reverse("suppliers:supplier-detail", args=[self.object.pk]) + "#products"

    def render_form(self, form, title):
        return self.render_to_response(
            self.get_context_data(
                form=form, form_errors=form.non_field_errors(), title=title, cancel_url=self.detail_url()
            )
        )

    def save(self, form, service, success):
        try:
            item = service(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except BusinessError as exc:
            form.add_error(None, exc.detail)
        except IntegrityError:
            form.add_error(None, _("The record conflicts with an existing one."))
        else:
            messages.success(self.request, success % {"product": item.product.sku})
            return HttpResponseRedirect(self.detail_url())
        return None


class SupplierProductCreate(SupplierProductPage):
    verb = "add"

    def title(self):
        return _("Add a product of %(supplier)s") % {"supplier": self.object}

    def get(self, request, *args, **kwargs):
        return self.render_form(SupplierProductCreateForm(user=request.user), self.title())

    def post(self, request, *args, **kwargs):
        form = SupplierProductCreateForm(request.POST, user=request.user)
        if form.is_valid():
            response = self.save(
                form,
                lambda f: services.supplier_product_create(user=request.user, supplier=self.object, **f.service_data()),
                _("%(product)s was added."),
            )
            if response is not None:
                return response
        return self.render_form(form, self.title())


class SupplierProductItemPage(SupplierProductPage):
    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        self.item = get_object_or_404(
            SupplierProduct.objects.select_related("product"), pk=kwargs["item"], supplier=self.object
        )
        return super(ObjectPage, self).dispatch(request, *args, **kwargs)


class SupplierProductUpdate(SupplierProductItemPage):
    verb = "change"

    def title(self):
        return _("Edit %(product)s of %(supplier)s") % {"product": self.item.product, "supplier": self.object}

    def get(self, request, *args, **kwargs):
        return self.render_form(SupplierProductForm(user=request.user, instance=self.item), self.title())

    def post(self, request, *args, **kwargs):
        form = SupplierProductForm(request.POST, user=request.user, instance=self.item)
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, _("Nothing was changed."))
                return HttpResponseRedirect(self.detail_url())
            response = self.save(
                form,
                lambda f: services.supplier_product_update(
                    supplier_product=self.item, user=request.user, **f.service_data()
                ),
                _("%(product)s was saved."),
            )
            if response is not None:
                return response
            self.item.refresh_from_db()
        return self.render_form(form, self.title())


class SupplierProductDelete(SupplierProductItemPage):
    """POST only (the detail page's Delete button asks first)."""

    verb = "delete"

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        sku = self.item.product.sku
        try:
            services.supplier_product_delete(supplier_product=self.item, user=request.user)
        except ProtectedError:
            messages.error(request, _("This record is used by other records and cannot be deleted."))
        else:
            messages.success(request, _("%(product)s was removed from this supplier.") % {"product": sku})
        return HttpResponseRedirect(self.detail_url())
