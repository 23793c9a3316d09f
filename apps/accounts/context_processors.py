"""The left menu: one list of entries, each needing one permission; a user sees the entries
their departments may use (the pages refuse the rest on the server anyway)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .departments import DEPARTMENTS
from .selectors import user_departments


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    permission: str


# (group label, entries). Add an entry when its page exists, never before.
MENU = [
    (
        _("Master data"),
        [
            MenuEntry(_("Products"), "inventory:product-list", "inventory.view_product"),
            MenuEntry(_("Categories"), "inventory:category-list", "inventory.view_category"),
            MenuEntry(_("Units"), "inventory:unit-list", "inventory.view_unit"),
            MenuEntry(_("Warehouses"), "inventory:warehouse-list", "inventory.view_warehouse"),
            MenuEntry(_("Suppliers"), "suppliers:supplier-list", "suppliers.view_supplier"),
            MenuEntry(_("Customers"), "customers:customer-list", "customers.view_customer"),
            MenuEntry(_("Import from Excel"), "imports:import", "imports.import_data"),
        ],
    ),
    (
        _("Inventory"),
        [
            MenuEntry(_("Stock balances"), "inventory:stock-balance-list", "inventory.view_stockbalance"),
            MenuEntry(_("Stock card"), "inventory:stock-card", "inventory.view_stockledgerentry"),
            MenuEntry(_("Stock summary"), "reports:stock-summary", "inventory.view_stockbalance"),
            MenuEntry(_("Stock alerts"), "reports:stock-alerts", "inventory.view_stockbalance"),
            MenuEntry(_("Stock adjustments"), "inventory:adjustment-list", "inventory.view_stockadjustment"),
            MenuEntry(_("Transfers"), "inventory:transfer-list", "inventory.view_stocktransfer"),
            MenuEntry(_("Stock counts"), "inventory:count-list", "inventory.view_stockcount"),
        ],
    ),
    (
        _("Purchasing"),
        [
            MenuEntry(_("Purchase orders"), "purchasing:order-list", "purchasing.view_purchaseorder"),
            MenuEntry(_("Approval inbox"), "purchasing:order-approvals", "purchasing.approve_purchaseorder"),
            MenuEntry(_("Purchase receipts"), "purchasing:receipt-list", "purchasing.view_purchasereceipt"),
            MenuEntry(_("Purchase returns"), "purchasing:return-list", "purchasing.view_purchasereturn"),
            MenuEntry(_("Purchase plan"), "reports:purchase-plan", "purchasing.view_purchaseorder"),
            MenuEntry(_("Purchase reports"), "reports:purchases", "purchasing.view_purchasereceipt"),
        ],
    ),
    (
        _("Sales"),
        [
            MenuEntry(_("Quotations"), "sales:quotation-list", "sales.view_quotation"),
            MenuEntry(_("Sales orders"), "sales:order-list", "sales.view_salesorder"),
            MenuEntry(_("Deliveries"), "sales:delivery-list", "sales.view_delivery"),
            MenuEntry(_("Sales reports"), "reports:sales", "sales.view_sales_report"),
        ],
    ),
    (
        _("After-sales"),
        [
            MenuEntry(_("Sales returns"), "sales:return-list", "sales.view_salesreturn"),
            MenuEntry(_("Complaints"), "customers:complaint-list", "customers.view_complaint"),
        ],
    ),
    (
        _("Finance"),
        [
            MenuEntry(_("Receivables"), "finance:receivable-list", "finance.view_receivable"),
            MenuEntry(_("Overdue receivables"), "finance:receivable-overdue", "finance.view_receivable"),
            MenuEntry(_("Customer receipts"), "finance:receipt-list", "finance.view_customerreceipt"),
            MenuEntry(_("Payables"), "finance:payable-list", "finance.view_payable"),
            MenuEntry(_("Supplier payments"), "finance:payment-list", "finance.view_supplierpayment"),
            MenuEntry(_("AP ageing"), "reports:ap-aging", "finance.view_payable"),
            MenuEntry(_("AR ageing"), "reports:ar-aging", "finance.view_receivable"),
            MenuEntry(_("Cash/bank accounts"), "finance:cash-account-list", "finance.view_cashaccount"),
            MenuEntry(_("Cash transfers"), "finance:cash-transfer-list", "finance.view_cashtransfer"),
            MenuEntry(_("Other income"), "finance:income-list", "finance.view_moneydocument"),
            MenuEntry(_("Other expenses"), "finance:expense-list", "finance.view_moneydocument"),
            MenuEntry(_("Journal entries"), "finance:journal-list", "finance.view_journalentry"),
            MenuEntry(_("Chart of accounts"), "finance:account-list", "finance.view_account"),
            MenuEntry(_("Trial balance"), "reports:trial-balance", "finance.view_statements"),
            MenuEntry(_("Income statement"), "reports:income-statement", "finance.view_statements"),
            MenuEntry(_("Balance sheet"), "reports:balance-sheet", "finance.view_statements"),
            MenuEntry(_("Cash flow"), "reports:cash-flow", "finance.view_statements"),
            MenuEntry(_("Period close"), "finance:period-list", "finance.view_period"),
            MenuEntry(_("Books check"), "finance:books-check", "finance.view_statements"),
        ],
    ),
    (
        _("Reports"),
        [
            # The scheduled and saved report files; the stock summary is readable by everyone who
            # reads stock, and the page shows each user the files they may download.
            MenuEntry(_("Report files"), "reports:runs", "inventory.view_stockbalance"),
        ],
    ),
    (
        _("System"),
        [
            MenuEntry(_("Users"), "accounts:user-list", "accounts.view_user"),
            MenuEntry(_("Audit trail"), "audit-trail", "accounts.view_audit_trail"),
            # The API docs are for whoever connects other systems: the IT admin.
            MenuEntry(_("API docs"), "api-docs", "accounts.view_user"),
        ],
    ),
]


def menu_for(user, path: str = "") -> list[dict]:
    """The menu groups ``user`` may use, each entry with its URL and whether it is the current page."""
    groups = []
    for label, entries in MENU:
        items = []
        for entry in entries:
            if not user.has_perm(entry.permission):
                continue
            url = reverse(entry.url_name)
            items.append({"label": entry.label, "url": url, "active": bool(path) and path.startswith(url)})
        if items:
            groups.append({"label": label, "entries": items})
    return groups


def navigation(request):
    context = {"company_name": settings.JXC_COMPANY_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    context["nav_groups"] = menu_for(user, request.path)
    context["user_department_names"] = [DEPARTMENTS.get(code, code) for code in user_departments(user)]
    return context
