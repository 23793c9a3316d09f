"""API routes of this app (included under /api/v1/reports/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("purchase-suggestions/", api.PurchaseSuggestionsView.as_view(), name="report-purchase-suggestions"),
    path(
        "purchase-suggestions/create-orders/",
        api.PurchaseSuggestionsCreateOrdersView.as_view(),
        name="report-purchase-suggestions-create-orders",
    ),
    path("stock-summary/", api.StockSummaryView.as_view(), name="report-stock-summary"),
    path("stock-alerts/", api.StockAlertsView.as_view(), name="report-stock-alerts"),
    path("purchases/", api.PurchasesView.as_view(), name="report-purchases"),
    path("open-purchase-lines/", api.OpenPurchaseLinesView.as_view(), name="report-open-purchase-lines"),
    path("supplier-performance/", api.SupplierPerformanceView.as_view(), name="report-supplier-performance"),
    path("ap-aging/", api.APAgingView.as_view(), name="report-ap-aging"),
    path("sales/", api.SalesView.as_view(), name="report-sales"),
    path("gross-profit/", api.GrossProfitView.as_view(), name="report-gross-profit"),
    path("ar-aging/", api.ARAgingView.as_view(), name="report-ar-aging"),
    path("trial-balance/", api.TrialBalanceView.as_view(), name="report-trial-balance"),
    path("income-statement/", api.IncomeStatementView.as_view(), name="report-income-statement"),
    path("balance-sheet/", api.BalanceSheetView.as_view(), name="report-balance-sheet"),
    path("cash-flow/", api.CashFlowView.as_view(), name="report-cash-flow"),
]
