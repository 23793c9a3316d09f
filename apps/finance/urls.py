from django.urls import path

from . import views

app_name = "finance"


def settlement_urls(prefix: str, name: str, pages: dict, post, cancel) -> list:
    """The pages of a payment or receipt kind under ``prefix`` ("payments"), named ``name``-*."""
    return [
        path(f"{prefix}/", pages["list"].as_view(), name=f"{name}-list"),
        path(f"{prefix}/new/", pages["editor"].as_view(), name=f"{name}-create"),
        path(f"{prefix}/allocations/", pages["allocations"].as_view(), name=f"{name}-allocations"),
        path(f"{prefix}/<int:pk>/", pages["detail"].as_view(), name=f"{name}-detail"),
        path(f"{prefix}/<int:pk>/edit/", pages["editor"].as_view(), name=f"{name}-update"),
        path(f"{prefix}/<int:pk>/print/", pages["print"].as_view(), name=f"{name}-print"),
        path(f"{prefix}/<int:pk>/post/", post, name=f"{name}-post"),
        path(f"{prefix}/<int:pk>/cancel/", cancel, name=f"{name}-cancel"),
    ]


urlpatterns = [
    path("payables/", views.PayableList.as_view(), name="payable-list"),
    path("receivables/", views.ReceivableList.as_view(), name="receivable-list"),
    path("receivables/overdue/", views.OverdueReceivableList.as_view(), name="receivable-overdue"),
    *settlement_urls(
        "payments",
        "payment",
        {
            "list": views.PaymentList,
            "editor": views.PaymentEditor,
            "allocations": views.PaymentAllocations,
            "detail": views.PaymentDetail,
            "print": views.PaymentPrint,
        },
        views.payment_post,
        views.payment_cancel,
    ),
    *settlement_urls(
        "receipts",
        "receipt",
        {
            "list": views.ReceiptList,
            "editor": views.ReceiptEditor,
            "allocations": views.ReceiptAllocations,
            "detail": views.ReceiptDetail,
            "print": views.ReceiptPrint,
        },
        views.receipt_post,
        views.receipt_cancel,
    ),
]
