"""Purchase receipt (采购入库) and purchase return (采购退货) pages.

The receiving screen: the clerk picks an open order of their warehouses (or receives without
one); the order's open lines are listed at 0 and each scan of a barcode adds one to its line
(a product not on the order is refused); typing sets a quantity; lines left at 0 are not
received. Posting asks once; an over-receipt is refused with the service's sentence.

A return is started from a posted receipt ("Return goods": its lines with what is still
returnable, at 0) or free (supplier, warehouse, products).
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import warehouses_for
from apps.core.pages import Column

from . import selectors, services
from .forms import (
    OPEN_STATUSES,
    PurchaseReceiptForm,
    PurchaseReceiptPageFilter,
    PurchaseReturnForm,
    PurchaseReturnPageFilter,
)
from .models import PurchaseReceipt, PurchaseReturn
from .views import (
    PricedKind,
    PurchaseDetail,
    PurchaseEditor,
    PurchaseGrid,
    PurchaseList,
    PurchasePrint,
    action,
    document_columns,
    linked_row,
    posting_actions,
)


class ReceiptKind(PricedKind):
    model = PurchaseReceipt
    url_base = "purchasing:receipt"
    source_type = selectors.SOURCE_RECEIPT
    selector = staticmethod(selectors.purchase_receipts_for)
    instance_kwarg = "receipt"
    form_class = PurchaseReceiptForm
    source_field = "purchase_order"
    source_ref = "purchase_order_line"
    source_price_field = "unit_price"
    done_field = "received_qty"
    source_labels = (gettext_lazy("Ordered"), gettext_lazy("Received"), gettext_lazy("Open"))
    header_fields = ["number", "date", "supplier", "warehouse", "purchase_order", "supplier_reference"]
    create_service = staticmethod(services.purchase_receipt_create)
    update_service = staticmethod(services.purchase_receipt_update)
    post_service = staticmethod(services.purchase_receipt_post)
    cancel_service = staticmethod(services.purchase_receipt_cancel)


class ReturnKind(PricedKind):
    model = PurchaseReturn
    url_base = "purchasing:return"
    source_type = selectors.SOURCE_RETURN
    selector = staticmethod(selectors.purchase_returns_for)
    instance_kwarg = "purchase_return"
    form_class = PurchaseReturnForm
    source_field = "purchase_receipt"
    source_ref = "purchase_receipt_line"
    done_field = "returned_qty"
    source_labels = (gettext_lazy("Received"), gettext_lazy("Returned"), gettext_lazy("Returnable"))
    header_fields = ["number", "date", "supplier", "warehouse", "purchase_receipt", "reason"]
    create_service = staticmethod(services.purchase_return_create)
    update_service = staticmethod(services.purchase_return_update)
    post_service = staticmethod(services.purchase_return_post)
    cancel_service = staticmethod(services.purchase_return_cancel)

    @classmethod
    def new_line(cls, product) -> dict[str, str]:
        """An empty cost: a free return goes out at the current cost (shown greyed)."""
        return {**super().new_line(product), "unit_cost": ""}

    @classmethod
    def price_of(cls, row, source_line):
        if source_line is None and row["product"] is not None:
            return row["default_cost"], row["product"].tax_rate
        return super().price_of(row, source_line)


# --- Receipts -----------------------------------------------------------------------------------


def open_orders(user):
    """Orders ``user`` may receive: approved or partially received, in their warehouses, with
    the number of lines still open."""
    open_line = Q(lines__qty__gt=F("lines__received_qty"))
    return (
        selectors.purchase_orders_for(user)
        .filter(status__in=OPEN_STATUSES, warehouse__in=warehouses_for(user))
        .annotate(open_lines=Count("lines", filter=open_line))
    )


class ReceiptList(PurchaseList):
    kind = ReceiptKind
    filterset_class = PurchaseReceiptPageFilter
    api_url_name = "purchase-receipt-list"
    columns = document_columns(Column("purchase_order"), Column("supplier_reference"))


class ReceiptEditor(PurchaseEditor):
    """The receiving screen. New: a picker of the open orders first (or ``?free=1``: without
    an order); ``?purchase_order=<id>``: the order's open lines at 0, ready to scan."""

    kind = ReceiptKind
    source_url_name = "purchasing:order-detail"

    def source_queryset(self):
        return selectors.purchase_orders_for(self.request.user)

    def source_refusal(self, source) -> str:
        if source.status in OPEN_STATUSES:
            return ""
        return _("%(number)s is %(status)s: goods cannot be received against it.") % {
            "number": source.number,
            "status": source.get_status_display(),
        }

    def get(self, request, *args, **kwargs):
        wants_order = self.object is None and not request.GET.get(self.kind.source_field) and "free" not in request.GET
        if wants_order:
            return self.pick_order()
        return super().get(request, *args, **kwargs)

    def pick_order(self):
        """The open orders of the clerk's warehouses; a search (a scanned order number opens
        that order at once)."""
        orders = open_orders(self.request.user).order_by("expected_date", "date", "pk")
        query = self.request.GET.get("q", "").strip()
        if query:
            exact = orders.filter(number__iexact=query).first()
            if exact is not None:
                return HttpResponseRedirect(f"{self.url('create')}?{self.kind.source_field}={exact.pk}")
            for word in query.split()[:5]:
                orders = orders.filter(
                    Q(number__icontains=word) | Q(supplier__name__icontains=word) | Q(supplier__code__icontains=word)
                )
        context = self.get_context_data(
            title=_("Receive goods"),
            orders=orders[:100],
            q=query,
            free_url=f"{self.url('create')}?free=1",
            back_url=self.url("list"),
        )
        return TemplateResponse(self.request, "purchasing/receipt_pick.html", context)


class ReceiptGrid(PurchaseGrid):
    kind = ReceiptKind

    def source_queryset(self):
        return selectors.purchase_orders_for(self.request.user)


class ReceiptDetail(PurchaseDetail):
    kind = ReceiptKind

    def actions(self, document):
        result = posting_actions(
            self,
            document,
            reverse_confirm=_(
                "Cancel this posted receipt? Its goods leave stock again, its order expects them again and its "
                "payable is cancelled."
            ),
        )
        returnable = document.lines.filter(qty__gt=F("returned_qty")).exists()
        if document.status == "posted" and returnable and self.request.user.has_perm("purchasing.add_purchasereturn"):
            url = f"{reverse('purchasing:return-create')}?purchase_receipt={document.pk}"
            result.insert(0, action(_("Return goods"), url, method="get"))
        return result

    def linked(self, document):
        rows = []
        if document.purchase_order is not None:
            rows.append(linked_row(document.purchase_order, "purchasing:order-detail", _("Purchase order")))
        returns = document.returns.order_by("date", "pk")
        rows += [linked_row(r, "purchasing:return-detail", _("Purchase return")) for r in returns]
        return [{"title": _("Linked documents"), "rows": rows}] if rows else []


class ReceiptPrint(PurchasePrint):
    kind = ReceiptKind
    signatures = (gettext_lazy("Delivered by"), gettext_lazy("Received by"), gettext_lazy("Checked by"))


# --- Returns ------------------------------------------------------------------------------------


class ReturnList(PurchaseList):
    kind = ReturnKind
    filterset_class = PurchaseReturnPageFilter
    api_url_name = "purchase-return-list"
    columns = document_columns(Column("purchase_receipt"), Column("reason"))


class ReturnEditor(PurchaseEditor):
    """A return: ``?purchase_receipt=<id>`` lists that receipt's returnable lines at 0;
    without it, a free return (supplier, warehouse, any products)."""

    kind = ReturnKind
    source_url_name = "purchasing:receipt-detail"

    def source_queryset(self):
        return selectors.purchase_receipts_for(self.request.user)

    def source_refusal(self, source) -> str:
        if source.status == "posted":
            return ""
        return _("%(number)s is %(status)s: nothing can be returned against it.") % {
            "number": source.number,
            "status": source.get_status_display(),
        }

    def source_refused_url(self, source) -> str:
        return reverse("purchasing:receipt-detail", args=[source.pk])


class ReturnGrid(PurchaseGrid):
    kind = ReturnKind

    def source_queryset(self):
        return selectors.purchase_receipts_for(self.request.user)


class ReturnDetail(PurchaseDetail):
    kind = ReturnKind

    def actions(self, document):
        return posting_actions(
            self,
            document,
            reverse_confirm=_(
                "Cancel this posted return? The goods come back into stock and its debit note is cancelled."
            ),
        )

    def linked(self, document):
        if document.purchase_receipt is None:
            return []
        row = linked_row(document.purchase_receipt, "purchasing:receipt-detail", _("Purchase receipt"))
        return [{"title": _("Linked documents"), "rows": [row]}]


class ReturnPrint(PurchasePrint):
    kind = ReturnKind
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Warehouse keeper"), gettext_lazy("Supplier's signature"))
