from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("payables/", views.PayableList.as_view(), name="payable-list"),
    path("payments/", views.PaymentList.as_view(), name="payment-list"),
    path("payments/new/", views.PaymentEditor.as_view(), name="payment-create"),
    path("payments/allocations/", views.PaymentAllocations.as_view(), name="payment-allocations"),
    path("payments/<int:pk>/", views.PaymentDetail.as_view(), name="payment-detail"),
    path("payments/<int:pk>/edit/", views.PaymentEditor.as_view(), name="payment-update"),
    path("payments/<int:pk>/print/", views.PaymentPrint.as_view(), name="payment-print"),
    path("payments/<int:pk>/post/", views.payment_post, name="payment-post"),
    path("payments/<int:pk>/cancel/", views.payment_cancel, name="payment-cancel"),
]
