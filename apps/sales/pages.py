"""What the sales pages share (quotations and orders in order_views.py, deliveries and returns
in delivery_views.py): they are purchasing's priced document pages (apps.purchasing.views:
the line grid with a scan box, prices, VAT and running totals; the read-only detail; the
print view) with a customer instead of a supplier and the product's sale price as the price a
scanned line gets.

Every write is one call of apps.sales.services: a ValidationError lands next to its field or
line, a BusinessError (409) is shown as the service's sentence, a PermissionDenied is 403.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import readable_warehouses
from apps.core.formatting import format_quantity
from apps.core.pages import Column
from apps.customers.selectors import customers_for
from apps.inventory.document_views import StatusColumn, _number, _selected_warehouse, document_urls
from apps.inventory.models import StockBalance
from apps.inventory.templatetags.stock_documents import plain
from apps.purchasing.views import PricedKind, PurchaseEditor, PurchaseGrid, PurchaseList

ZERO = Decimal(0)


class SalesKind(PricedKind):
    """A sales document type: priced lines (quantity, unit price, VAT rate as a percentage); a
    line scanned in gets the product's sale price and VAT rate; beside each line the stock of
    the document's warehouse: on hand, reserved (for confirmed orders), available."""

    price_field = "unit_price"
    source_price_field = "unit_price"
    line_fields = ("qty", "unit_price", "tax_rate")
    optional_fields = ("unit_price", "tax_rate")

    @classmethod
    def new_line(cls, product) -> dict[str, str]:
        return {"unit_price": plain(product.sale_price), "tax_rate": plain(product.tax_rate * 100)}

    @classmethod
    def price_of(cls, row: dict, source_line) -> tuple[Decimal | None, Decimal | None]:
        product = row["product"]
        if source_line is not None or product is None:
            return super().price_of(row, source_line)
        return product.sale_price, product.tax_rate

    @classmethod
    def stock_heads(cls, sourced: bool) -> list:
        if sourced:
            return super().stock_heads(sourced)
        return [_("On hand"), _("Reserved"), _("Available")]

    @classmethod
    def stock_values(cls, row: dict, source_line) -> list:
        if source_line is not None:
            return super().stock_values(row, source_line)
        return [row["on_hand"], row["on_hand"] - row["available"], row["available"]]


def add_stock_hints(context: dict, warehouse_id: int | None, user) -> dict:
    """Beside each line of a grid context: whether it asks for more than is available here
    (``row["short"]``), and what is available of its product in the other warehouses ``user``
    reads (``row["elsewhere"]``: [{"warehouse", "available"}], only those with some;
    ``row["elsewhere_total"]``, ``row["elsewhere_title"]``) — where else the goods could come from."""
    product_ids = {row["product"].pk for row in context["grid_rows"] if row["product"] is not None}
    found: dict[int, list[dict]] = defaultdict(list)
    if product_ids:
        balances = (
            StockBalance.objects.filter(product_id__in=product_ids, warehouse__in=readable_warehouses(user))
            .exclude(warehouse_id=warehouse_id)
            .select_related("warehouse")
            .order_by("warehouse__code")
        )
        for balance in balances:
            if balance.available_qty > 0:
                found[balance.product_id].append({"warehouse": balance.warehouse, "available": balance.available_qty})
    for row in context["grid_rows"]:
        places = found.get(row["product"].pk, []) if row["product"] is not None else []
        qty = _number(row["raw"].get("qty"))
        row["short"] = warehouse_id is not None and qty is not None and qty > row["available"]
        row["elsewhere"] = places
        row["elsewhere_total"] = sum((place["available"] for place in places), ZERO)
        row["elsewhere_title"] = " · ".join(
            f"{place['warehouse'].code} {place['warehouse'].name}: {format_quantity(place['available'])}"
            for place in places
        )
    return context


# --- Pages ------------------------------------------------------------------------------------


class SalesList(PurchaseList):
    """A sales document list: status, customer (those the user sees), warehouse and date
    filters, a search, the totals of everything the filters select."""

    filter_fields = ("search", "status", "customer", "warehouse", "date_from", "date_to")
    search_placeholder = gettext_lazy("Number, customer or note")

    def tune_filter_form(self, form):
        super(PurchaseList, self).tune_filter_form(form)
        customer = form.fields["customer"]
        customer.queryset = customers_for(self.request.user).order_by("code")
        customer.widget.choices = customer.choices


def sales_columns(*middle: Column) -> tuple[Column, ...]:
    """A sales list's columns: number, date, customer, warehouse, ``middle``, status, lines,
    net total, total, created by."""
    return (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("customer"),
        Column("warehouse"),
        *middle,
        StatusColumn("status", order=True),
        Column("line_count", gettext_lazy("lines"), kind="number"),
        Column("total_net"),
        Column("total", order=True),
        Column("created_by", value=lambda d: d.created_by.display_name),
    )


class SalesEditor(PurchaseEditor):
    """A sales document's editor: the priced grid with, beside each line, what is available
    of the product in the other warehouses."""

    def grid_context(self, form, grid, **kwargs) -> dict:
        context = super().grid_context(form, grid, **kwargs)
        warehouse_id = self.source.warehouse_id if self.source else _selected_warehouse(form, "warehouse")
        return add_stock_hints(context, warehouse_id, self.request.user)


class SalesGrid(PurchaseGrid):
    """htmx: the sales editor's grid again (after a scan, a pick, a removal, another warehouse)."""

    def context(self, grid, **kwargs) -> dict:
        context = super().context(grid, **kwargs)
        if self.source is not None:
            warehouse_id = self.source.warehouse_id
        else:
            warehouse = self.request.POST.get("warehouse", "")
            warehouse_id = int(warehouse) if warehouse.isdigit() else None
        return add_stock_hints(context, warehouse_id, self.request.user)


def linked_row(document, url_name: str, label: str = "") -> dict:
    """A row of a detail page's linked documents; without a page for them yet, no link."""
    try:
        url = reverse(url_name, args=[document.pk])
    except NoReverseMatch:
        url = None
    return {
        "url": url,
        "number": document.number,
        "status": document.status,
        "status_label": document.get_status_display(),
        "label": label,
        "date": document.date,
        "total": document.total,
    }


def sales_document_urls(prefix: str, name: str, kind, *views, actions: tuple[str, ...], extra=()) -> list:
    """apps.inventory.document_views.document_urls (``<name>-list``, ``-create``, ``-update``,
    ``-grid``, ``-detail``, ``-print``, one per action) plus the names the sales pages are
    linked by: ``<name>-new`` and ``<name>-edit`` (the same pages as -create and -update);
    ``extra`` are the kind's own paths (after the prefix)."""
    list_view, detail_view, editor_view, grid_view, print_view = views
    urls = document_urls(prefix, name, kind, list_view, detail_view, editor_view, grid_view, print_view, actions)
    return [
        *urls,
        path(f"{prefix}new/", editor_view.as_view(), name=f"{name}-new"),
        path(f"{prefix}<int:pk>/edit/", editor_view.as_view(), name=f"{name}-edit"),
        *(path(f"{prefix}{route}", view, name=f"{name}-{suffix}") for route, view, suffix in extra),
    ]
