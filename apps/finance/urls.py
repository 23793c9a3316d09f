from django.urls import path, re_path

from . import cash_views, ledger_views, period_views, views

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


def document_urls(prefix: str, name: str, list_view, editor, detail, post, cancel) -> list:
    """A finance document's pages (cash transfers, income, expenses) under ``prefix``."""
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}/new/", editor.as_view(), name=f"{name}-create"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}-detail"),
        path(f"{prefix}/<int:pk>/edit/", editor.as_view(), name=f"{name}-update"),
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
    # The general ledger: the chart of accounts (科目) and journal entries (凭证).
    path("accounts/", ledger_views.ChartOfAccounts.as_view(), name="account-list"),
    path("accounts/new/", ledger_views.AccountCreate.as_view(), name="account-create"),
    path("accounts/<int:pk>/edit/", ledger_views.AccountEdit.as_view(), name="account-update"),
    path("accounts/<int:pk>/delete/", ledger_views.AccountDelete.as_view(), name="account-delete"),
    path("journal/", ledger_views.JournalList.as_view(), name="journal-list"),
    path("journal/new/", ledger_views.JournalEditor.as_view(), name="journal-create"),
    path("journal/<int:pk>/", ledger_views.JournalDetail.as_view(), name="journal-detail"),
    path("journal/<int:pk>/edit/", ledger_views.JournalEditor.as_view(), name="journal-update"),
    path("journal/<int:pk>/post/", ledger_views.journal_post, name="journal-post"),
    path("journal/<int:pk>/reverse/", ledger_views.journal_reverse, name="journal-reverse"),
    path("journal/<int:pk>/delete/", ledger_views.JournalDelete.as_view(), name="journal-delete"),
    path("books-check/", ledger_views.BooksCheck.as_view(), name="books-check"),
    # Cash and bank accounts (结算账户), transfers (资金调拨), other income and expenses (收入单/支出单).
    path("cash-accounts/", cash_views.CashAccountList.as_view(), name="cash-account-list"),
    path("cash-accounts/new/", cash_views.CashAccountCreate.as_view(), name="cash-account-create"),
    path("cash-accounts/<int:pk>/", cash_views.CashAccountDetail.as_view(), name="cash-account-detail"),
    path("cash-accounts/<int:pk>/edit/", cash_views.CashAccountEdit.as_view(), name="cash-account-update"),
    *document_urls(
        "cash-transfers",
        "cash-transfer",
        cash_views.TransferList,
        cash_views.TransferEditor,
        cash_views.TransferDetail,
        cash_views.transfer_post,
        cash_views.transfer_cancel,
    ),
    *document_urls(
        "income",
        "income",
        cash_views.IncomeList,
        cash_views.IncomeEditor,
        cash_views.IncomeDetail,
        cash_views.income_post,
        cash_views.income_cancel,
    ),
    *document_urls(
        "expenses",
        "expense",
        cash_views.ExpenseList,
        cash_views.ExpenseEditor,
        cash_views.ExpenseDetail,
        cash_views.expense_post,
        cash_views.expense_cancel,
    ),
    path("money/<int:pk>/", cash_views.MoneyDocumentRedirect.as_view(), name="money-document"),
    # The month-end close (月结).
    path("periods/", period_views.PeriodList.as_view(), name="period-list"),
    re_path(r"^periods/(?P<month>\d{4}-\d{2})/$", period_views.PeriodDetail.as_view(), name="period-detail"),
    re_path(r"^periods/(?P<month>\d{4}-\d{2})/close/$", period_views.PeriodClose.as_view(), name="period-close"),
    re_path(r"^periods/(?P<month>\d{4}-\d{2})/reopen/$", period_views.PeriodReopen.as_view(), name="period-reopen"),
]
