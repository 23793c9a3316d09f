"""Stock pages: the stock balances list (库存余额) and the stock card of one product (库存台账).

Both read through apps/inventory/selectors.py, scoped to the warehouses the user reads; the
Excel buttons download the same rows from the API (``?format=xlsx``).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.accounts.selectors import readable_warehouses
from apps.core.api import VIEW_COST
from apps.core.fields import COST_PLACES
from apps.core.pages import Column, ListPage, ObjectPage, perm
from apps.core.widgets import DateInput

from . import selectors
from .filters import StockBalanceFilter
from .models import Product, StockBalance, StockLedgerEntry

CARD_PAGE_SIZE = 100
DATE_INPUT = DateInput()
MATCHES_SHOWN = 20


def format_cost(value) -> str:
    """A unit cost as money with the decimals it has, 2 to 6: ¥3.50, ¥3.333333, ¥1,200.00."""
    if value is None:
        return ""
    exponent = Decimal(value).quantize(COST_PLACES).normalize().as_tuple().exponent
    decimals = min(6, max(2, -exponent))
    number = Decimal(value).quantize(Decimal(1).scaleb(-decimals))
    sign = "-" if number < 0 else ""
    return f"{sign}{settings.JXC_CURRENCY_SYMBOL}{abs(number):,.{decimals}f}"


def stock_card_url(product_id: int, warehouse_id: int | None = None) -> str:
    params = {"product": product_id}
    if warehouse_id is not None:
        params["warehouse"] = warehouse_id
    return f"{reverse('inventory:stock-card')}?{urlencode(params)}"


class StockBalancePage:
    model = StockBalance
    url_base = "inventory:stock-balance"

    def get_queryset(self):
        return selectors.stock_balances(user=self.request.user)


class StockBalanceList(StockBalancePage, ListPage):
    """On hand, available, reserved, ordered, value and average cost per product × warehouse,
    with a totals row over everything the filters select. A row links to its stock card for
    those who may read the ledger; quantities below the safety stock are marked."""

    filterset_class = StockBalanceFilter
    filter_fields = ("search", "warehouse", "category", "low_stock", "in_stock")
    api_url_name = "stock-balance-list"
    search_placeholder = gettext_lazy("SKU, name, barcode or pinyin")
    columns = (
        Column("product__sku", gettext_lazy("SKU"), link=True, order=True),
        Column("product__name", gettext_lazy("product"), link=True, order=True),
        Column("product__unit__name", gettext_lazy("unit")),
        Column("warehouse__code", gettext_lazy("warehouse"), order=True),
        Column("location", order=True),
        Column("qty", order=True),
        Column("available_qty", gettext_lazy("available"), kind="quantity", order="available"),
        Column("reserved_qty", order=True),
        Column("ordered_qty", order=True),
        Column("product__safety_stock", gettext_lazy("safety stock"), order=True),
        Column("value", order=True, permission=VIEW_COST),
        Column(
            "avg_cost",
            gettext_lazy("average cost"),
            kind="number",
            order="average_cost",
            value=lambda balance: format_cost(balance.avg_cost),
            permission=VIEW_COST,
        ),
    )

    def totals(self, queryset):
        totals = selectors.balance_totals(queryset)
        return {
            "qty": totals["qty"],
            "available_qty": totals["available_qty"],
            "reserved_qty": totals["reserved_qty"],
            "ordered_qty": totals["ordered_qty"],
            "value": totals["value"],
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        links = self.request.user.has_perm(perm(StockLedgerEntry, "view"))
        names = [column.name for column in self.columns]
        qty_cell = names.index("qty")
        for row in context["rows"]:
            balance = row["obj"]
            if not links:
                row["url"] = None
                for cell in row["cells"]:
                    cell["url"] = None
            if balance.qty < balance.product.safety_stock:
                row["cells"][qty_cell]["css"] += " low"
                row["cells"][qty_cell]["title"] = _("Below safety stock")
        return context


class StockBalanceDetail(StockBalancePage, ObjectPage):
    """A balance row's own address: its stock card (404 outside the user's warehouses)."""

    def get_permission_required(self):
        return [perm(StockLedgerEntry, "view")]

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(stock_card_url(self.object.product_id, self.object.warehouse_id))


class StockCardForm(forms.Form):
    """Which card: a product (by id, or found by SKU, barcode, name or pinyin), one of the
    user's warehouses, and an optional period (business dates)."""

    q = forms.CharField(label=gettext_lazy("Product"), required=False, max_length=100)
    product = forms.ModelChoiceField(queryset=Product.objects.all(), required=False, widget=forms.HiddenInput)
    warehouse = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Warehouse"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = readable_warehouses(user)
        self.fields["warehouse"].empty_label = None
        q = self.fields["q"].widget
        q.input_type = "search"
        q.attrs.update(
            {
                "placeholder": _("SKU, barcode, name or pinyin"),
                "autocomplete": "off",
                "data-jxc-search": "",
                "autofocus": True,
            }
        )
        self.fields["warehouse"].widget.attrs["data-autosubmit"] = ""


def find_products(text: str):
    """Products whose SKU or barcode is ``text``, else whose SKU, name or pinyin contain it."""
    text = text.strip()
    exact = list(Product.objects.filter(Q(sku__iexact=text) | Q(barcode=text))[:2])
    if len(exact) == 1:
        return exact
    condition = Q()
    for word in text.split()[:5]:
        condition &= Q(sku__icontains=word) | Q(name__icontains=word) | Q(name_pinyin__icontains=word)
    return list(Product.objects.filter(condition).select_related("unit").order_by("sku")[: MATCHES_SHOWN + 1])


class StockCard(PermissionRequiredMixin, TemplateView):
    """库存台账: every entry of one product in one warehouse in posting order, each with its
    running balance, unit cost, value and source document (linked when the document has a
    page); an opening row before ``date_from``, period totals and the closing balance. Shows
    the latest page unless another is asked for."""

    template_name = "inventory/stock_card.html"

    def get_permission_required(self):
        return [perm(StockLedgerEntry, "view")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = StockCardForm(self.request.GET or None, user=user)
        context.update({"title": _("Stock card"), "form": form, "matches": None, "card": None})
        if not form.is_bound or not form.is_valid():
            return context
        data = form.cleaned_data
        # A typed or scanned product wins over the one shown so far (the hidden field).
        product, matches = data["product"], None
        if data["q"]:
            product, matches = None, find_products(data["q"])
            if len(matches) == 1:
                product, matches = matches[0], None
        if product is None:
            context["matches"] = [
                {"product": p, "url": stock_card_url(p.pk, data["warehouse"].pk if data["warehouse"] else None)}
                for p in (matches or [])[:MATCHES_SHOWN]
            ]
            context["more_matches"] = matches is not None and len(matches) > MATCHES_SHOWN
            return context
        context["card"] = self.card(product, data)
        return context

    def card(self, product: Product, data) -> dict:
        user = self.request.user
        balances = list(selectors.stock_balances(user=user).filter(product=product).order_by("warehouse__code"))
        warehouse = data["warehouse"]
        if warehouse is None:
            # the first of the user's warehouses that holds this product, else the first one
            warehouse = balances[0].warehouse if balances else form_first_warehouse(user)
        if warehouse is None:
            return {"product": product, "warehouse": None}
        entries, summary = selectors.stock_card(
            user=user, product=product, warehouse=warehouse, date_from=data["date_from"], date_to=data["date_to"]
        )
        paginator = Paginator(entries, CARD_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page") or paginator.num_pages)
        rows = []
        for entry in page.object_list:
            rows.append(
                {
                    "entry": entry,
                    "in_qty": entry.qty if entry.qty > 0 else None,
                    "out_qty": -entry.qty if entry.qty < 0 else None,
                    "unit_cost": format_cost(entry.unit_cost),
                    "source_url": selectors.source_url(entry.source_type, entry.source_id),
                    "source_label": selectors.source_label(entry.source_type, entry.qty),
                }
            )
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("q", None)
        query["product"], query["warehouse"] = product.pk, warehouse.pk
        excel = query.copy()
        excel.pop("product", None)
        excel.pop("warehouse", None)
        excel.update({"product": product.pk, "warehouse": warehouse.pk, "format": "xlsx"})
        return {
            "product": product,
            "warehouse": warehouse,
            "balances": [
                {
                    "balance": balance,
                    "url": stock_card_url(product.pk, balance.warehouse_id),
                    "current": balance.warehouse_id == warehouse.pk,
                }
                for balance in balances
            ],
            "rows": rows,
            "page_obj": page,
            "summary": summary,
            "first_page": page.number == 1,
            "last_page": not page.has_next(),
            "has_period": bool(data["date_from"] or data["date_to"]),
            "date_from": data["date_from"],
            "excel_url": f"{reverse('stock-ledger-list')}?{excel.urlencode()}",
            "balances_url": f"{reverse('inventory:stock-balance-list')}?{urlencode({'search': product.sku})}",
        }


def form_first_warehouse(user):
    return readable_warehouses(user).order_by("code").first()
