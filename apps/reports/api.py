"""Report endpoints under ``/api/v1/reports/``.

Every report answers ``GET`` with ``{"count", "rows": [...], "totals": {...}}`` (``totals``
where sums mean something) and ``?format=xlsx`` with the same rows in an Excel file (plus the
totals as its last row). Query parameters are validated by the same form as the report's page
(``apps/reports/forms.py``): an invalid one is a 400 on that parameter. Rows come from the
selectors in ``apps/purchasing/reports.py``, ``apps/sales/reports.py`` and
``apps/finance/reports.py``.

Who reads what: the purchasing reports, those who read purchase orders or receipts; the sales
report, those who take sales orders (sales, management) or see customer receipts (finance) —
a salesperson their own customers' only; gross profit, those of them who may see costs
(``inventory.view_cost``: finance and management); AP and AR ageing, those who read payables or
receivables (a salesperson: their own customers); the financial statements (trial balance,
income statement, balance sheet, cash flow, from ``apps/finance/statements.py``), those with
``finance.view_statements`` (finance and management).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from apps.accounts.selectors import readable_warehouses
from apps.core.api import CostFieldsMixin, JSONErrorsMixin, sees_costs
from apps.core.fields import money
from apps.core.xlsx import Column
from apps.customers.selectors import customers_for
from apps.finance import statements
from apps.finance.reports import ap_aging, ar_aging
from apps.inventory.models import Product, Warehouse
from apps.purchasing import reports as purchasing_reports
from apps.purchasing.services import purchase_orders_from_plan
from apps.sales import reports as sales_reports
from apps.suppliers.models import Supplier

from . import forms as report_forms
from . import stock as stock_reports

VIEW_ORDERS = "purchasing.view_purchaseorder"
ADD_ORDERS = "purchasing.add_purchaseorder"
VIEW_RECEIPTS = "purchasing.view_purchasereceipt"
VIEW_PAYABLES = "finance.view_payable"
VIEW_RECEIVABLES = "finance.view_receivable"
VIEW_COST = "inventory.view_cost"
VIEW_STATEMENTS = "finance.view_statements"
# The stock reports: for those who read stock balances (everyone in the business), values for
# those who may see costs.
VIEW_STOCK = "inventory.view_stockbalance"
# The sales reports' readers: sales (their own customers), finance and management.
SALES_READERS = ("sales.view_sales_report",)


def _qty(label, **kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=4, label=label, **kwargs)


def _money(label, **kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=2, label=label, **kwargs)


def _rate(label):
    return serializers.DecimalField(max_digits=9, decimal_places=4, label=label, allow_null=True)


def may_read(user, any_of: tuple[str, ...], all_of: tuple[str, ...] = ()) -> bool:
    """Whether ``user`` holds one of ``any_of`` and every one of ``all_of``."""
    return any(user.has_perm(name) for name in any_of) and all(user.has_perm(name) for name in all_of)


class AnyPermission(BasePermission):
    """The user needs any one of the view's ``permissions[method]`` (``"GET"`` for reads) and
    every one of its ``required_permissions`` (if any); anonymous users are refused (401)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        needed = view.permissions.get(request.method, view.permissions.get("GET", ()))
        return may_read(user, needed, getattr(view, "required_permissions", ()))


def form_parameters(form_class: type[forms.Form]) -> list[OpenApiParameter]:
    """The query parameters of a report, described from its form."""
    result = []
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField):
            kind = OpenApiTypes.DATE
        elif isinstance(field, (forms.ModelChoiceField, forms.IntegerField)):
            kind = OpenApiTypes.INT
        elif isinstance(field, forms.NullBooleanField):
            kind = OpenApiTypes.BOOL
        else:
            kind = OpenApiTypes.STR
        enum = [value for value, _label in field.choices] if type(field) is forms.ChoiceField else None
        result.append(
            OpenApiParameter(
                name, kind, OpenApiParameter.QUERY, required=False, description=str(field.label), enum=enum
            )
        )
    return result


def _plain(value):
    """A totals value as the rows carry it (decimals as strings)."""
    return str(value) if isinstance(value, Decimal) else value


class ReportView(JSONErrorsMixin, GenericAPIView):
    """``GET``: validate the query with ``form_class``, call :meth:`report`, answer the rows
    (``serializer_class``) and totals. ``totals_label`` names the column that says "Total" on
    the Excel file's totals row."""

    permission_classes = [AnyPermission]
    permissions: dict[str, tuple[str, ...]] = {}
    form_class: type[report_forms.ReportForm]
    totals_label = ""
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):  # pragma: no cover - reports have no queryset
        return None

    def params(self) -> dict:
        form = self.form_class(self.request.query_params, user=self.request.user)
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors] for name, errors in form.errors.items()})
        return form.params()

    def report(self, params: dict) -> dict:  # pragma: no cover - subclasses
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        report = self.report(self.params())
        rows = self.get_serializer(report["rows"], many=True).data
        totals = report.get("totals")
        if totals is not None:
            totals = {name: _plain(value) for name, value in totals.items() if not name.startswith("_")}
        if request.accepted_renderer.format == "xlsx":
            excel = list(rows)
            if totals is not None and rows:
                excel.append({**totals, self.totals_label: str(_("Total"))})
            return Response({"rows": excel})
        data = {"count": len(rows), "rows": rows}
        if totals is not None:
            data["totals"] = totals
        for name, value in report.items():
            if name not in ("rows", "totals"):
                data[name] = value
        return Response(data)


def report_schema(form_class, row_serializer, name: str, totals: bool = True, extra: dict | None = None):
    fields = {"count": serializers.IntegerField(), "rows": row_serializer(many=True)}
    if totals:
        fields["totals"] = serializers.DictField()
    fields.update(extra or {})
    return extend_schema(
        parameters=form_parameters(form_class),
        responses=inline_serializer(name=name, fields=fields),
    )


# --- Purchase planning -----------------------------------------------------------------------


class SuggestionSerializer(serializers.Serializer):
    product = serializers.IntegerField(label=_("Product ID"))
    warehouse = serializers.IntegerField(label=_("Warehouse ID"))
    sku = serializers.CharField(label=_("SKU"))
    name = serializers.CharField(label=_("Product"))
    unit = serializers.CharField(label=_("Unit"))
    warehouse_code = serializers.CharField(label=_("Warehouse"))
    qty = _qty(_("On hand"))
    reserved_qty = _qty(_("Reserved"))
    available_qty = _qty(_("Available"))
    ordered_qty = _qty(_("Ordered"))
    projected_qty = _qty(_("Projected"))
    safety_stock = _qty(_("Safety stock"))
    sold_qty = _qty(_("Sold in the window"))
    velocity = _qty(_("Daily sales"))
    lead_time_days = serializers.IntegerField(label=_("Lead time (days)"))
    reorder_point = _qty(_("Reorder point"))
    reorder_qty = _qty(_("Reorder quantity"))
    min_order_qty = _qty(_("Minimum order quantity"))
    suggested_qty = _qty(_("Suggested quantity"))
    supplier = serializers.IntegerField(label=_("Supplier ID"), allow_null=True)
    supplier_code = serializers.CharField(label=_("Supplier code"))
    supplier_name = serializers.CharField(label=_("Supplier"))
    last_price = serializers.DecimalField(max_digits=18, decimal_places=6, label=_("Last price"), allow_null=True)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=6, label=_("Unit price"))
    amount = _money(_("Amount"))


@report_schema(report_forms.SuggestionsForm, SuggestionSerializer, "PurchaseSuggestionsReport", totals=False)
class PurchaseSuggestionsView(ReportView):
    """采购计划: what to order per product and warehouse (see
    ``apps.purchasing.reports.purchase_suggestions`` for the arithmetic)."""

    permissions = {"GET": (VIEW_ORDERS,)}
    form_class = report_forms.SuggestionsForm
    serializer_class = SuggestionSerializer
    xlsx_filename = "purchase-suggestions"

    def report(self, params):
        rows = purchasing_reports.purchase_suggestions(
            user=self.request.user,
            warehouse=params["warehouse"],
            velocity_days=params["velocity_days"],
            only_needed=params["only_needed"],
            supplier=params["supplier"],
            search=params["search"],
        )
        return {"rows": rows, "velocity_days": params["velocity_days"]}


class ScopedWarehouseField(serializers.PrimaryKeyRelatedField):
    """A warehouse the requesting user reads."""

    def get_queryset(self):
        return readable_warehouses(self.context["request"].user)


class PlanLineSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.filter(is_active=True))
    warehouse = ScopedWarehouseField(queryset=Warehouse.objects.all())
    qty = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=Decimal(0))
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.filter(is_active=True), required=False, allow_null=True
    )
    unit_price = serializers.DecimalField(
        max_digits=18, decimal_places=6, min_value=Decimal(0), required=False, allow_null=True
    )


class CreateOrdersSerializer(serializers.Serializer):
    lines = PlanLineSerializer(many=True, allow_empty=False)


class CreatedOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    supplier = serializers.IntegerField(source="supplier_id")
    warehouse = serializers.IntegerField(source="warehouse_id")
    status = serializers.CharField()
    total = _money(_("Total"))


@extend_schema(
    request=CreateOrdersSerializer,
    responses={201: inline_serializer(name="CreatedOrders", fields={"orders": CreatedOrderSerializer(many=True)})},
)
class PurchaseSuggestionsCreateOrdersView(JSONErrorsMixin, GenericAPIView):
    """Turn the buyer's suggestion lines into draft purchase orders, one per supplier and
    warehouse (``apps.purchasing.services.purchase_orders_from_plan``); answers the orders."""

    permission_classes = [AnyPermission]
    permissions = {"POST": (ADD_ORDERS,)}
    serializer_class = CreateOrdersSerializer
    pagination_class = None
    filter_backends: list = []

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        orders = purchase_orders_from_plan(user=request.user, lines=serializer.validated_data["lines"])
        data = CreatedOrderSerializer(orders, many=True).data
        return Response({"orders": data}, status=status.HTTP_201_CREATED)


# --- Stock summary (进销存汇总) -----------------------------------------------------------------


class StockSummaryRowSerializer(CostFieldsMixin, serializers.Serializer):
    cost_fields = stock_reports.VALUE_FIGURES
    product = serializers.IntegerField(label=_("Product ID"))
    sku = serializers.CharField(label=_("SKU"))
    name = serializers.CharField(label=_("Product"))
    unit = serializers.CharField(label=_("Unit"))
    category = serializers.CharField(label=_("Category"))
    opening_qty = _qty(_("Opening quantity"))
    opening_value = _money(_("Opening value"))
    in_qty = _qty(_("Quantity in"))
    in_value = _money(_("Value in"))
    out_qty = _qty(_("Quantity out"))
    out_value = _money(_("Value out"))
    closing_qty = _qty(_("Closing quantity"))
    closing_value = _money(_("Closing value"))


@report_schema(
    report_forms.StockSummaryForm,
    StockSummaryRowSerializer,
    "StockSummaryReport",
    extra={"date_from": serializers.DateField(), "date_to": serializers.DateField()},
)
class StockSummaryView(ReportView):
    """进销存汇总 per product from the stock ledger over the warehouses the user reads (a clerk:
    their own): opening balance (entries dated before ``date_from``), quantities and values in
    and out from ``date_from`` to ``date_to`` (a cancellation lowers the side of what it
    cancels), closing = opening + in − out. Values (and their totals) only for those who may
    see costs (``inventory.view_cost``); sales and customer service see quantities."""

    permissions = {"GET": (VIEW_STOCK,)}
    form_class = report_forms.StockSummaryForm
    serializer_class = StockSummaryRowSerializer
    totals_label = "sku"
    xlsx_filename = "stock-summary"

    def report(self, params):
        report = stock_reports.stock_summary(user=self.request.user, **params)
        if not sees_costs(self.request.user):
            report = stock_reports.summary_without_values(report)
        report.update(date_from=params["date_from"], date_to=params["date_to"])
        return report


# --- Stock alerts (库存预警) ----------------------------------------------------------------------


class StockAlertRowSerializer(serializers.Serializer):
    product = serializers.IntegerField(label=_("Product ID"))
    sku = serializers.CharField(label=_("SKU"))
    name = serializers.CharField(label=_("Product"))
    warehouse = serializers.IntegerField(label=_("Warehouse ID"))
    warehouse_code = serializers.CharField(label=_("Warehouse"))
    qty = _qty(_("On hand"))
    safety_stock = _qty(_("Safety stock"))
    max_stock = _qty(_("Max stock"))
    kind = serializers.CharField(label=_("Alert code"), help_text='"low", "over" or "slow"')
    kind_label = serializers.CharField(label=_("Alert"))
    last_movement = serializers.DateField(label=_("Last movement"), allow_null=True)


@report_schema(
    report_forms.StockAlertsForm,
    StockAlertRowSerializer,
    "StockAlertsReport",
    totals=False,
    extra={"counts": serializers.DictField(child=serializers.IntegerField()), "slow_days": serializers.IntegerField()},
)
class StockAlertsView(ReportView):
    """库存预警: product × warehouse balances below safety stock (``low``), above max stock
    (``over``) or without movement for more than ``slow_days`` days (``slow``; rules in
    ``apps.inventory.alerts``), in the warehouses the user reads (a clerk: their own); a
    balance may raise two kinds. ``counts``: alerts per kind whatever ``kind``. For those who
    read stock balances."""

    permissions = {"GET": (VIEW_STOCK,)}
    form_class = report_forms.StockAlertsForm
    serializer_class = StockAlertRowSerializer
    xlsx_filename = "stock-alerts"

    def report(self, params):
        report = stock_reports.stock_alert_report(
            user=self.request.user, warehouse=params["warehouse"], kind=params["kind"], slow_days=params["slow_days"]
        )
        report["slow_days"] = params["slow_days"]
        return report


# --- Purchases and sales (grouped by period) --------------------------------------------------


class GroupedRowSerializer(serializers.Serializer):
    key = serializers.CharField(label=_("Key"))
    label = serializers.CharField(label=_("Name"))
    qty = _qty(_("Quantity"))
    net_amount = _money(_("Net amount"))
    tax_amount = _money(_("VAT"))
    amount = _money(_("Amount"))


class PurchasesRowSerializer(GroupedRowSerializer):
    receipts = serializers.IntegerField(label=_("Receipts"))


class SalesRowSerializer(GroupedRowSerializer):
    deliveries = serializers.IntegerField(label=_("Deliveries"))


class GrossProfitRowSerializer(serializers.Serializer):
    key = serializers.CharField(label=_("Key"))
    label = serializers.CharField(label=_("Name"))
    qty = _qty(_("Quantity"))
    revenue = _money(_("Revenue"))
    cost = _money(_("Cost"))
    gross_profit = _money(_("Gross profit"))
    margin = _rate(_("Margin"))


class GroupedReportView(ReportView):
    """A report of a period grouped one of several ways: ``selector`` takes the form's
    parameters as they are (``user`` and the period, ``group_by``, warehouse and partner); the
    answer repeats the period and the grouping."""

    totals_label = "label"
    selector: staticmethod

    def report(self, params):
        report = self.selector(user=self.request.user, **params)
        report.update(group_by=params["group_by"], date_from=params["date_from"], date_to=params["date_to"])
        return report


@report_schema(report_forms.PurchasesForm, PurchasesRowSerializer, "PurchasesReport")
class PurchasesView(GroupedReportView):
    """Purchases (posted receipts minus posted returns) by supplier, product or month."""

    permissions = {"GET": (VIEW_RECEIPTS, VIEW_ORDERS)}
    form_class = report_forms.PurchasesForm
    serializer_class = PurchasesRowSerializer
    xlsx_filename = "purchases"
    selector = staticmethod(purchasing_reports.purchases_report)


@report_schema(report_forms.SalesForm, SalesRowSerializer, "SalesReport")
class SalesView(GroupedReportView):
    """销售汇总: posted deliveries minus posted sales returns by product, customer, salesperson
    or month (a salesperson: their own customers)."""

    permissions = {"GET": SALES_READERS}
    form_class = report_forms.SalesForm
    serializer_class = SalesRowSerializer
    xlsx_filename = "sales"
    selector = staticmethod(sales_reports.sales_report)


@report_schema(report_forms.GrossProfitForm, GrossProfitRowSerializer, "GrossProfitReport")
class GrossProfitView(GroupedReportView):
    """毛利: revenue (net of VAT) minus the cost each delivery line recorded, returns netted,
    by product or customer; margin = gross profit / revenue. Needs ``inventory.view_cost``."""

    permissions = {"GET": SALES_READERS}
    required_permissions = (VIEW_COST,)
    form_class = report_forms.GrossProfitForm
    serializer_class = GrossProfitRowSerializer
    xlsx_filename = "gross-profit"
    selector = staticmethod(sales_reports.gross_profit)


# --- Open order lines ------------------------------------------------------------------------


class OpenLineSerializer(serializers.Serializer):
    purchase_order = serializers.IntegerField(label=_("Purchase order ID"))
    number = serializers.CharField(label=_("Number"))
    line_no = serializers.IntegerField(label=_("Line"))
    date = serializers.DateField(label=_("Date"))
    supplier = serializers.IntegerField(label=_("Supplier ID"))
    supplier_code = serializers.CharField(label=_("Supplier code"))
    supplier_name = serializers.CharField(label=_("Supplier"))
    warehouse = serializers.IntegerField(label=_("Warehouse ID"))
    warehouse_code = serializers.CharField(label=_("Warehouse"))
    product = serializers.IntegerField(label=_("Product ID"))
    sku = serializers.CharField(label=_("SKU"))
    name = serializers.CharField(label=_("Product"))
    unit = serializers.CharField(label=_("Unit"))
    ordered_qty = _qty(_("Ordered"))
    received_qty = _qty(_("Received"))
    open_qty = _qty(_("Open"))
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=6, label=_("Unit price"))
    open_amount = _money(_("Open amount"))
    expected_date = serializers.DateField(label=_("Expected date"), allow_null=True)
    overdue = serializers.BooleanField(label=_("Overdue"))
    days_overdue = serializers.IntegerField(label=_("Days overdue"))


@report_schema(report_forms.OpenLinesForm, OpenLineSerializer, "OpenPurchaseLinesReport")
class OpenPurchaseLinesView(ReportView):
    """Lines of approved and partially received orders still waiting for goods (在途)."""

    permissions = {"GET": (VIEW_RECEIPTS, VIEW_ORDERS)}
    form_class = report_forms.OpenLinesForm
    serializer_class = OpenLineSerializer
    totals_label = "number"
    xlsx_filename = "open-purchase-lines"

    def report(self, params):
        return purchasing_reports.open_purchase_lines(
            user=self.request.user,
            supplier=params["supplier"],
            warehouse=params["warehouse"],
            product=params["product"],
            overdue=params["overdue"],
        )


# --- Supplier performance --------------------------------------------------------------------


class PerformanceSerializer(serializers.Serializer):
    supplier = serializers.IntegerField(label=_("Supplier ID"))
    code = serializers.CharField(label=_("Code"))
    name = serializers.CharField(label=_("Supplier"))
    orders = serializers.IntegerField(label=_("Orders"))
    receipts = serializers.IntegerField(label=_("Receipts"))
    on_time_receipts = serializers.IntegerField(label=_("On time"))
    due_receipts = serializers.IntegerField(label=_("With an expected date"))
    on_time_rate = _rate(_("On-time rate"))
    avg_lead_time_days = serializers.DecimalField(
        max_digits=9, decimal_places=2, label=_("Average lead time (days)"), allow_null=True
    )
    received_qty = _qty(_("Received quantity"))
    received_value = _money(_("Received value"))
    returned_qty = _qty(_("Returned quantity"))
    returned_value = _money(_("Returned value"))
    return_rate_qty = _rate(_("Return rate (quantity)"))
    return_rate_value = _rate(_("Return rate (value)"))


@report_schema(report_forms.PerformanceForm, PerformanceSerializer, "SupplierPerformanceReport")
class SupplierPerformanceView(ReportView):
    """On-time rate, lead time, quantities and values received and returned per supplier."""

    permissions = {"GET": (VIEW_RECEIPTS, VIEW_ORDERS)}
    form_class = report_forms.PerformanceForm
    serializer_class = PerformanceSerializer
    totals_label = "name"
    xlsx_filename = "supplier-performance"

    def report(self, params):
        report = purchasing_reports.supplier_performance(
            user=self.request.user,
            date_from=params["date_from"],
            date_to=params["date_to"],
            supplier=params["supplier"],
        )
        report.update(date_from=params["date_from"], date_to=params["date_to"])
        return report


# --- AP and AR ageing -------------------------------------------------------------------------


def aging_serializer(name: str, partner: str, partner_id_label, partner_label) -> type[serializers.Serializer]:
    """Rows of an ageing report: the partner (id, code, name), the buckets and the total."""
    fields = {
        partner: serializers.IntegerField(label=partner_id_label),
        "code": serializers.CharField(label=_("Code")),
        "name": serializers.CharField(label=partner_label),
        "current": _money(_("Not yet due")),
        "d1_30": _money(_("1–30 days")),
        "d31_60": _money(_("31–60 days")),
        "d61_90": _money(_("61–90 days")),
        "over_90": _money(_("Over 90 days")),
        "total": _money(_("Total")),
    }
    return type(name, (serializers.Serializer,), fields)


AgingSerializer = aging_serializer("AgingSerializer", "supplier", _("Supplier ID"), _("Supplier"))
ReceivablesAgingSerializer = aging_serializer("ReceivablesAgingSerializer", "customer", _("Customer ID"), _("Customer"))
AGING_DATE = {"date": serializers.DateField()}


@report_schema(report_forms.AgingForm, AgingSerializer, "APAgingReport", extra=AGING_DATE)
class APAgingView(ReportView):
    """应付账龄: what is owed to each supplier at ``date``, by days past due."""

    permissions = {"GET": (VIEW_PAYABLES,)}
    form_class = report_forms.AgingForm
    serializer_class = AgingSerializer
    totals_label = "name"
    xlsx_filename = "ap-aging"

    def report(self, params):
        return ap_aging(date=params["date"], supplier=params["supplier"])


@report_schema(report_forms.ReceivablesAgingForm, ReceivablesAgingSerializer, "ARAgingReport", extra=AGING_DATE)
class ARAgingView(ReportView):
    """应收账龄: what each customer owes at ``date``, by days past due (a salesperson: their
    own customers)."""

    permissions = {"GET": (VIEW_RECEIVABLES,)}
    form_class = report_forms.ReceivablesAgingForm
    serializer_class = ReceivablesAgingSerializer
    totals_label = "name"
    xlsx_filename = "ar-aging"

    def report(self, params):
        return ar_aging(date=params["date"], customer=params["customer"], customers=customers_for(self.request.user))


# --- Financial statements ----------------------------------------------------------------------


def money_text(value) -> str:
    """A statement's amount as the API shows money: a string with two decimals ("0.00", never
    "-0.00": a zero income line is computed as minus a zero balance)."""
    amount = money(value)
    return f"{amount if amount else abs(amount):.2f}"


def money_texts(data):
    """``data`` with every Decimal (in nested dicts and lists too) as :func:`money_text`."""
    if isinstance(data, Decimal):
        return money_text(data)
    if isinstance(data, dict):
        return {key: money_texts(value) for key, value in data.items()}
    if isinstance(data, list):
        return [money_texts(value) for value in data]
    return data


class StatementView(ReportView):
    """A financial statement: for readers of the statements (``finance.view_statements``).
    :meth:`report` answers the statement as ``apps.finance.statements`` computes it, every
    amount (rows, totals and the figures beside them) rendered as money with two decimals;
    :meth:`xlsx_rows` lays it out for the Excel file (the totals included)."""

    permissions = {"GET": (VIEW_STATEMENTS,)}

    def xlsx_rows(self, data: dict) -> list[dict]:
        rows = list(data["rows"])
        if data.get("totals") is not None and rows:
            rows.append({**data["totals"], self.totals_label: str(_("Total"))})
        return rows

    def get(self, request, *args, **kwargs):
        data = money_texts(self.report(self.params()))
        data["rows"] = self.get_serializer(data["rows"], many=True).data
        data["count"] = len(data["rows"])
        if request.accepted_renderer.format == "xlsx":
            return Response({"rows": self.xlsx_rows(data)})
        return Response(data)


class TrialBalanceRowSerializer(serializers.Serializer):
    account = serializers.CharField(label=_("Account code"))
    name = serializers.CharField(label=_("Account"))
    opening_debit = _money(_("Opening debit"))
    opening_credit = _money(_("Opening credit"))
    period_debit = _money(_("Period debit"))
    period_credit = _money(_("Period credit"))
    debit = _money(_("Closing debit"))
    credit = _money(_("Closing credit"))


@report_schema(
    report_forms.TrialBalanceForm,
    TrialBalanceRowSerializer,
    "TrialBalanceReport",
    extra={
        "date_from": serializers.DateField(allow_null=True),
        "date_to": serializers.DateField(),
        "total_debit": _money(_("Total debit")),
        "total_credit": _money(_("Total credit")),
        "balanced": serializers.BooleanField(),
    },
)
class TrialBalanceView(StatementView):
    """试算平衡表 / 科目余额表: every account with a balance or a movement, its balance at
    ``date_to`` (default today) in the ``debit`` or ``credit`` column and, with ``date_from``,
    the opening balance and the period's debits and credits (without it, opening is zero and
    the period is everything up to ``date_to``). ``balanced``: total debit = total credit."""

    form_class = report_forms.TrialBalanceForm
    serializer_class = TrialBalanceRowSerializer
    totals_label = "name"
    xlsx_filename = "trial-balance"

    def report(self, params):
        report = statements.trial_balance(date_to=params["date_to"], date_from=params["date_from"])
        report["balanced"] = report["total_debit"] == report["total_credit"]
        return report


class IncomeStatementRowSerializer(serializers.Serializer):
    key = serializers.CharField(label=_("Key"))
    label = serializers.CharField(label=_("Item"))
    amount = _money(_("Amount"))
    is_total = serializers.BooleanField(label=_("Subtotal"))


INCOME_FIGURES = [
    "revenue",
    "cost_of_sales",
    "taxes",
    "selling",
    "administrative",
    "finance",
    "investment",
    "other_operating",
    "operating_profit",
    "non_operating_income",
    "non_operating_expenses",
    "profit_before_tax",
    "income_tax",
    "net_profit",
]


@report_schema(
    report_forms.StatementPeriodForm,
    IncomeStatementRowSerializer,
    "IncomeStatementReport",
    extra={
        "date_from": serializers.DateField(),
        "date_to": serializers.DateField(),
        **{name: _money(name) for name in INCOME_FIGURES},
    },
)
class IncomeStatementView(StatementView):
    """利润表 from ``date_from`` (default the first day of ``date_to``'s month) to ``date_to``
    (default today): revenue, costs and expenses down to net profit, as rows (``is_total`` on
    operating profit, profit before tax and net profit) and as figures. ``totals`` holds the net
    profit; the Excel file's rows are the statement's lines, the last one the net profit."""

    form_class = report_forms.StatementPeriodForm
    serializer_class = IncomeStatementRowSerializer
    totals_label = "label"
    xlsx_filename = "income-statement"

    def report(self, params):
        report = statements.income_statement(date_from=params["date_from"], date_to=params["date_to"])
        report["totals"] = {"net_profit": report["net_profit"]}
        return report

    def xlsx_columns(self):
        return [Column("label", _("Item")), Column("amount", _("Amount"), numeric=True)]

    def xlsx_rows(self, data):
        return list(data["rows"])


class StatementLineSerializer(serializers.Serializer):
    account = serializers.CharField(label=_("Account code"))
    name = serializers.CharField(label=_("Account"))
    amount = _money(_("Amount"))


class BalanceSheetSerializer(serializers.Serializer):
    """Only the schema: the balance sheet's sections and totals."""

    date = serializers.DateField()
    assets = StatementLineSerializer(many=True)
    liabilities = StatementLineSerializer(many=True)
    equity = StatementLineSerializer(many=True)
    total_assets = _money(_("Total assets"))
    total_liabilities = _money(_("Total liabilities"))
    total_equity = _money(_("Total equity"))
    total_liabilities_and_equity = _money(_("Total liabilities and equity"))
    balanced = serializers.BooleanField()


@extend_schema(parameters=form_parameters(report_forms.BalanceSheetForm), responses=BalanceSheetSerializer)
class BalanceSheetView(StatementView):
    """资产负债表 at ``date`` (default today): assets, liabilities and equity (the profit not
    yet carried forward included) with their totals; ``balanced``: assets = liabilities +
    equity. The Excel file has the three sections one below the other, each with its total,
    then the total of liabilities and equity."""

    form_class = report_forms.BalanceSheetForm
    serializer_class = StatementLineSerializer
    xlsx_filename = "balance-sheet"

    def report(self, params):
        return statements.balance_sheet(date=params["date"])

    def get(self, request, *args, **kwargs):
        data = money_texts(self.report(self.params()))
        for section in ("assets", "liabilities", "equity"):
            data[section] = self.get_serializer(data[section], many=True).data
        if request.accepted_renderer.format == "xlsx":
            return Response({"rows": self.xlsx_rows(data)})
        return Response(data)

    def xlsx_rows(self, data):
        rows = []
        for section, title, total, total_label in (
            ("assets", _("Assets"), "total_assets", _("Total assets")),
            ("liabilities", _("Liabilities"), "total_liabilities", _("Total liabilities")),
            ("equity", _("Equity"), "total_equity", _("Total equity")),
        ):
            rows.append({"name": str(title)})
            rows.extend(data[section])
            rows.append({"name": str(total_label), "amount": data[total]})
        rows.append({"name": str(_("Total liabilities and equity")), "amount": data["total_liabilities_and_equity"]})
        return rows


class CashFlowRowSerializer(serializers.Serializer):
    key = serializers.CharField(label=_("Key"))
    label = serializers.CharField(label=_("Item"))
    inflow = _money(_("Inflow"))
    outflow = _money(_("Outflow"))
    net = _money(pgettext_lazy("cash flow: inflow minus outflow", "Net"))


class CashFlowAccountSerializer(serializers.Serializer):
    account = serializers.IntegerField(label=_("Cash account ID"))
    code = serializers.CharField(label=_("Code"))
    name = serializers.CharField(label=_("Cash account"))
    opening = _money(_("Opening balance"))
    inflow = _money(_("Inflow"))
    outflow = _money(_("Outflow"))
    closing = _money(_("Closing balance"))


@report_schema(
    report_forms.StatementPeriodForm,
    CashFlowRowSerializer,
    "CashFlowReport",
    extra={
        "date_from": serializers.DateField(),
        "date_to": serializers.DateField(),
        "opening": _money(_("Opening balance")),
        "inflow": _money(_("Inflow")),
        "outflow": _money(_("Outflow")),
        "net_change": _money(_("Net change")),
        "closing": _money(_("Closing balance")),
        "accounts": CashFlowAccountSerializer(many=True),
    },
)
class CashFlowView(StatementView):
    """现金流量 (simple) from ``date_from`` (default the first day of ``date_to``'s month) to
    ``date_to`` (default today), all cash and bank accounts together: the opening balance, money
    in and out by kind (other income and expenses by category), the closing balance, and the
    same per account (``accounts``). The Excel file: the opening balance, the rows, their
    totals and the closing balance."""

    form_class = report_forms.StatementPeriodForm
    serializer_class = CashFlowRowSerializer
    totals_label = "label"
    xlsx_filename = "cash-flow"

    def report(self, params):
        report = statements.cash_flow(date_from=params["date_from"], date_to=params["date_to"])
        report["totals"] = {"inflow": report["inflow"], "outflow": report["outflow"], "net": report["net_change"]}
        return report

    def xlsx_columns(self):
        return [
            Column("label", _("Item")),
            Column("inflow", _("Inflow"), numeric=True),
            Column("outflow", _("Outflow"), numeric=True),
            Column("net", pgettext_lazy("cash flow: inflow minus outflow", "Net"), numeric=True),
        ]

    def xlsx_rows(self, data):
        return [
            {"key": "opening", "label": str(_("Opening balance")), "net": data["opening"]},
            *data["rows"],
            {**data["totals"], "label": str(_("Total"))},
            {"key": "closing", "label": str(_("Closing balance")), "net": data["closing"]},
        ]
