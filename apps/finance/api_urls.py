"""API routes of this app (included under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CustomerReceiptViewSet, PayableViewSet, ReceivableViewSet, SupplierPaymentViewSet
from .ledger_api import (
    AccountViewSet,
    BooksCheckView,
    CashAccountViewSet,
    CashTransferViewSet,
    JournalEntryViewSet,
    MoneyCategoryViewSet,
    MoneyDocumentViewSet,
    PeriodViewSet,
)

router = SimpleRouter()
router.register("payables", PayableViewSet, basename="payable")
router.register("supplier-payments", SupplierPaymentViewSet, basename="supplier-payment")
router.register("receivables", ReceivableViewSet, basename="receivable")
router.register("customer-receipts", CustomerReceiptViewSet, basename="customer-receipt")
# The general ledger (apps/finance/ledger_api.py).
router.register("cash-accounts", CashAccountViewSet, basename="cash-account")
router.register("accounts", AccountViewSet, basename="account")
router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")
router.register("cash-transfers", CashTransferViewSet, basename="cash-transfer")
router.register("income-expenses", MoneyDocumentViewSet, basename="income-expense")
router.register("income-expense-categories", MoneyCategoryViewSet, basename="income-expense-category")
router.register("periods", PeriodViewSet, basename="period")

urlpatterns = [
    *router.urls,
    path("books-check/", BooksCheckView.as_view(), name="books-check"),
]
