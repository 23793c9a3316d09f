"""Pages of deliveries (销售出库, with the delivery note 送货单) and sales returns and exchanges
(销售退货 / 退换货).

They are the purchasing receipt and return pages (apps.purchasing.views: the priced editor,
grid, detail and print) as the sales pages share them (apps.sales.pages): a line's price and
VAT rate come from its order line, delivery line, or the product's sale price.

The shipping screen: the clerk picks an open order of their warehouses (or delivers without
one); the order's open lines come filled in with what is left to deliver (``&scan=1``: at 0, to
pick by scanning); each scan adds one to its line (a product not on the order is refused);
lines left at 0 are not delivered. A refusal (``over_delivery``, ``insufficient_stock``) is the
service's sentence with the numbers.

A return is started from a posted delivery ("Return goods": its lines with what is still
returnable, at 0) or free; customer service, who works in no warehouse, takes goods back into
any. An exchange's replacement delivery is linked from the return for the warehouse to ship.
Costs (unit cost, cost of goods, the ledger entries) show only to ``inventory.view_cost``.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import check_warehouse_scope, reads_all_warehouses, warehouses_for
from apps.core.pages import Column
from apps.inventory.document_views import DocumentEditor
from apps.inventory.templatetags.stock_documents import plain
from apps.purchasing.views import PurchaseDetail, PurchasePrint, action, posting_actions

from . import selectors, services
from .delivery_forms import DeliveryForm, DeliveryPageFilter, SalesReturnForm, SalesReturnPageFilter
from .models import OPEN_ORDER_STATUSES, Delivery, SalesReturn
from .pages import SalesEditor, SalesGrid, SalesKind, SalesList, linked_row, sales_columns, sales_document_urls

VIEW_COST = "inventory.view_cost"
ORDER_DETAIL = "sales:order-detail"


def page_url(url_name: str, pk: int, query: str = "") -> str | None:
    """The URL of a page, or None while that page does not exist."""
    try:
        return reverse(url_name, args=[pk] if pk is not None else []) + query
    except NoReverseMatch:
        return None


class DeliveryKind(SalesKind):
    model = Delivery
    url_base = "sales:delivery"
    source_type = selectors.SOURCE_DELIVERY
    selector = staticmethod(selectors.deliveries_for)
    instance_kwarg = "delivery"
    form_class = DeliveryForm
    source_field = "sales_order"
    source_ref = "sales_order_line"
    done_field = "delivered_qty"
    optional_fields = SalesKind.line_fields  # lines left empty or at 0 are not delivered
    source_labels = (gettext_lazy("Ordered"), gettext_lazy("Delivered"), gettext_lazy("Open"))
    header_fields = ["number", "date", "customer", "warehouse", "sales_order", "shipping_address", "replaces"]
    create_service = staticmethod(services.delivery_create)
    update_service = staticmethod(services.delivery_update)
    post_service = staticmethod(services.delivery_post)
    cancel_service = staticmethod(services.delivery_cancel)


class SalesReturnKind(SalesKind):
    model = SalesReturn
    url_base = "sales:return"
    source_type = selectors.SOURCE_RETURN
    selector = staticmethod(selectors.sales_returns_for)
    instance_kwarg = "sales_return"
    form_class = SalesReturnForm
    source_field = "delivery"
    source_ref = "delivery_line"
    done_field = "returned_qty"
    optional_fields = SalesKind.line_fields  # lines left empty or at 0 are not returned
    source_labels = (gettext_lazy("Delivered"), gettext_lazy("Returned"), gettext_lazy("Returnable"))
    header_fields = ["number", "date", "customer", "warehouse", "delivery", "reason", "reason_note", "is_exchange"]
    create_service = staticmethod(services.sales_return_create)
    update_service = staticmethod(services.sales_return_update)
    post_service = staticmethod(services.sales_return_post)
    cancel_service = staticmethod(services.sales_return_cancel)


# --- What the delivery and return pages share ---------------------------------------------------


class ShippingEditor(SalesEditor):
    """The editor of a delivery or return; ``source_url_name`` is the source document's page
    (linked when it exists)."""

    template_name = "sales/delivery_editor.html"
    grid_template = "sales/_delivery_grid.html"

    def editor_context(self, document) -> dict:
        return {
            **DocumentEditor.editor_context(self, document),
            "source": self.source,
            "source_field": self.kind.source_field,
            "source_url": page_url(self.source_url_name, self.source.pk) if self.source is not None else None,
            "replaces": getattr(document, "replaces", None),
        }


class ShippingGrid(SalesGrid):
    grid_template = "sales/_delivery_grid.html"


class SalesDetail(PurchaseDetail):
    """A delivery or return: lines with prices and amounts (unit cost and cost, and the ledger
    entries, only for those who see costs), linked documents, the receivable or credit note it
    wrote (for those who read receivables), who did what when."""

    template_name = "sales/delivery_detail.html"

    def payable(self, document):
        return None

    def receivable(self, document) -> dict | None:
        if not self.request.user.has_perm("finance.view_receivable"):
            return None
        from apps.finance.models import Receivable

        item = Receivable.objects.filter(source_type=self.kind.source_type, source_id=document.pk).first()
        if item is None:
            return None
        return {"item": item, "url": page_url("finance:receivable-list", None, f"?customer={item.customer_id}")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "show_cost": self.request.user.has_perm(VIEW_COST),
                "receivable": self.receivable(self.object),
            }
        )
        return context


class SalesPrint(PurchasePrint):
    """A4: company, number and barcode, the customer with address, contact and phone, lines with
    prices and amounts, net / VAT / total, signature spaces."""

    template_name = "sales/delivery_print.html"
    heading = ""

    def header_rows(self, document) -> list[dict]:
        customer = document.customer
        contact = customer.contacts.order_by("-is_primary", "pk").first()
        rows = [
            (_("Customer"), f"{customer.code} {customer.name}"),
            (_("Address"), getattr(document, "shipping_address", "") or customer.address),
            (_("Contact"), contact.name if contact else customer.contact),
            (_("Phone"), (contact.phone if contact else "") or customer.phone),
            (_("Date"), document.date.isoformat()),
            (_("Warehouse"), str(document.warehouse)),
            *self.more_rows(document),
            (_("Note"), document.note),
        ]
        return [{"label": label, "value": value} for label, value in rows if value]

    def more_rows(self, document) -> list[tuple]:
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["header_rows"] = self.header_rows(self.object)
        context["heading"] = self.heading
        return context


# --- Deliveries ---------------------------------------------------------------------------------


def open_orders(user):
    """Orders ``user`` may ship: confirmed or partially delivered, in their warehouses, with the
    number of lines still open."""
    open_line = Q(lines__qty__gt=F("lines__delivered_qty"))
    return (
        selectors.sales_orders_for(user)
        .filter(status__in=OPEN_ORDER_STATUSES, warehouse__in=warehouses_for(user))
        .annotate(open_lines=Count("lines", filter=open_line))
    )


class DeliveryList(SalesList):
    kind = DeliveryKind
    filterset_class = DeliveryPageFilter
    api_url_name = "delivery-list"
    columns = sales_columns(Column("sales_order"))


class DeliveryEditor(ShippingEditor):
    """The shipping screen. New: a picker of the open orders first (or ``?free=1``: without an
    order); ``?sales_order=<id>``: the order's open lines filled in with what is left
    (``&scan=1``: at 0, to be scanned)."""

    kind = DeliveryKind
    source_url_name = ORDER_DETAIL

    def source_queryset(self):
        return selectors.sales_orders_for(self.request.user)

    def source_refusal(self, source) -> str:
        if source.is_open_for_delivery:
            return ""
        return _("%(number)s is %(status)s: nothing can be delivered against it.") % {
            "number": source.number,
            "status": source.get_status_display(),
        }

    def get(self, request, *args, **kwargs):
        wants_order = self.object is None and not request.GET.get(self.kind.source_field) and "free" not in request.GET
        if wants_order:
            return self.pick_order()
        return super().get(request, *args, **kwargs)

    def initial_grid(self):
        """A new delivery against an order starts with each open line's open quantity (the
        common case: ship what is left), unless the clerk chose to scan (``&scan=1``)."""
        grid = super().initial_grid()
        if self.object is None and self.source is not None and "scan" not in self.request.GET:
            ref = self.kind.source_ref
            order_lines = self.kind.source_lines(row.ref(ref) for row in grid.rows)
            for row in grid.rows:
                if row.ref(ref) in order_lines:
                    row.raw["qty"] = plain(self.kind.left(order_lines[row.ref(ref)]))
        return grid

    def editor_context(self, document) -> dict:
        context = super().editor_context(document)
        if self.source is not None and document is None:
            base = f"{self.url('create')}?{self.kind.source_field}={self.source.pk}"
            context.update(fill_url=base, scan_url=f"{base}&scan=1", scanning="scan" in self.request.GET)
        return context

    def pick_order(self):
        """The open orders of the clerk's warehouses, oldest delivery date first; a search (a
        scanned order number opens that order at once)."""
        orders = open_orders(self.request.user).order_by(F("delivery_date").asc(nulls_last=True), "date", "pk")
        query = self.request.GET.get("q", "").strip()
        if query:
            exact = orders.filter(number__iexact=query).first()
            if exact is not None:
                return HttpResponseRedirect(f"{self.url('create')}?{self.kind.source_field}={exact.pk}")
            for word in query.split()[:5]:
                orders = orders.filter(
                    Q(number__icontains=word)
                    | Q(customer__name__icontains=word)
                    | Q(customer__code__icontains=word)
                    | Q(customer_reference__icontains=word)
                )
        context = self.get_context_data(
            title=_("Ship goods"),
            orders=orders[:100],
            q=query,
            free_url=f"{self.url('create')}?free=1",
            back_url=self.url("list"),
        )
        return TemplateResponse(self.request, "sales/delivery_pick.html", context)


class DeliveryGrid(ShippingGrid):
    kind = DeliveryKind

    def source_queryset(self):
        return selectors.sales_orders_for(self.request.user)


class DeliveryDetail(SalesDetail):
    kind = DeliveryKind

    def actions(self, document):
        result = posting_actions(
            self,
            document,
            reverse_confirm=_(
                "Cancel this posted delivery? Its goods come back into stock, its order expects them again and "
                "its receivable is cancelled."
            ),
        )
        returnable = document.lines.filter(qty__gt=F("returned_qty")).exists()
        if document.status == "posted" and returnable and self.request.user.has_perm("sales.add_salesreturn"):
            url = f"{reverse('sales:return-create')}?delivery={document.pk}"
            result.insert(0, action(_("Return goods"), url, method="get"))
        return result

    def linked(self, document):
        rows = []
        if document.sales_order is not None:
            rows.append(linked_row(document.sales_order, ORDER_DETAIL, _("Sales order")))
        if document.replaces is not None:
            rows.append(linked_row(document.replaces, "sales:return-detail", _("Exchange for return")))
        returns = document.returns.order_by("date", "pk")
        rows += [linked_row(r, "sales:return-detail", _("Sales return")) for r in returns]
        return [{"title": _("Linked documents"), "rows": rows}] if rows else []


class DeliveryPrint(SalesPrint):
    """The delivery note (送货单): the customer signs for the goods."""

    kind = DeliveryKind
    heading = gettext_lazy("Delivery note")
    signatures = (gettext_lazy("Delivered by"), gettext_lazy("Customer's signature"), gettext_lazy("Date received"))

    def more_rows(self, document):
        order = document.sales_order
        if order is None:
            return []
        return [(_("Sales order"), order.number), (_("Customer's order number"), order.customer_reference)]


# --- Returns and exchanges ----------------------------------------------------------------------


class ReturnList(SalesList):
    kind = SalesReturnKind
    filterset_class = SalesReturnPageFilter
    filter_fields = ("search", "status", "customer", "warehouse", "reason", "date_from", "date_to")
    api_url_name = "sales-return-list"
    columns = sales_columns(Column("delivery"), Column("reason"), Column("is_exchange"))


class ReturnEditor(ShippingEditor):
    """A return: ``?delivery=<id>`` lists that delivery's returnable lines at 0; without it, a
    free return (customer, warehouse, any products). Reason, details and "exchange" on top."""

    kind = SalesReturnKind
    source_url_name = "sales:delivery-detail"

    def source_queryset(self):
        return selectors.deliveries_for(self.request.user)

    def check_source_scope(self, source) -> None:
        """Customer service takes goods back into any warehouse; a clerk only into theirs."""
        if not reads_all_warehouses(self.request.user):
            check_warehouse_scope(self.request.user, source.warehouse)

    def source_refusal(self, source) -> str:
        if source.status == "posted":
            return ""
        return _("%(number)s is %(status)s: nothing can be returned against it.") % {
            "number": source.number,
            "status": source.get_status_display(),
        }

    def source_refused_url(self, source) -> str:
        return reverse("sales:delivery-detail", args=[source.pk])


class ReturnGrid(ShippingGrid):
    kind = SalesReturnKind

    def source_queryset(self):
        return selectors.deliveries_for(self.request.user)


class ReturnDetail(SalesDetail):
    kind = SalesReturnKind

    def actions(self, document):
        return posting_actions(
            self,
            document,
            reverse_confirm=_(
                "Cancel this posted return? The goods leave stock again, its credit note is cancelled and an "
                "exchange's replacement delivery not yet shipped is cancelled."
            ),
        )

    def linked(self, document):
        rows = []
        if document.delivery is not None:
            rows.append(linked_row(document.delivery, "sales:delivery-detail", _("Delivery")))
        replacements = document.replacements.order_by("pk")
        rows += [linked_row(d, "sales:delivery-detail", _("Replacement delivery")) for d in replacements]
        return [{"title": _("Linked documents"), "rows": rows}] if rows else []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        replacement = self.object.replacements.exclude(status="cancelled").order_by("pk").first()
        context["replacement"] = replacement
        context["replacement_url"] = page_url("sales:delivery-detail", replacement.pk) if replacement else None
        context["may_ship"] = self.request.user.has_perm(DeliveryKind.post_permission())
        return context


class ReturnPrint(SalesPrint):
    kind = SalesReturnKind
    heading = gettext_lazy("Sales return")
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Warehouse keeper"), gettext_lazy("Customer's signature"))

    def more_rows(self, document):
        reason = document.get_reason_display()
        if document.reason_note:
            reason = f"{reason}: {document.reason_note}"
        rows = [(_("Reason"), reason)]
        if document.delivery is not None:
            rows.append((_("Delivery"), document.delivery.number))
        if document.is_exchange:
            rows.append((_("Exchange"), _("Yes")))
        return rows


urlpatterns = [
    *sales_document_urls(
        "deliveries/",
        "delivery",
        DeliveryKind,
        DeliveryList,
        DeliveryDetail,
        DeliveryEditor,
        DeliveryGrid,
        DeliveryPrint,
        actions=("post", "cancel"),
    ),
    *sales_document_urls(
        "returns/",
        "return",
        SalesReturnKind,
        ReturnList,
        ReturnDetail,
        ReturnEditor,
        ReturnGrid,
        ReturnPrint,
        actions=("post", "cancel"),
    ),
]
