"""Report pages: the purchase plan (采购计划), the purchasing reports (purchases, open order
lines, supplier performance), the sales reports (sales, gross profit), AP and AR ageing
(应付/应收账龄) and the financial statements (trial balance 科目余额表, income statement 利润表,
balance sheet 资产负债表, cash flow 现金流量表).

Each page validates its filter bar with the same form as its API endpoint, calls the same
selector, and offers the same rows as Excel (the API's ``?format=xlsx`` with the page's query).
Permissions are checked on the server: a page needs any one of its ``permissions`` (403
otherwise; anonymous users go to the login page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import TemplateView

from apps.accounts.selectors import readable_warehouses
from apps.core.api import sees_costs
from apps.core.errors import BusinessError
from apps.core.formatting import format_money, format_percent, format_quantity
from apps.customers.selectors import customers_for
from apps.finance import statements
from apps.finance.models import Account
from apps.finance.reports import ap_aging, ar_aging
from apps.inventory.models import Product
from apps.inventory.stock_views import format_cost
from apps.purchasing import reports as purchasing_reports
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.services import purchase_orders_from_plan
from apps.sales import reports as sales_reports
from apps.suppliers.models import Supplier

from . import forms as report_forms
from . import stock as stock_reports
from .api import (
    ADD_ORDERS,
    SALES_READERS,
    VIEW_COST,
    VIEW_ORDERS,
    VIEW_PAYABLES,
    VIEW_RECEIPTS,
    VIEW_RECEIVABLES,
    VIEW_STATEMENTS,
    VIEW_STOCK,
    may_read,
)
from .runs import parameters_as_text

PLAN_ROWS_SHOWN = 500


def optional_url(name: str, *args, query: dict | None = None) -> str | None:
    """The URL of ``name`` if that page exists (pages of other apps may come later)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def url_exists(name: str, *args) -> bool:
    return optional_url(name, *args) is not None


@dataclass
class ReportColumn:
    """A report table column: the row's ``key``, a header, how to show the value ("text",
    "money", "quantity", "percent", "number", "days") and optionally a link per row."""

    key: str
    label: Any
    kind: str = "text"
    link: Callable[[dict], str | None] | None = None
    css_class: str = ""

    NUMERIC = ("money", "cost", "quantity", "percent", "number", "days")

    @property
    def css(self) -> str:
        return " ".join(filter(None, ["num" if self.kind in self.NUMERIC else "", self.css_class]))

    def text(self, value) -> str:
        if value is None or value == "":
            return "—" if self.kind in self.NUMERIC else ""
        if self.kind == "money":
            return format_money(value)
        if self.kind == "cost":
            return format_cost(value)
        if self.kind == "quantity":
            return format_quantity(value)
        if self.kind == "percent":
            return format_percent(value)
        if self.kind == "days":
            return format_quantity(value)
        return str(value)


class ReportPage(PermissionRequiredMixin, TemplateView):
    """A report page: a filter bar (``form_class``), a table of ``columns`` over the
    selector's rows, a totals row, an Excel button (``api_url_name``) and, for the purchasing
    and the sales reports, tabs between them (each tab ``(label, url name, any of these
    permissions[, all of these])``). The page needs any one of ``permissions`` and every one of
    ``required_permissions``."""

    template_name = "reports/report.html"
    permissions: tuple[str, ...] = ()
    required_permissions: tuple[str, ...] = ()
    form_class: type[report_forms.ReportForm]
    api_url_name = ""
    title = ""
    filter_fields: tuple[str, ...] = ()
    totals_label_key = ""
    tabs: tuple[tuple, ...] = ()
    # The name of the report in apps.reports.runs.RUNNABLE, for the "Save as file" button.
    run_report = ""

    def has_permission(self) -> bool:
        user = self.request.user
        return user.is_authenticated and may_read(user, self.permissions, self.required_permissions)

    def get_form(self):
        return self.form_class(self.request.GET, user=self.request.user)

    def report(self, params: dict) -> dict:  # pragma: no cover - subclasses
        raise NotImplementedError

    def columns(self, params: dict) -> list[ReportColumn]:  # pragma: no cover - subclasses
        raise NotImplementedError

    def row_css(self, row: dict) -> str:
        return ""

    def build_rows(self, columns: list[ReportColumn], rows: list[dict]) -> list[dict]:
        result = []
        for row in rows:
            cells = []
            for column in columns:
                cells.append(
                    {
                        "text": column.text(row.get(column.key)),
                        "css": column.css,
                        "url": column.link(row) if column.link is not None else None,
                    }
                )
            result.append({"cells": cells, "css": self.row_css(row), "row": row})
        return result

    def totals_cells(self, columns: list[ReportColumn], totals: dict | None) -> list[dict] | None:
        if totals is None:
            return None
        cells = []
        for column in columns:
            value = totals.get(column.key)
            text = column.text(value) if value is not None else ""
            cells.append({"text": text, "css": column.css})
        if cells:
            index = next((i for i, c in enumerate(columns) if c.key == self.totals_label_key), 0)
            cells[index]["text"] = _("Total")
        return cells

    def tab_links(self) -> list[dict]:
        user = self.request.user
        current = self.request.resolver_match.view_name if self.request.resolver_match else ""
        return [
            {"label": label, "url": reverse(name), "active": name == current}
            for label, name, *perms in self.tabs
            if may_read(user, *perms)
        ]

    def page_links(self) -> list[dict]:
        """Buttons beside Excel and Print: ``{label, url}`` (none by default)."""
        return []

    def excel_url(self) -> str:
        query = self.request.GET.copy()
        query["format"] = "xlsx"
        return f"{reverse(self.api_url_name)}?{query.urlencode()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_form()
        context.update(
            {
                "title": self.title,
                "form": form,
                "filter_fields": [form[name] for name in self.filter_fields],
                "hidden_fields": [form[name] for name in form.fields if name not in self.filter_fields],
                "tabs": self.tab_links(),
                "page_links": self.page_links(),
                "rows": None,
            }
        )
        if not form.is_valid():
            return context
        params = form.params()
        report = self.report(params)
        columns = self.columns(params)
        context.update(
            {
                "params": params,
                "report": report,
                "headers": [{"label": column.label, "css": column.css} for column in columns],
                "rows": self.build_rows(columns, report.get("rows", [])),
                "totals_row": self.totals_cells(columns, report.get("totals")),
                "excel_url": self.excel_url(),
            }
        )
        if self.run_report:
            context.update(run_report=self.run_report, run_parameters=parameters_as_text(params))
        return context


def detail_link(user, url_name: str, permission: str, key: str) -> Callable[[dict], str | None]:
    """A row's link to the detail page of the object whose id is ``row[key]``, for readers of it."""
    allowed = user.has_perm(permission)

    def link(row: dict) -> str | None:
        return reverse(url_name, args=[row[key]]) if allowed and row.get(key) else None

    return link


def supplier_link(user, key: str = "supplier") -> Callable[[dict], str | None]:
    return detail_link(user, "suppliers:supplier-detail", "suppliers.view_supplier", key)


def product_link(user, key: str = "product") -> Callable[[dict], str | None]:
    return detail_link(user, "inventory:product-detail", "inventory.view_product", key)


def customer_link(user, key: str = "customer") -> Callable[[dict], str | None]:
    return detail_link(user, "customers:customer-detail", "customers.view_customer", key)


def order_link(user, key: str = "purchase_order") -> Callable[[dict], str | None]:
    allowed = user.has_perm(VIEW_ORDERS) and url_exists("purchasing:order-detail", 1)

    def link(row: dict) -> str | None:
        return reverse("purchasing:order-detail", args=[row[key]]) if allowed else None

    return link


# --- Purchasing reports (tabs) ---------------------------------------------------------------

PURCHASING_TABS = (
    (gettext_lazy("Purchases"), "reports:purchases", (VIEW_RECEIPTS, VIEW_ORDERS)),
    (gettext_lazy("Open order lines"), "reports:open-purchase-lines", (VIEW_RECEIPTS, VIEW_ORDERS)),
    (gettext_lazy("Supplier performance"), "reports:supplier-performance", (VIEW_RECEIPTS, VIEW_ORDERS)),
)


class GroupedReportPage(ReportPage):
    """A report of a period grouped one of several ways: a switch between the form's
    ``group_by`` choices, the rows of ``selector`` (called with the form's parameters), a
    totals row and a chart of net amount and VAT by month (``chart_id``): only when grouped by
    month, or always with ``trend`` (a second read by month). Opens on this year."""

    template_name = "reports/grouped.html"
    totals_label_key = "label"
    selector: staticmethod
    chart_id = ""
    chart_label: Any = ""
    trend = False

    def get_form(self):
        data = self.request.GET.copy()
        if "date_from" not in data:
            # The page opens on this year (the API's default is from the first document).
            data["date_from"] = report_forms.first_of_year().isoformat()
        return self.form_class(data, user=self.request.user)

    def report(self, params):
        return self.selector(user=self.request.user, **params)

    def label_columns(self) -> dict[str, ReportColumn]:  # pragma: no cover - subclasses
        """The first column per grouping."""
        raise NotImplementedError

    def value_columns(self) -> list[ReportColumn]:
        return [
            ReportColumn("qty", _("Quantity"), "quantity"),
            ReportColumn("net_amount", _("Net amount"), "money"),
            ReportColumn("tax_amount", _("VAT"), "money"),
            ReportColumn("amount", _("Amount"), "money"),
        ]

    def columns(self, params):
        return [self.label_columns()[params["group_by"]], *self.value_columns()]

    def monthly_rows(self, params: dict, report: dict) -> list[dict]:
        if params["group_by"] == "month":
            return report["rows"]
        if self.trend and report["rows"]:
            return self.report({**params, "group_by": "month"})["rows"]
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, params = context["form"], context.get("params")
        group_by = params["group_by"] if params else form.get_defaults()["group_by"]
        context["group_by"] = group_by
        context["group_links"] = [
            {"value": value, "label": label, "active": value == group_by}
            for value, label in form.fields["group_by"].choices
        ]
        months = self.monthly_rows(params, context["report"]) if params and self.chart_id else []
        if months:
            context["chart_id"], context["chart_label"] = self.chart_id, self.chart_label
            context["chart"] = {
                "labels": [row["key"] for row in months],
                "datasets": [
                    {"label": _("Net amount"), "data": [str(row["net_amount"]) for row in months]},
                    {"label": _("VAT"), "data": [str(row["tax_amount"]) for row in months]},
                ],
                "currency": _currency(),
            }
        return context


class PurchasesReport(GroupedReportPage):
    """采购汇总: posted receipts minus posted returns by supplier, product or month, with a
    totals row and, by month, a chart."""

    permissions = (VIEW_RECEIPTS, VIEW_ORDERS)
    form_class = report_forms.PurchasesForm
    api_url_name = "report-purchases"
    run_report = "purchases"
    title = gettext_lazy("Purchase reports")
    filter_fields = ("date_from", "date_to", "warehouse", "supplier")
    tabs = PURCHASING_TABS
    selector = staticmethod(purchasing_reports.purchases_report)
    chart_id = "purchases-chart"
    chart_label = gettext_lazy("Purchases by month")

    def label_columns(self):
        user = self.request.user
        return {
            "supplier": ReportColumn("label", _("Supplier"), link=supplier_link(user, "key")),
            "product": ReportColumn("label", _("Product"), link=product_link(user, "key")),
            "month": ReportColumn("label", _("Month")),
        }

    def value_columns(self):
        return [*super().value_columns(), ReportColumn("receipts", _("Receipts"), "number")]


# --- Sales reports (tabs) --------------------------------------------------------------------

SALES_TABS = (
    (gettext_lazy("Sales"), "reports:sales", SALES_READERS),
    (gettext_lazy("Gross profit"), "reports:gross-profit", SALES_READERS, (VIEW_COST,)),
)


class SalesGroupedReport(GroupedReportPage):
    """What the sales and gross-profit pages share: who reads them, the tabs, the filters and
    the first column (product, customer, salesperson or month)."""

    permissions = SALES_READERS
    title = gettext_lazy("Sales reports")
    filter_fields = ("date_from", "date_to", "warehouse", "customer")
    tabs = SALES_TABS

    def label_columns(self):
        user = self.request.user
        return {
            "product": ReportColumn("label", _("Product"), link=product_link(user, "key")),
            "customer": ReportColumn("label", _("Customer"), link=customer_link(user, "key")),
            "salesperson": ReportColumn("label", _("Salesperson")),
            "month": ReportColumn("label", _("Month")),
        }


class SalesReport(SalesGroupedReport):
    """销售汇总: posted deliveries minus posted sales returns by product, customer,
    salesperson or month (a salesperson: their own customers), with a totals row and the
    sales trend by month whatever the grouping."""

    form_class = report_forms.SalesForm
    api_url_name = "report-sales"
    run_report = "sales"
    selector = staticmethod(sales_reports.sales_report)
    chart_id = "sales-chart"
    chart_label = gettext_lazy("Sales by month")
    trend = True

    def value_columns(self):
        return [*super().value_columns(), ReportColumn("deliveries", _("Deliveries"), "number")]


class GrossProfitReport(SalesGroupedReport):
    """毛利: revenue (net of VAT) minus the cost recorded on each delivery line, returns netted,
    by product or customer, the margin as a percentage. For those who may see costs."""

    required_permissions = (VIEW_COST,)
    form_class = report_forms.GrossProfitForm
    api_url_name = "report-gross-profit"
    selector = staticmethod(sales_reports.gross_profit)

    def value_columns(self):
        return [
            ReportColumn("qty", _("Quantity"), "quantity"),
            ReportColumn("revenue", _("Revenue"), "money"),
            ReportColumn("cost", _("Cost"), "money"),
            ReportColumn("gross_profit", _("Gross profit"), "money"),
            ReportColumn("margin", _("Margin"), "percent"),
        ]


def _currency() -> str:
    return settings.JXC_CURRENCY_SYMBOL


class OpenPurchaseLinesReport(ReportPage):
    """在途: the open lines of approved and partially received orders; late ones marked."""

    permissions = (VIEW_RECEIPTS, VIEW_ORDERS)
    form_class = report_forms.OpenLinesForm
    api_url_name = "report-open-purchase-lines"
    title = gettext_lazy("Purchase reports")
    filter_fields = ("supplier", "warehouse", "overdue")
    totals_label_key = "number"
    tabs = PURCHASING_TABS

    def report(self, params):
        return purchasing_reports.open_purchase_lines(
            user=self.request.user,
            supplier=params["supplier"],
            warehouse=params["warehouse"],
            product=params["product"],
            overdue=params["overdue"],
        )

    def columns(self, params):
        user = self.request.user
        return [
            ReportColumn("number", _("Purchase order"), link=order_link(user), css_class="nowrap"),
            ReportColumn("date", _("Date"), css_class="nowrap"),
            ReportColumn("supplier_name", _("Supplier"), link=supplier_link(user), css_class="name"),
            ReportColumn("warehouse_code", _("Warehouse"), css_class="nowrap"),
            ReportColumn("sku", _("SKU"), link=product_link(user), css_class="nowrap"),
            ReportColumn("name", _("Product"), css_class="name"),
            ReportColumn("ordered_qty", _("Ordered"), "quantity"),
            ReportColumn("received_qty", _("Received"), "quantity"),
            ReportColumn("open_qty", _("Open"), "quantity"),
            ReportColumn("unit_price", _("Unit price"), "cost"),
            ReportColumn("open_amount", _("Open amount"), "money"),
            ReportColumn("expected_date", _("Expected date"), css_class="nowrap"),
            ReportColumn("days_overdue", _("Days overdue"), "number"),
        ]

    def build_rows(self, columns, rows):
        result = super().build_rows(columns, rows)
        for row in result:
            if not row["row"]["overdue"]:
                row["cells"][-1]["text"] = ""
        return result

    def totals_cells(self, columns, totals):
        # Open quantities of different products do not add up; their amounts do.
        return super().totals_cells(columns, {"open_amount": totals["open_amount"]} if totals else None)

    def row_css(self, row):
        return "overdue" if row["overdue"] else ""


class SupplierPerformanceReport(ReportPage):
    """供应商绩效: on-time rate, lead time, received and returned per supplier."""

    permissions = (VIEW_RECEIPTS, VIEW_ORDERS)
    form_class = report_forms.PerformanceForm
    api_url_name = "report-supplier-performance"
    title = gettext_lazy("Purchase reports")
    filter_fields = ("date_from", "date_to", "supplier")
    totals_label_key = "code"
    tabs = PURCHASING_TABS

    def report(self, params):
        return purchasing_reports.supplier_performance(
            user=self.request.user,
            date_from=params["date_from"],
            date_to=params["date_to"],
            supplier=params["supplier"],
        )

    def columns(self, params):
        link = supplier_link(self.request.user)
        return [
            ReportColumn("code", _("Code"), link=link, css_class="nowrap"),
            ReportColumn("name", _("Supplier"), link=link, css_class="name"),
            ReportColumn("orders", _("Orders"), "number"),
            ReportColumn("receipts", _("Receipts"), "number"),
            ReportColumn("on_time_rate", _("On-time rate"), "percent"),
            ReportColumn("avg_lead_time_days", _("Average lead time (days)"), "days"),
            ReportColumn("received_qty", _("Received quantity"), "quantity"),
            ReportColumn("received_value", _("Received value"), "money"),
            ReportColumn("returned_qty", _("Returned quantity"), "quantity"),
            ReportColumn("returned_value", _("Returned value"), "money"),
            ReportColumn("return_rate_qty", _("Return rate (quantity)"), "percent"),
            ReportColumn("return_rate_value", _("Return rate (value)"), "percent"),
        ]


# --- AP ageing -------------------------------------------------------------------------------


class AgingReport(ReportPage):
    """An ageing page: what each partner owes or is owed at a date, by days past due; the
    partner links to its open items (``items_url_name`` filtered on it) when that list exists,
    else to the partner's page."""

    partner = ""
    partner_label: Any = ""
    items_url_name = ""
    totals_label_key = "code"

    def partner_link(self) -> Callable[[dict], str | None]:  # pragma: no cover - subclasses
        raise NotImplementedError

    def columns(self, params):
        fallback = self.partner_link()
        has_items = url_exists(self.items_url_name)

        def link(row):
            if has_items:
                return optional_url(self.items_url_name, query={self.partner: row[self.partner]})
            return fallback(row)

        return [
            ReportColumn("code", _("Code"), link=link, css_class="nowrap"),
            ReportColumn("name", self.partner_label, link=link, css_class="name"),
            ReportColumn("current", _("Not yet due"), "money"),
            ReportColumn("d1_30", _("1–30 days"), "money"),
            ReportColumn("d31_60", _("31–60 days"), "money"),
            ReportColumn("d61_90", _("61–90 days"), "money"),
            ReportColumn("over_90", _("Over 90 days"), "money"),
            ReportColumn("total", _("Total"), "money"),
        ]


class APAgingReport(AgingReport):
    """应付账龄: what each supplier is owed at a date, by days past due."""

    permissions = (VIEW_PAYABLES,)
    form_class = report_forms.AgingForm
    api_url_name = "report-ap-aging"
    title = gettext_lazy("AP ageing")
    filter_fields = ("date", "supplier")
    partner = "supplier"
    partner_label = gettext_lazy("Supplier")
    items_url_name = "finance:payable-list"

    def report(self, params):
        return ap_aging(date=params["date"], supplier=params["supplier"])

    def partner_link(self):
        return supplier_link(self.request.user)


class ARAgingReport(AgingReport):
    """应收账龄: what each customer owes at a date, by days past due (a salesperson: their own
    customers); a button to the overdue receivables."""

    permissions = (VIEW_RECEIVABLES,)
    form_class = report_forms.ReceivablesAgingForm
    api_url_name = "report-ar-aging"
    title = gettext_lazy("AR ageing")
    filter_fields = ("date", "customer")
    partner = "customer"
    partner_label = gettext_lazy("Customer")
    items_url_name = "finance:receivable-list"

    def report(self, params):
        return ar_aging(date=params["date"], customer=params["customer"], customers=customers_for(self.request.user))

    def partner_link(self):
        return customer_link(self.request.user)

    def page_links(self):
        url = optional_url("finance:receivable-overdue")
        return [{"label": _("Overdue receivables"), "url": url}] if url else []


# --- Financial statements (tabs) -------------------------------------------------------------

STATEMENT_TABS = (
    (gettext_lazy("Trial balance"), "reports:trial-balance", (VIEW_STATEMENTS,)),
    (gettext_lazy("Income statement"), "reports:income-statement", (VIEW_STATEMENTS,)),
    (gettext_lazy("Balance sheet"), "reports:balance-sheet", (VIEW_STATEMENTS,)),
    (gettext_lazy("Cash flow"), "reports:cash-flow", (VIEW_STATEMENTS,)),
)


class StatementPage(ReportPage):
    """A financial statement (``apps.finance.statements``) for readers of the statements
    (finance and management), with tabs between the four. The Excel button asks the API for
    the dates the page shows (its defaults may differ from the API's)."""

    permissions = (VIEW_STATEMENTS,)
    tabs = STATEMENT_TABS

    def get_form(self):
        # A period opens on the month of its end date, shown in the filter bar; an emptied
        # start date stays empty (the trial balance then shows everything up to the end).
        data = self.request.GET.copy()
        if "date_from" in self.form_class.base_fields and "date_from" not in data:
            data["date_from"] = report_forms.first_of_month(data.get("date_to")).isoformat()
        return self.form_class(data, user=self.request.user)

    def statement_excel_url(self, params: dict) -> str:
        query = {name: value.isoformat() for name, value in params.items() if value is not None}
        return f"{reverse(self.api_url_name)}?{urlencode({**query, 'format': 'xlsx'})}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("params"):
            context["excel_url"] = self.statement_excel_url(context["params"])
        return context


def journal_link(rows: list[dict], params: dict) -> Callable[[dict], str | None]:
    """A trial balance row's link to the journal entries of the period on its account (and its
    sub-accounts), when the journal list page exists
    (``finance:journal-list?account=<id>&date_from=&date_to=``)."""
    if not rows or not url_exists("finance:journal-list"):
        return lambda row: None
    ids = dict(Account.objects.filter(code__in=[row["account"] for row in rows]).values_list("code", "pk"))
    period = {name: params[name].isoformat() for name in ("date_from", "date_to") if params.get(name)}

    def link(row: dict) -> str | None:
        pk = ids.get(row["account"])
        return optional_url("finance:journal-list", query={"account": pk, **period}) if pk else None

    return link


class TrialBalanceReport(StatementPage):
    """试算平衡表 / 科目余额表: per account the opening balance, the period's debits and
    credits and the closing balance, on their debit or credit side; totals, and whether debits
    equal credits. Opens on the month of its end date; each account links to its journal
    entries (when that page exists)."""

    template_name = "reports/trial_balance.html"
    form_class = report_forms.TrialBalanceForm
    api_url_name = "report-trial-balance"
    title = gettext_lazy("Trial balance")
    filter_fields = ("date_from", "date_to")
    totals_label_key = "name"

    def report(self, params):
        self.statement = statements.trial_balance(date_to=params["date_to"], date_from=params["date_from"])
        return self.statement

    def columns(self, params):
        link = journal_link(self.statement["rows"], params)
        return [
            ReportColumn("account", _("Code"), link=link, css_class="nowrap"),
            ReportColumn("name", _("Account"), link=link, css_class="name"),
            ReportColumn("opening_debit", _("Debit"), "money"),
            ReportColumn("opening_credit", _("Credit"), "money"),
            ReportColumn("period_debit", _("Debit"), "money"),
            ReportColumn("period_credit", _("Credit"), "money"),
            ReportColumn("debit", _("Debit"), "money"),
            ReportColumn("credit", _("Credit"), "money"),
        ]

    def row_css(self, row):
        return "sub-account" if "." in row["account"] else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = context.get("report")
        if report is not None:
            context["balanced"] = report["total_debit"] == report["total_credit"]
            context["difference"] = report["total_debit"] - report["total_credit"]
        return context


class IncomeStatementReport(StatementPage):
    """利润表: revenue, costs and expenses down to net profit for a period (this month unless
    chosen); the profit lines stand out."""

    template_name = "reports/income_statement.html"
    form_class = report_forms.StatementPeriodForm
    api_url_name = "report-income-statement"
    title = gettext_lazy("Income statement")
    filter_fields = ("date_from", "date_to")

    def report(self, params):
        return statements.income_statement(date_from=params["date_from"], date_to=params["date_to"])

    def columns(self, params):
        return [ReportColumn("label", _("Item")), ReportColumn("amount", _("Amount"), "money")]

    def row_css(self, row):
        return "subtotal" if row["is_total"] else ""

    def totals_cells(self, columns, totals):
        # The statement's last line, net profit, is its total.
        return None


class BalanceSheetReport(StatementPage):
    """资产负债表 at a date: assets beside liabilities and equity, each section with its total,
    and whether assets equal liabilities plus equity."""

    template_name = "reports/balance_sheet.html"
    form_class = report_forms.BalanceSheetForm
    api_url_name = "report-balance-sheet"
    title = gettext_lazy("Balance sheet")
    filter_fields = ("date",)

    def report(self, params):
        return statements.balance_sheet(date=params["date"])

    def columns(self, params):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = context.get("report")
        if report is not None:
            context["sections"] = [
                {"title": _("Assets"), "rows": report["assets"], "total": report["total_assets"],
                 "total_label": _("Total assets"), "side": "left"},
                {"title": _("Liabilities"), "rows": report["liabilities"], "total": report["total_liabilities"],
                 "total_label": _("Total liabilities"), "side": "right"},
                {"title": _("Equity"), "rows": report["equity"], "total": report["total_equity"],
                 "total_label": _("Total equity"), "side": "right"},
            ]  # fmt: skip
            context["difference"] = report["total_assets"] - report["total_liabilities_and_equity"]
        return context


class CashFlowReport(StatementPage):
    """现金流量表 (simple): the cash and bank accounts' opening balance, money in and out by
    kind (other income and expenses by category), the closing balance; then per account."""

    template_name = "reports/cash_flow.html"
    form_class = report_forms.StatementPeriodForm
    api_url_name = "report-cash-flow"
    title = gettext_lazy("Cash flow")
    filter_fields = ("date_from", "date_to")
    totals_label_key = "label"

    def report(self, params):
        report = statements.cash_flow(date_from=params["date_from"], date_to=params["date_to"])
        report["totals"] = {"inflow": report["inflow"], "outflow": report["outflow"], "net": report["net_change"]}
        return report

    def columns(self, params):
        return [
            ReportColumn("label", _("Item"), css_class="name"),
            ReportColumn("inflow", _("Inflow"), "money"),
            ReportColumn("outflow", _("Outflow"), "money"),
            ReportColumn("net", pgettext("cash flow: inflow minus outflow", "Net"), "money"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = context.get("report")
        if report is not None:
            accounts = report["accounts"]
            context["account_totals"] = {
                key: sum((row[key] for row in accounts), Decimal(0))
                for key in ("opening", "inflow", "outflow", "closing")
            }
        return context


# --- Stock summary (进销存汇总) ----------------------------------------------------------------


def stock_card_link(user, params: dict) -> Callable[[dict], str | None]:
    """A summary row's link to the stock card of its product in the chosen warehouse and period
    (the card is of one warehouse: without one chosen, to the product's page)."""
    warehouse = params.get("warehouse")
    reads_card = user.has_perm("inventory.view_stockledgerentry") and url_exists("inventory:stock-card")
    if warehouse is None or not reads_card:
        return product_link(user)
    period = {"date_from": params["date_from"].isoformat(), "date_to": params["date_to"].isoformat()}

    def link(row: dict) -> str | None:
        query = {"product": row["product"], "warehouse": warehouse.pk, **period}
        return optional_url("inventory:stock-card", query=query)

    return link


class StockSummaryReport(ReportPage):
    """进销存汇总: per product the opening balance, what came in and went out in the period and
    the closing balance, over the warehouses the user reads or one of them; values for those
    who may see costs. Opens on this month."""

    template_name = "reports/stock_summary.html"
    permissions = (VIEW_STOCK,)
    form_class = report_forms.StockSummaryForm
    api_url_name = "report-stock-summary"
    run_report = "stock_summary"
    title = gettext_lazy("Stock summary")
    filter_fields = ("date_from", "date_to", "warehouse", "category", "search")
    totals_label_key = "sku"

    def get_form(self):
        data = self.request.GET.copy()
        if "date_from" not in data:
            data["date_from"] = report_forms.first_of_month(data.get("date_to")).isoformat()
        return self.form_class(data, user=self.request.user)

    def report(self, params):
        report = stock_reports.stock_summary(user=self.request.user, **params)
        return report if self.with_values() else stock_reports.summary_without_values(report)

    def with_values(self) -> bool:
        return sees_costs(self.request.user)

    def columns(self, params):
        user = self.request.user
        values = self.with_values()
        columns = [
            ReportColumn("sku", _("SKU"), link=stock_card_link(user, params), css_class="nowrap"),
            ReportColumn("name", _("Product"), css_class="name"),
            ReportColumn("unit", _("Unit"), css_class="nowrap"),
        ]
        for prefix in ("opening", "in", "out", "closing"):
            columns.append(ReportColumn(f"{prefix}_qty", _("Quantity"), "quantity"))
            if values:
                columns.append(ReportColumn(f"{prefix}_value", _("Value"), "money"))
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["group_span"] = 2 if self.with_values() else 1
        return context


# --- Stock alerts (库存预警) ---------------------------------------------------------------------


class StockAlertsReport(ReportPage):
    """库存预警: balances below safety stock, above max stock or slow-moving, in the warehouses
    the user reads or one of them, with a tab per kind (and its count). Each row links to the
    stock card of its product in its warehouse (for readers of the ledger)."""

    template_name = "reports/stock_alerts.html"
    permissions = (VIEW_STOCK,)
    form_class = report_forms.StockAlertsForm
    api_url_name = "report-stock-alerts"
    title = gettext_lazy("Stock alerts")
    filter_fields = ("warehouse", "slow_days")

    def report(self, params):
        return stock_reports.stock_alert_report(
            user=self.request.user, warehouse=params["warehouse"], kind=params["kind"], slow_days=params["slow_days"]
        )

    def card_link(self) -> Callable[[dict], str | None]:
        user = self.request.user
        if not (user.has_perm("inventory.view_stockledgerentry") and url_exists("inventory:stock-card")):
            return product_link(user)

        def link(row: dict) -> str | None:
            query = {"product": row["product"], "warehouse": row["warehouse"]}
            return optional_url("inventory:stock-card", query=query)

        return link

    def columns(self, params):
        link = self.card_link()
        return [
            ReportColumn("warehouse_code", _("Warehouse"), css_class="nowrap"),
            ReportColumn("sku", _("SKU"), link=link, css_class="nowrap"),
            ReportColumn("name", _("Product"), css_class="name"),
            ReportColumn("kind_label", _("Alert"), css_class="nowrap"),
            ReportColumn("qty", _("On hand"), "quantity"),
            ReportColumn("safety_stock", _("Safety stock"), "quantity"),
            ReportColumn("max_stock", _("Max stock"), "quantity"),
            ReportColumn("last_movement", _("Last movement"), css_class="nowrap"),
        ]

    def row_css(self, row):
        return f"alert-{row['kind']}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params, report = context.get("params"), context.get("report")
        current = params["kind"] if params else ""
        counts = report["counts"] if report else {}
        context["kind_links"] = [
            {
                "value": value,
                "label": label,
                "count": sum(counts.values()) if not value else counts.get(value, 0),
                "active": value == current,
            }
            for value, label in report_forms.ALERT_KIND_CHOICES
        ]
        return context


# --- Purchase plan (采购计划) -----------------------------------------------------------------


class PlanLineForm(forms.Form):
    """One suggestion row as the buyer edits it: the quantity to order and the supplier (by
    code; empty = the preferred one)."""

    product = forms.IntegerField(widget=forms.HiddenInput)
    warehouse = forms.IntegerField(widget=forms.HiddenInput)
    qty = forms.DecimalField(
        label=gettext_lazy("Quantity to order"),
        required=False,
        min_value=0,
        max_digits=18,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num qty", "autocomplete": "off"}),
    )
    supplier = forms.CharField(
        label=gettext_lazy("Supplier"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"list": "plan-suppliers", "class": "supplier-code", "autocomplete": "off"}),
    )


PlanFormSet = forms.formset_factory(PlanLineForm, extra=0, max_num=PLAN_ROWS_SHOWN, absolute_max=PLAN_ROWS_SHOWN)


def _plain_qty(value: Decimal) -> str:
    return format_quantity(value).replace(",", "")


class PurchasePlan(PermissionRequiredMixin, TemplateView):
    """采购计划: the suggestions (``purchase_suggestions``) with the quantity and supplier of
    each row editable, and one button that creates the draft purchase orders
    (``purchase_orders_from_plan``: one per supplier and warehouse), then lists them."""

    template_name = "reports/purchase_plan.html"

    def has_permission(self) -> bool:
        return self.request.user.is_authenticated and self.request.user.has_perm(VIEW_ORDERS)

    def filter_form(self):
        return report_forms.SuggestionsForm(self.request.GET, user=self.request.user)

    def suggestions(self, params: dict, *, only_needed: bool | None = None) -> list[dict]:
        return purchasing_reports.purchase_suggestions(
            user=self.request.user,
            warehouse=params["warehouse"],
            velocity_days=params["velocity_days"],
            only_needed=params["only_needed"] if only_needed is None else only_needed,
            supplier=params["supplier"],
            search=params["search"],
        )

    def get(self, request, *args, **kwargs):
        form = self.filter_form()
        rows, formset, params = [], None, None
        if form.is_valid():
            params = form.params()
            rows = self.suggestions(params)
            initial = [
                {
                    "product": row["product"],
                    "warehouse": row["warehouse"],
                    "qty": _plain_qty(row["suggested_qty"]) if row["suggested_qty"] else "",
                    "supplier": row["supplier_code"],
                }
                for row in rows[:PLAN_ROWS_SHOWN]
            ]
            formset = PlanFormSet(initial=initial, prefix="line")
        return self.render_to_response(self.context(form, params, rows, formset))

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(ADD_ORDERS):
            return self.handle_no_permission()
        form = self.filter_form()
        if not form.is_valid():
            return HttpResponseRedirect(request.get_full_path())
        params = form.params()
        formset = PlanFormSet(request.POST, prefix="line")
        errors: list[str] = []
        lines = self.plan_lines(formset, errors) if formset.is_valid() else None
        if lines is not None and not errors:
            try:
                orders = purchase_orders_from_plan(user=request.user, lines=lines)
            except ValidationError as exc:
                errors.extend(message for messages_ in _messages(exc) for message in messages_)
            except BusinessError as exc:
                errors.append(exc.detail)
            else:
                messages.success(
                    request,
                    _("%(count)s draft purchase orders were created.") % {"count": len(orders)}
                    if len(orders) != 1
                    else _("1 draft purchase order was created."),
                )
                query = request.GET.copy()
                query["created"] = ",".join(str(order.pk) for order in orders)
                return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        # Keep what was typed: the posted rows, shown with their current figures.
        info = {(row["product"], row["warehouse"]): row for row in self.suggestions(params, only_needed=False)}
        rows = []
        for line_form in formset.forms:
            key = (_int(line_form["product"].value()), _int(line_form["warehouse"].value()))
            rows.append(info.get(key, {"product": key[0], "warehouse": key[1], "sku": "", "name": ""}))
        context = self.context(form, params, rows, formset)
        context["errors"] = errors or None
        return self.render_to_response(context)

    def plan_lines(self, formset, errors: list[str]) -> list[dict]:
        """The service's lines from the valid formset: products, readable warehouses and
        suppliers resolved in three queries; unknown ones become row errors."""
        wanted = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("qty")]
        products = Product.objects.in_bulk({line["product"] for line in wanted})
        warehouses = readable_warehouses(self.request.user).in_bulk({line["warehouse"] for line in wanted})
        codes = {line["supplier"].strip() for line in wanted if line["supplier"].strip()}
        suppliers = {s.code: s for s in Supplier.objects.filter(code__in=codes)}
        lines = []
        for number, line in enumerate(wanted, start=1):
            product, warehouse = products.get(line["product"]), warehouses.get(line["warehouse"])
            code = line["supplier"].strip()
            supplier = suppliers.get(code) if code else None
            if product is None or warehouse is None:
                errors.append(_("Line %(line)s: the product or warehouse no longer exists.") % {"line": number})
                continue
            if code and supplier is None:
                errors.append(
                    _("%(sku)s: there is no supplier with the code “%(code)s”.") % {"sku": product.sku, "code": code}
                )
                continue
            lines.append({"product": product, "warehouse": warehouse, "qty": line["qty"], "supplier": supplier})
        return lines

    def context(self, form, params, rows, formset) -> dict:
        items = []
        if formset is not None:
            for row, line_form in zip(rows, formset.forms, strict=False):
                items.append({"row": row, "form": line_form, "last_price": format_cost(row.get("last_price"))})
        created = self.created_orders()
        return {
            "title": _("Purchase plan"),
            "form": form,
            "filter_fields": [
                form[name] for name in ("search", "warehouse", "supplier", "velocity_days", "only_needed")
            ],
            "params": params,
            "items": items,
            "formset": formset,
            "row_count": len(rows),
            "truncated": len(rows) > PLAN_ROWS_SHOWN,
            "rows_shown": PLAN_ROWS_SHOWN,
            "may_create": self.request.user.has_perm(ADD_ORDERS),
            "suppliers": Supplier.objects.filter(is_active=True).order_by("code").values_list("code", "name")
            if self.request.user.has_perm(ADD_ORDERS)
            else [],
            "created": created,
            "excel_url": f"{reverse('report-purchase-suggestions')}?{_with_xlsx(self.request.GET)}",
            "currency": _currency(),
        }

    def created_orders(self) -> list[dict]:
        text = self.request.GET.get("created", "")
        ids = [int(part) for part in text.split(",") if part.strip().isdigit()][:100]
        if not ids:
            return []
        orders = PurchaseOrder.objects.filter(pk__in=ids, created_by=self.request.user).select_related(
            "supplier", "warehouse"
        )
        has_page = url_exists("purchasing:order-detail", 1)
        return [
            {
                "order": order,
                "url": reverse("purchasing:order-detail", args=[order.pk]) if has_page else None,
            }
            for order in orders.order_by("number")
        ]


def _with_xlsx(query) -> str:
    query = query.copy()
    query.pop("created", None)
    query["format"] = "xlsx"
    return query.urlencode()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _messages(exc: ValidationError) -> list[list[str]]:
    if hasattr(exc, "error_dict"):
        return [[str(m) for e in errors for m in e.messages] for errors in exc.error_dict.values()]
    return [[str(m) for m in exc.messages]]
