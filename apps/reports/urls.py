from django.urls import path

from . import run_views, views

app_name = "reports"

urlpatterns = [
    path("stock-summary/", views.StockSummaryReport.as_view(), name="stock-summary"),
    path("stock-alerts/", views.StockAlertsReport.as_view(), name="stock-alerts"),
    path("purchase-plan/", views.PurchasePlan.as_view(), name="purchase-plan"),
    path("purchases/", views.PurchasesReport.as_view(), name="purchases"),
    path("open-purchase-lines/", views.OpenPurchaseLinesReport.as_view(), name="open-purchase-lines"),
    path("supplier-performance/", views.SupplierPerformanceReport.as_view(), name="supplier-performance"),
    path("ap-aging/", views.APAgingReport.as_view(), name="ap-aging"),
    path("sales/", views.SalesReport.as_view(), name="sales"),
    path("gross-profit/", views.GrossProfitReport.as_view(), name="gross-profit"),
    path("ar-aging/", views.ARAgingReport.as_view(), name="ar-aging"),
    path("trial-balance/", views.TrialBalanceReport.as_view(), name="trial-balance"),
    path("income-statement/", views.IncomeStatementReport.as_view(), name="income-statement"),
    path("balance-sheet/", views.BalanceSheetReport.as_view(), name="balance-sheet"),
    path("cash-flow/", views.CashFlowReport.as_view(), name="cash-flow"),
    path("runs/", run_views.ReportRunsPage.as_view(), name="runs"),
    path("runs/new/", run_views.ReportRunCreate.as_view(), name="run-create"),
    path("runs/<int:pk>/download/", run_views.ReportRunDownload.as_view(), name="run-download"),
]
