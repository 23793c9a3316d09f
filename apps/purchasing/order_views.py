"""Purchase order pages (采购订单): the buyer's list, the editor (scan box, prices, VAT, the
stock beside each line, running totals), the read-only order with its receipts and timeline,
the approval inbox and the print view. Actions follow the status and the user's permissions:
submit, approve (never one's own; above the threshold only management), send back, cancel,
close."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import may_operate_warehouse
from apps.core.formatting import format_money
from apps.core.pages import PAGE_SIZE, Column, Page, perm
from apps.inventory.document_views import KindPage

from . import selectors, services
from .filters import PurchaseOrderFilter
from .forms import OPEN, OPEN_STATUSES, PurchaseOrderForm, PurchaseOrderPageFilter
from .models import PurchaseOrder, PurchaseOrderStatus, PurchaseReturn
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
)

PO = PurchaseOrderStatus
APPROVE = "purchasing.approve_purchaseorder"


class OrderKind(PricedKind):
    model = PurchaseOrder
    url_base = "purchasing:order"
    source_type = None
    selector = staticmethod(selectors.purchase_orders_for)
    instance_kwarg = "order"
    form_class = PurchaseOrderForm
    price_field = "unit_price"
    line_fields = ("qty", "unit_price", "tax_rate")
    optional_fields = ("unit_price", "tax_rate")
    drop_empty = False
    reason_actions = ("reject", "close")
    finish_action = "submit"
    header_fields = [
        "number",
        "date",
        "supplier",
        "warehouse",
        "expected_date",
        "submitted_at",
        "approved_by",
        "approved_at",
        "closed_reason",
    ]
    create_service = staticmethod(services.purchase_order_create)
    update_service = staticmethod(services.purchase_order_update)
    submit_service = staticmethod(services.purchase_order_submit)
    approve_service = staticmethod(services.purchase_order_approve)
    reject_service = staticmethod(services.purchase_order_reject)
    cancel_service = staticmethod(services.purchase_order_cancel)
    close_service = staticmethod(services.purchase_order_close)
    done_messages = {
        "submit": gettext_lazy("%(number)s was submitted for approval."),
        "approve": gettext_lazy("%(number)s was approved."),
        "reject": gettext_lazy("%(number)s was sent back to its buyer."),
        "cancel": gettext_lazy("%(number)s was cancelled."),
        "close": gettext_lazy("%(number)s was closed."),
    }
    not_finished_message = gettext_lazy("%(number)s was saved as a draft but not submitted: %(reason)s")

    @classmethod
    def action_permission(cls, action: str) -> str:
        return APPROVE if action in ("approve", "reject") else perm(cls.model, "change")

    @classmethod
    def stock_heads(cls, sourced: bool) -> list:
        return [_("On hand"), _("Available"), _("Ordered")]

    @classmethod
    def stock_values(cls, row: dict, source_line) -> list:
        return [row["on_hand"], row["available"], row["ordered"]]


def approval_note(order: PurchaseOrder, user) -> str:
    """Why ``user`` may not approve this submitted order, or "" when they may."""
    if not user.has_perm(APPROVE):
        return _("Waiting for approval.")
    if order.created_by_id == user.pk:
        return _("You created this order: someone else approves it.")
    if services.needs_management(order) and not user.has_perm(services.APPROVE_LARGE):
        return _("Above the approval threshold of %(threshold)s: management approves it.") % {
            "threshold": services.approval_threshold()
        }
    return ""


def order_actions(page, order: PurchaseOrder) -> list[dict]:
    """The buttons an order's page offers ``page.request.user`` in its status."""
    user = page.request.user
    status = order.status
    result = []
    if status == PO.SUBMITTED:
        note = approval_note(order, user)
        if note:
            result.append(action("", None, note=note))
        else:
            result.append(
                action(
                    _("Approve"),
                    page.url("approve", order.pk),
                    css="btn-primary",
                    confirm=_("Approve %(number)s (total %(total)s)? Its quantities count as ordered at once.")
                    % {"number": order.number, "total": format_money(order.total)},
                )
            )
        if user.has_perm(APPROVE):
            result.append(action(_("Send back"), page.url("reject", order.pk), reason=True))
    if (
        status in OPEN_STATUSES
        and user.has_perm("purchasing.add_purchasereceipt")
        and may_operate_warehouse(user, order.warehouse)
    ):
        url = f"{reverse('purchasing:receipt-create')}?purchase_order={order.pk}"
        result.append(action(_("Receive goods"), url, css="btn-primary", method="get"))
    if user.has_perm(perm(PurchaseOrder, "change")):
        if status in (PO.APPROVED, PO.PARTIALLY_RECEIVED, PO.RECEIVED):
            result.append(
                action(
                    _("Close"),
                    page.url("close", order.pk),
                    reason=True,
                    confirm=_("Close %(number)s? What has not been received will not be expected any more.")
                    % {"number": order.number},
                )
            )
        if status in (PO.DRAFT, PO.SUBMITTED, PO.APPROVED) and not order.receipts.filter(status="posted").exists():
            result.append(
                action(
                    _("Cancel order"),
                    page.url("cancel", order.pk),
                    css="btn-danger",
                    confirm=_("Cancel %(number)s? It cannot be submitted or received afterwards.")
                    % {"number": order.number},
                )
            )
    return result


class OrderList(PurchaseList):
    kind = OrderKind
    filterset_class = PurchaseOrderPageFilter
    api_url_name = "purchase-order-list"
    columns = document_columns(Column("expected_date", order=True))

    def excel_url(self, query):
        if query.get("status") == OPEN:
            query = query.copy()
            query["status"] = ",".join(OPEN_STATUSES)
        return super().excel_url(query)


class OrderEditor(PurchaseEditor):
    kind = OrderKind


class OrderGrid(PurchaseGrid):
    kind = OrderKind


class OrderDetail(PurchaseDetail):
    kind = OrderKind

    def actions(self, document):
        return order_actions(self, document)

    def linked(self, document):
        returns = Prefetch("returns", queryset=PurchaseReturn.objects.order_by("date", "pk"))
        receipts = document.receipts.prefetch_related(returns).order_by("date", "pk")
        rows = []
        for receipt in receipts:
            rows.append(linked_row(receipt, "purchasing:receipt-detail", _("Purchase receipt")))
            rows += [linked_row(r, "purchasing:return-detail", _("Purchase return")) for r in receipt.returns.all()]
        return [{"title": _("Receipts and returns"), "rows": rows}]


class OrderPrint(PurchasePrint):
    kind = OrderKind
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Approved by"), gettext_lazy("Supplier's confirmation"))


class ApprovalInbox(KindPage, Page):
    """审核: the submitted orders the user may approve (not their own; above the approval
    threshold only for management), oldest first, each with Approve and Send back."""

    kind = OrderKind
    template_name = "purchasing/approvals.html"

    def get_permission_required(self):
        return [APPROVE]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        waiting = PurchaseOrderFilter({"awaiting_approval": "true"}, queryset=self.get_queryset(), request=self.request)
        orders = waiting.qs.annotate(line_count=Count("lines")).order_by("submitted_at", "pk")
        page = Paginator(orders, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            {
                "title": _("Approval inbox"),
                "page_obj": page,
                "orders": page.object_list,
                "threshold": services.approval_threshold(),
                "large": self.request.user.has_perm(services.APPROVE_LARGE),
            }
        )
        return context
