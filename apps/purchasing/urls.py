"""Pages of purchasing: purchase orders (with the approval inbox), receipts and returns."""

from django.urls import path

from apps.inventory.document_views import document_urls

from . import order_views as orders
from . import receipt_views as receipts

app_name = "purchasing"

urlpatterns = [
    path("approvals/", orders.ApprovalInbox.as_view(), name="order-approvals"),
    *document_urls(
        "orders/",
        "order",
        orders.OrderKind,
        orders.OrderList,
        orders.OrderDetail,
        orders.OrderEditor,
        orders.OrderGrid,
        orders.OrderPrint,
        actions=("submit", "approve", "reject", "cancel", "close"),
    ),
    *document_urls(
        "receipts/",
        "receipt",
        receipts.ReceiptKind,
        receipts.ReceiptList,
        receipts.ReceiptDetail,
        receipts.ReceiptEditor,
        receipts.ReceiptGrid,
        receipts.ReceiptPrint,
    ),
    *document_urls(
        "returns/",
        "return",
        receipts.ReturnKind,
        receipts.ReturnList,
        receipts.ReturnDetail,
        receipts.ReturnEditor,
        receipts.ReturnGrid,
        receipts.ReturnPrint,
    ),
]
