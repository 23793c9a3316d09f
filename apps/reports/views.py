"""Report pages: the purchase plan (采购计划), the purchasing reports (purchases, open order
lines, supplier performance) and AP ageing (应付账龄).

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
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.accounts.selectors import readable_warehouses
from apps.core.errors import BusinessError
from apps.core.formatting import format_money, format_percent, format_quantity
from apps.finance.reports import ap_aging
from apps.inventory.models import Product
from apps.inventory.stock_views import format_cost
from apps.purchasing import reports as purchasing_reports
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.services import purchase_orders_from_plan
from apps.suppliers.models import Supplier

from . import forms as report_forms
from .api import ADD_ORDERS, VIEW_ORDERS, VIEW_PAYABLES, VIEW_RECEIPTS

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
    reports, tabs between them."""

    template_name = "reports/report.html"
    permissions: tuple[str, ...] = ()
    form_class: type[report_forms.ReportForm]
    api_url_name = ""
    title = ""
    filter_fields: tuple[str, ...] = ()
    totals_label_key = ""
    tabs: tuple[tuple[Any, str, tuple[str, ...]], ...] = ()

    def has_permission(self) -> bool:
        user = self.request.user
        return user.is_authenticated and any(user.has_perm(name) for name in self.permissions)

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
            for label, name, perms in self.tabs
            if any(user.has_perm(p) for p in perms)
        ]

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
                "rows": self.build_rows(columns, report["rows"]),
                "totals_row": self.totals_cells(columns, report.get("totals")),
                "excel_url": self.excel_url(),
            }
        )
        return context


def supplier_link(user, key: str = "supplier") -> Callable[[dict], str | None]:
    allowed = user.has_perm("suppliers.view_supplier")

    def link(row: dict) -> str | None:
        return reverse("suppliers:supplier-detail", args=[row[key]]) if allowed and row.get(key) else None

    return link


def product_link(user, key: str = "product") -> Callable[[dict], str | None]:
    allowed = user.has_perm("inventory.view_product")

    def link(row: dict) -> str | None:
        return reverse("inventory:product-detail", args=[row[key]]) if allowed and row.get(key) else None

    return link


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


class PurchasesReport(ReportPage):
    """采购汇总: posted receipts minus posted returns by supplier, product or month, with a
    totals row and, by month, a chart."""

    template_name = "reports/purchases.html"
    permissions = (VIEW_RECEIPTS, VIEW_ORDERS)
    form_class = report_forms.PurchasesForm
    api_url_name = "report-purchases"
    title = gettext_lazy("Purchase reports")
    filter_fields = ("date_from", "date_to", "warehouse", "supplier")
    totals_label_key = "label"
    tabs = PURCHASING_TABS

    def get_form(self):
        data = self.request.GET.copy()
        if "date_from" not in data:
            # The page opens on this year (the API's default is from the first document).
            data["date_from"] = report_forms.first_of_year().isoformat()
        return self.form_class(data, user=self.request.user)

    def report(self, params):
        return purchasing_reports.purchases_report(
            user=self.request.user,
            date_from=params["date_from"],
            date_to=params["date_to"],
            group_by=params["group_by"],
            warehouse=params["warehouse"],
            supplier=params["supplier"],
        )

    def columns(self, params):
        user = self.request.user
        group_by = params["group_by"]
        label, link = {
            "supplier": (_("Supplier"), supplier_link(user, "key")),
            "product": (_("Product"), product_link(user, "key")),
            "month": (_("Month"), None),
        }[group_by]
        return [
            ReportColumn("label", label, link=link),
            ReportColumn("qty", _("Quantity"), "quantity"),
            ReportColumn("net_amount", _("Net amount"), "money"),
            ReportColumn("tax_amount", _("VAT"), "money"),
            ReportColumn("amount", _("Amount"), "money"),
            ReportColumn("receipts", _("Receipts"), "number"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = context.get("params")
        group_by = params["group_by"] if params else "supplier"
        context["group_by"] = group_by
        context["group_links"] = [
            {"value": value, "label": label, "active": value == group_by}
            for value, label in report_forms.GROUP_BY_CHOICES
        ]
        if params and group_by == "month" and context["rows"]:
            rows = context["report"]["rows"]
            context["chart"] = {
                "labels": [row["key"] for row in rows],
                "datasets": [
                    {"label": _("Net amount"), "data": [str(row["net_amount"]) for row in rows]},
                    {"label": _("VAT"), "data": [str(row["tax_amount"]) for row in rows]},
                ],
                "currency": _currency(),
            }
        return context


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


class APAgingReport(ReportPage):
    """应付账龄: what each supplier is owed at a date, by days past due; the supplier links to
    its payables (when the payables list exists)."""

    permissions = (VIEW_PAYABLES,)
    form_class = report_forms.AgingForm
    api_url_name = "report-ap-aging"
    title = gettext_lazy("AP ageing")
    filter_fields = ("date", "supplier")
    totals_label_key = "code"

    def report(self, params):
        return ap_aging(date=params["date"], supplier=params["supplier"])

    def columns(self, params):
        payables = url_exists("finance:payable-list")

        def link(row):
            if payables:
                return optional_url("finance:payable-list", query={"supplier": row["supplier"]})
            return supplier_link(self.request.user)(row)

        return [
            ReportColumn("code", _("Code"), link=link, css_class="nowrap"),
            ReportColumn("name", _("Supplier"), link=link, css_class="name"),
            ReportColumn("current", _("Not yet due"), "money"),
            ReportColumn("d1_30", _("1–30 days"), "money"),
            ReportColumn("d31_60", _("31–60 days"), "money"),
            ReportColumn("d61_90", _("61–90 days"), "money"),
            ReportColumn("over_90", _("Over 90 days"), "money"),
            ReportColumn("total", _("Total"), "money"),
        ]


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
