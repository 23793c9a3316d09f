"""Pages of quotations (报价单) and sales orders (销售订单): the salesperson's lists, the editor
(customer, warehouse, dates; lines by barcode, SKU, name or pinyin in the scan box; on hand /
reserved / available beside each line and what the other warehouses have; prices, VAT and
running totals), the read-only document with its deliveries, returns and timeline, and the
print view.

A quotation is sent, converted into a draft order (the new order's editor opens) or cancelled.
An order is confirmed (the credit check; the quantities are reserved), cancelled or closed;
when confirming is refused for the customer's credit, the editor shows the sentence with the
figures and, to those who may override the limit, a reason box and "Confirm anyway".
A salesperson sees only their own customers' documents (anything else is 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.selectors import may_operate_warehouse
from apps.core.errors import BusinessError
from apps.core.formatting import format_money
from apps.core.pages import Column, ObjectPage, perm
from apps.inventory.document_views import KindPage
from apps.purchasing.views import PurchaseDetail, PurchasePrint, action

from . import selectors, services
from .forms import OPEN, QuotationForm, QuotationPageFilter, SalesOrderForm, SalesOrderPageFilter
from .models import Quotation, QuotationStatus, SalesOrder, SalesOrderStatus, SalesReturn
from .pages import SalesEditor, SalesGrid, SalesKind, SalesList, linked_row, sales_columns, sales_document_urls

QT, SO = QuotationStatus, SalesOrderStatus
CONFIRM = "sales.confirm_salesorder"
CONVERT = ("sales.change_quotation", "sales.add_salesorder")
ADD_DELIVERY = "sales.add_delivery"

# The service's sentence (apps.sales.services._check_credit), with the amounts as money.
CREDIT_SENTENCE = gettext_lazy(
    "%(customer)s would owe %(exposure)s, above the credit limit of %(limit)s: open receivables "
    "%(owed)s + confirmed undelivered orders %(orders)s + this order %(total)s."
)


def credit_sentence(customer, figures: dict) -> str:
    """The plain sentence of a credit refusal: what the customer would owe against the limit,
    and what it is made of (``figures`` as credit_position gives them, or as the 409 carries them)."""
    return CREDIT_SENTENCE % {
        "customer": customer.name,
        "exposure": format_money(figures["exposure"]),
        "limit": format_money(figures["credit_limit"]),
        "owed": format_money(figures["receivables"]),
        "orders": format_money(figures["open_orders"]),
        "total": format_money(figures["order_total"]),
    }


# --- Kinds ------------------------------------------------------------------------------------


class QuotationKind(SalesKind):
    model = Quotation
    url_base = "sales:quotation"
    source_type = None
    selector = staticmethod(selectors.quotations_for)
    instance_kwarg = "quotation"
    form_class = QuotationForm
    drop_empty = False
    finish_action = "send"
    header_fields = ["number", "date", "customer", "warehouse", "valid_until"]
    create_service = staticmethod(services.quotation_create)
    update_service = staticmethod(services.quotation_update)
    send_service = staticmethod(services.quotation_send)
    cancel_service = staticmethod(services.quotation_cancel)
    done_messages = {
        "send": gettext_lazy("%(number)s was marked as sent."),
        "cancel": gettext_lazy("%(number)s was cancelled."),
    }
    not_finished_message = gettext_lazy("%(number)s was saved as a draft but not marked as sent: %(reason)s")

    @classmethod
    def action_permission(cls, action: str) -> str:
        return perm(cls.model, "change")


class OrderKind(SalesKind):
    model = SalesOrder
    url_base = "sales:order"
    source_type = None
    selector = staticmethod(selectors.sales_orders_for)
    instance_kwarg = "order"
    form_class = SalesOrderForm
    drop_empty = False
    reason_actions = ("close",)
    finish_action = "confirm"
    header_fields = [
        "number",
        "date",
        "customer",
        "warehouse",
        "quotation",
        "delivery_date",
        "customer_reference",
        "confirmed_by",
        "confirmed_at",
        "credit_override_by",
        "credit_override_reason",
        "closed_reason",
    ]
    create_service = staticmethod(services.sales_order_create)
    update_service = staticmethod(services.sales_order_update)
    confirm_service = staticmethod(services.sales_order_confirm)
    cancel_service = staticmethod(services.sales_order_cancel)
    close_service = staticmethod(services.sales_order_close)
    done_messages = {
        "confirm": gettext_lazy("%(number)s was confirmed: its quantities are reserved."),
        "cancel": gettext_lazy("%(number)s was cancelled."),
        "close": gettext_lazy("%(number)s was closed."),
    }
    not_finished_message = gettext_lazy("%(number)s was saved as a draft but not confirmed: %(reason)s")

    @classmethod
    def action_permission(cls, action: str) -> str:
        return CONFIRM if action in ("confirm", "close") else perm(cls.model, "change")

    @classmethod
    def action_kwargs(cls, action: str, data) -> dict:
        if action == "confirm":
            return {"override_reason": data.get("override_reason", "").strip()}
        return super().action_kwargs(action, data)

    @classmethod
    def refusal(cls, exc, document) -> str:
        if isinstance(exc, BusinessError) and exc.code == BusinessError.CREDIT_LIMIT_EXCEEDED:
            return credit_sentence(document.customer, exc.extra)
        return super().refusal(exc, document)


def credit_panel(order: SalesOrder, user) -> dict | None:
    """The customer's credit as confirming this draft would check it: the figures, whether the
    order is above the limit (then the sentence), and whether ``user`` may confirm anyway.
    None for an order that is not a draft or a customer without a limit."""
    if order is None or order.status != SO.DRAFT or order.customer.credit_limit is None:
        return None
    figures = services.credit_position(order.customer, order=order)
    over = figures["exposure"] > figures["credit_limit"]
    return {
        **figures,
        "over": over,
        "sentence": credit_sentence(order.customer, figures) if over else "",
        "may_override": user.has_perm(services.OVERRIDE_CREDIT) and user.has_perm(CONFIRM),
    }


# --- Lists ------------------------------------------------------------------------------------


class ValidUntilColumn(Column):
    """The end of a quotation's validity; a quotation still open past it is marked expired."""

    def bind(self, model):
        bound = super().bind(model)
        bound.__class__ = ValidUntilColumn
        return bound

    def cell(self, obj):
        cell = super().cell(obj)
        if is_open_expired(obj):
            return {"badge": "expired", "text": _("%(date)s · expired") % {"date": cell["text"]}}
        return cell


def is_open_expired(quotation: Quotation | None) -> bool:
    """A draft or sent quotation past its validity (it no longer converts)."""
    return quotation is not None and quotation.is_expired and quotation.status in (QT.DRAFT, QT.SENT)


class QuotationList(SalesList):
    kind = QuotationKind
    filterset_class = QuotationPageFilter
    api_url_name = "quotation-list"
    columns = sales_columns(ValidUntilColumn("valid_until", order=True))

    def row_css(self, obj) -> str:
        return "expired" if is_open_expired(obj) else ""


class OrderList(SalesList):
    kind = OrderKind
    filterset_class = SalesOrderPageFilter
    api_url_name = "sales-order-list"
    columns = sales_columns(Column("delivery_date", order=True), Column("customer_reference"))

    def excel_url(self, query):
        if query.get("status") == OPEN:
            query = query.copy()
            del query["status"]
            query["open"] = "true"
        return super().excel_url(query)


# --- Editors ----------------------------------------------------------------------------------


class OfferEditor(SalesEditor):
    """The editor of a quotation or an order: Save draft, the kind's next step (send, confirm)
    for those who may take it, Cancel."""

    template_name = "sales/order_editor.html"
    grid_template = "sales/_order_grid.html"

    def editor_context(self, document) -> dict:
        user = self.request.user
        return {
            **super().editor_context(document),
            "may_finish": user.has_perm(self.kind.action_permission(self.kind.finish_action)),
            "may_cancel": document is not None and user.has_perm(self.kind.action_permission("cancel")),
        }


class QuotationEditor(OfferEditor):
    kind = QuotationKind

    def editor_context(self, document) -> dict:
        return {
            **super().editor_context(document),
            "may_convert": self.request.user.has_perms(CONVERT),
            "expired": is_open_expired(document),
        }

    def after_save(self, document):
        if self.request.POST.get("_action") == "convert":
            return convert(self, document)
        return super().after_save(document)


class OrderEditor(OfferEditor):
    kind = OrderKind

    def editor_context(self, document) -> dict:
        return {**super().editor_context(document), "credit": credit_panel(document, self.request.user)}


class QuotationGrid(SalesGrid):
    kind = QuotationKind
    grid_template = "sales/_order_grid.html"


class OrderGrid(SalesGrid):
    kind = OrderKind
    grid_template = "sales/_order_grid.html"


# --- Detail, print, actions -------------------------------------------------------------------


def convert(page, quotation: Quotation):
    """Convert ``quotation`` into a draft order and open the order's editor; a refusal (expired,
    already converted) is shown on the quotation."""
    request = page.request
    if not request.user.has_perms(CONVERT):
        messages.error(request, _("You may not convert quotations into orders."))
        return HttpResponseRedirect(page.url("detail", quotation.pk))
    try:
        order = services.quotation_convert(quotation=quotation, user=request.user)
    except (BusinessError, ValidationError) as exc:
        messages.error(request, QuotationKind.refusal(exc, quotation))
        return HttpResponseRedirect(page.url("detail", quotation.pk))
    messages.success(
        request,
        _("%(quotation)s was converted into %(order)s: check it and confirm it.")
        % {"quotation": quotation.number, "order": order.number},
    )
    return HttpResponseRedirect(reverse("sales:order-edit", args=[order.pk]))


@method_decorator(require_POST, name="dispatch")
class QuotationConvert(KindPage, ObjectPage):
    """POST <pk>/convert/: the quotation becomes a draft order, whose editor opens."""

    kind = QuotationKind

    def get_permission_required(self):
        return list(CONVERT)

    def post(self, request, *args, **kwargs):
        return convert(self, self.object)


def quotation_actions(page, quotation: Quotation) -> list[dict]:
    """The buttons a quotation's page offers ``page.request.user`` in its status."""
    user = page.request.user
    result = []
    if quotation.status not in (QT.DRAFT, QT.SENT):
        return result
    if not quotation.is_expired and user.has_perms(CONVERT):  # an expired one says so above its lines
        result.append(
            action(
                _("Convert to order"),
                page.url("convert", quotation.pk),
                css="btn-primary",
                confirm=_("Make a draft sales order of %(number)s?") % {"number": quotation.number},
            )
        )
    if user.has_perm(perm(Quotation, "change")):
        if quotation.status == QT.DRAFT:
            result.append(action(_("Mark as sent"), page.url("send", quotation.pk)))
        result.append(
            action(
                _("Cancel quotation"),
                page.url("cancel", quotation.pk),
                css="btn-danger",
                confirm=_("Cancel %(number)s? It cannot be converted afterwards.") % {"number": quotation.number},
            )
        )
    return result


def delivery_url(order: SalesOrder) -> str | None:
    """The new delivery against ``order`` (None while deliveries have no pages)."""
    try:
        return f"{reverse('sales:delivery-new')}?sales_order={order.pk}"
    except NoReverseMatch:
        return None


def order_actions(page, order: SalesOrder) -> list[dict]:
    """The buttons an order's page offers ``page.request.user`` in its status."""
    user = page.request.user
    status = order.status
    result = []
    if order.is_open_for_delivery and user.has_perm(ADD_DELIVERY) and may_operate_warehouse(user, order.warehouse):
        url = delivery_url(order)
        if url:
            result.append(action(_("Deliver"), url, css="btn-primary", method="get"))
    if user.has_perm(CONFIRM) and status in (SO.CONFIRMED, SO.PARTIALLY_DELIVERED, SO.DELIVERED):
        result.append(
            action(
                _("Close"),
                page.url("close", order.pk),
                reason=True,
                confirm=_("Close %(number)s? What has not been delivered will not be, and its reservation is released.")
                % {"number": order.number},
            )
        )
    if (
        user.has_perm(perm(SalesOrder, "change"))
        and status in (SO.DRAFT, SO.CONFIRMED)
        and not order.deliveries.filter(status="posted").exists()
    ):
        result.append(
            action(
                _("Cancel order"),
                page.url("cancel", order.pk),
                css="btn-danger",
                confirm=_("Cancel %(number)s? Its reservation is released and it cannot be delivered afterwards.")
                % {"number": order.number},
            )
        )
    return result


class OfferDetail(PurchaseDetail):
    template_name = "sales/order_detail.html"


class QuotationDetail(OfferDetail):
    kind = QuotationKind

    def actions(self, document):
        return quotation_actions(self, document)

    def linked(self, document):
        orders = document.orders.order_by("date", "pk")
        return [{"title": _("Sales orders"), "rows": [linked_row(o, "sales:order-detail") for o in orders]}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "expired": is_open_expired(self.object)}


class OrderDetail(OfferDetail):
    kind = OrderKind

    def actions(self, document):
        return order_actions(self, document)

    def linked(self, document):
        returns = Prefetch("returns", queryset=SalesReturn.objects.order_by("date", "pk"))
        rows = []
        for delivery in document.deliveries.prefetch_related(returns).order_by("date", "pk"):
            rows.append(linked_row(delivery, "sales:delivery-detail", _("Delivery")))
            rows += [linked_row(r, "sales:return-detail", _("Sales return")) for r in delivery.returns.all()]
        groups = [{"title": _("Deliveries and returns"), "rows": rows}]
        if document.quotation_id:
            quotation = linked_row(document.quotation, "sales:quotation-detail", _("Quotation"))
            groups.insert(0, {"title": _("Quotation"), "rows": [quotation]})
        return groups

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["credit"] = credit_panel(self.object, self.request.user)
        context["closed"] = self.object.status in (SO.CLOSED, SO.CANCELLED)
        return context


class OfferPrint(PurchasePrint):
    template_name = "sales/order_print.html"


class QuotationPrint(OfferPrint):
    kind = QuotationKind
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Customer's confirmation"))


class OrderPrint(OfferPrint):
    kind = OrderKind
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Approved by"), gettext_lazy("Customer's confirmation"))


urlpatterns = [
    *sales_document_urls(
        "quotations/",
        "quotation",
        QuotationKind,
        QuotationList,
        QuotationDetail,
        QuotationEditor,
        QuotationGrid,
        QuotationPrint,
        actions=("send", "cancel"),
        extra=[("<int:pk>/convert/", QuotationConvert.as_view(), "convert")],
    ),
    *sales_document_urls(
        "orders/",
        "order",
        OrderKind,
        OrderList,
        OrderDetail,
        OrderEditor,
        OrderGrid,
        OrderPrint,
        actions=("confirm", "cancel", "close"),
    ),
]
