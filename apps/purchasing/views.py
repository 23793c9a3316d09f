"""Pages of purchasing: what purchase orders, receipts and returns share. The pages are the
warehouse documents' pages (apps.inventory.document_views) with priced lines: a quantity, a
price and a VAT rate (typed as a percentage), net and VAT per line and running totals; a
receipt's or return's lines may point at the lines of the document it is against (the order
it receives, the receipt it sends back).

Every write is one call of apps.purchasing.services: a ValidationError lands next to its field
or line, a BusinessError (409) is shown as the service's sentence, a PermissionDenied is 403.
Order pages are in order_views.py, receipt and return pages in receipt_views.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import check_warehouse_scope
from apps.core.fields import line_amounts
from apps.core.pages import Column
from apps.inventory.document_forms import LineGrid
from apps.inventory.document_views import (
    DocumentDetail,
    DocumentEditor,
    DocumentGrid,
    DocumentKind,
    DocumentList,
    DocumentPrint,
    StatusColumn,
    _lines_as_data,
    _number,
    _selected_warehouse,
    grid_context,
)
from apps.inventory.templatetags.stock_documents import plain
from apps.suppliers.models import Supplier

ZERO = Decimal(0)


class PricedKind(DocumentKind):
    """A purchasing document type. ``source_field`` names the header field of the document it
    may be against (``purchase_order``), ``source_ref`` the line field pointing at that
    document's lines, whose ``qty`` and ``done_field`` (received, returned) give what is left."""

    stock_field = "warehouse"
    price_field = "unit_cost"
    percent_fields = ("tax_rate",)
    source_field: str | None = None
    source_ref: str | None = None
    source_price_field = "unit_cost"  # the price of the source document's lines
    done_field = ""
    source_labels: tuple = ()
    drop_empty = True  # lines left at 0 are not saved (a receiving screen lists every open line)
    line_fields = ("qty", "unit_cost", "tax_rate")
    optional_fields = line_fields

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.line_refs = (cls.source_ref,) if cls.source_ref else ()

    @classmethod
    def new_line(cls, product) -> dict[str, str]:
        return {cls.price_field: plain(product.purchase_price), "tax_rate": plain(product.tax_rate * 100)}

    @classmethod
    def line_model(cls):
        return cls.model.lines.field.model

    @classmethod
    def source_lines(cls, ids) -> dict:
        """The source document's lines of these ids."""
        if cls.source_ref is None:
            return {}
        model = cls.line_model()._meta.get_field(cls.source_ref).related_model
        return model.objects.select_related("product").in_bulk([pk for pk in ids if pk])

    @classmethod
    def left(cls, source_line) -> Decimal:
        return max(source_line.qty - getattr(source_line, cls.done_field), ZERO)

    @classmethod
    def service_lines(cls, grid: LineGrid) -> list[dict]:
        lines = super().service_lines(grid)
        sources = cls.source_lines(row.ref(cls.source_ref) for row in grid.rows) if cls.source_ref else {}
        result = []
        for row, line in zip(grid.rows, lines, strict=True):
            if cls.drop_empty and not line.get("qty"):
                continue
            if cls.source_ref and row.ref(cls.source_ref) in sources:
                line[cls.source_ref] = sources[row.ref(cls.source_ref)]
            result.append(line)
        return result

    @classmethod
    def stock_heads(cls, sourced: bool) -> list:
        if sourced:
            return [_("On hand"), *cls.source_labels]
        return [_("On hand"), _("Available")]

    @classmethod
    def stock_values(cls, row: dict, source_line) -> list:
        if source_line is not None:
            return [row["on_hand"], source_line.qty, getattr(source_line, cls.done_field), cls.left(source_line)]
        return [row["on_hand"], row["available"]]

    @classmethod
    def price_of(cls, row: dict, source_line) -> tuple[Decimal | None, Decimal | None]:
        """The unit price and VAT rate (a fraction) a line with nothing typed gets."""
        if source_line is not None:
            return getattr(source_line, cls.source_price_field), source_line.tax_rate
        product = row["product"]
        if product is None:
            return None, None
        return product.purchase_price, product.tax_rate


def priced_grid_context(kind: type[PricedKind], grid: LineGrid, warehouse_id, *, sourced=False, **kwargs) -> dict:
    """The editor's grid (apps.inventory.document_views.grid_context) with prices: per line the
    price and rate in force (typed, else the source line's or the product's), net and VAT as
    the service will compute them, the source line's figures; net, VAT and total below."""
    context = grid_context(kind, grid, warehouse_id, **kwargs)
    sources = kind.source_lines(row.ref(kind.source_ref) for row in grid.rows) if kind.source_ref else {}
    qty_total = net_total = tax_total = ZERO
    for row, line in zip(grid.rows, context["grid_rows"], strict=True):
        source = sources.get(row.ref(kind.source_ref)) if kind.source_ref else None
        default_price, default_rate = kind.price_of(line, source)
        price, rate = default_price, default_rate
        typed_price, typed_rate = _number(row.raw.get(kind.price_field)), _number(row.raw.get("tax_rate"))
        if source is None:
            price = typed_price if typed_price is not None else price
            rate = typed_rate / 100 if typed_rate is not None else rate
        qty = _number(row.raw.get("qty"))
        net = tax = None
        if qty is not None and price is not None and rate is not None:
            net, tax = line_amounts(qty, price, rate)
            qty_total, net_total, tax_total = qty_total + qty, net_total + net, tax_total + tax
        line.update(
            {
                "source": source,
                "ref": row.raw.get(kind.source_ref, "") if kind.source_ref else None,
                "price_raw": row.raw.get(kind.price_field, ""),
                "default_price": default_price,
                "default_rate": default_rate * 100 if default_rate is not None else None,
                "price": price,
                "rate": rate,
                "net": net,
                "tax": tax,
                "estimated": source is None and typed_price is None,
                "stock_values": kind.stock_values(line, source),
                "over": source is not None and qty is not None and qty > kind.left(source),
                "complete": source is not None and qty is not None and qty == kind.left(source) > 0,
            }
        )
    context.update(
        {
            "sourced": sourced,
            "price_field": kind.price_field,
            "source_ref": kind.source_ref,
            "stock_heads": kind.stock_heads(sourced),
            "totals": {
                "lines": len(grid.rows),
                "qty": qty_total,
                "net": net_total,
                "tax": tax_total,
                "total": net_total + tax_total,
            },
        }
    )
    return context


# --- Pages ------------------------------------------------------------------------------------


class PurchaseList(DocumentList):
    """A purchasing document list: status, supplier, warehouse and date filters, a search, the
    totals of everything the filters select."""

    filter_fields = ("search", "status", "supplier", "warehouse", "date_from", "date_to")
    search_placeholder = gettext_lazy("Number, supplier or note")

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        supplier = form.fields["supplier"]
        supplier.queryset = Supplier.objects.order_by("code")
        supplier.widget.choices = supplier.choices

    def totals(self, queryset):
        return queryset.aggregate(total_net=Sum("total_net"), total=Sum("total"))


def document_columns(*middle: Column) -> tuple[Column, ...]:
    """A purchasing list's columns: number, date, supplier, warehouse, ``middle``, status,
    lines, net total, total, created by."""
    return (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("supplier"),
        Column("warehouse"),
        *middle,
        StatusColumn("status", order=True),
        Column("line_count", gettext_lazy("lines"), kind="number"),
        Column("total_net"),
        Column("total", order=True),
        Column("created_by", value=lambda d: d.created_by.display_name),
    )


class PurchaseEditor(DocumentEditor):
    """A purchasing document's editor. ``source`` is the document it is against (None for an
    order, or a receipt or return without one); its lines are listed at 0 to be filled in."""

    template_name = "purchasing/editor.html"
    grid_template = "purchasing/_grid.html"
    source = None
    source_url_name = ""  # the source document's detail page

    def source_queryset(self):
        """The documents a new one may be against (read scope); None when there are none."""
        return None

    def source_refusal(self, source) -> str:
        """Why a new document cannot be against ``source`` (e.g. the order is not open), or ""."""
        return ""

    def source_refused_url(self, source) -> str:
        return self.url("create")

    def take_source(self, data) -> HttpResponse | None:
        """Find the document this one is against (a draft's own, else the one named in
        ``data``): 404 outside the user's reading, 403 outside the warehouses they operate; a
        redirect with the reason when it cannot be used."""
        if self.object is not None:
            self.source = getattr(self.object, self.kind.source_field) if self.kind.source_field else None
            return None
        pk = data.get(self.kind.source_field or "", "")
        queryset = self.source_queryset()
        if queryset is None or not pk.isdigit():
            return None
        self.source = get_object_or_404(queryset, pk=int(pk))
        self.check_source_scope(self.source)
        refusal = self.source_refusal(self.source)
        if refusal:
            messages.error(self.request, refusal)
            return HttpResponseRedirect(self.source_refused_url(self.source))
        return None

    def check_source_scope(self, source) -> None:
        """403 unless the user may work against ``source``: by default, operate its warehouse."""
        check_warehouse_scope(self.request.user, source.warehouse)

    def get(self, request, *args, **kwargs):
        return self.take_source(request.GET) or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.take_source(request.POST) or super().post(request, *args, **kwargs)

    def form(self, data=None):
        initial = {} if self.object else {"date": timezone.localdate()}
        return self.kind.form_class(
            data=data, instance=self.object, initial=initial, user=self.request.user, source=self.source
        )

    def initial_grid(self) -> LineGrid:
        """The draft's lines, then the source's lines it does not have yet, at 0."""
        lines = list(self.object.lines.order_by("line_no", "id")) if self.object else []
        if self.source is not None:
            line_model = self.kind.line_model()
            taken = {getattr(line, f"{self.kind.source_ref}_id") for line in lines}
            lines += [
                line_model(
                    product_id=source_line.product_id,
                    qty=ZERO,
                    tax_rate=None,
                    **{self.kind.price_field: None, f"{self.kind.source_ref}_id": source_line.pk},
                )
                for source_line in self.source.lines.order_by("line_no", "id")
                if source_line.pk not in taken and self.kind.left(source_line) > 0
            ]
        return self.kind.line_grid(_lines_as_data(self.object, self.kind, lines))

    def save(self, form, grid: LineGrid):
        lines = self.kind.service_lines(grid)
        if self.kind.drop_empty and not lines:
            raise ValidationError({"lines": [_("Enter a quantity on at least one line.")]})
        data = {**form.cleaned_data, "lines": lines}
        if self.object is not None:
            return self.kind.update_service(user=self.request.user, **{self.kind.instance_kwarg: self.object}, **data)
        if self.kind.source_field:
            data[self.kind.source_field] = self.source
        return self.kind.create_service(user=self.request.user, **data)

    def grid_context(self, form, grid: LineGrid, **kwargs) -> dict:
        warehouse_id = self.source.warehouse_id if self.source else _selected_warehouse(form, "warehouse")
        return priced_grid_context(self.kind, grid, warehouse_id, sourced=self.source is not None, **kwargs)

    def editor_context(self, document) -> dict:
        source_url = None
        if self.source is not None:
            source_url = reverse(self.source_url_name, args=[self.source.pk])
        return {
            **super().editor_context(document),
            "source": self.source,
            "source_field": self.kind.source_field,
            "source_url": source_url,
        }


class PurchaseGrid(DocumentGrid):
    """htmx: the priced grid again. Against a source document only its products may be
    scanned (+1 on their line)."""

    grid_template = "purchasing/_grid.html"
    source = None

    def source_queryset(self):
        return None

    def post(self, request, *args, **kwargs):
        pk = request.POST.get(self.kind.source_field or "", "")
        queryset = self.source_queryset()
        if pk.isdigit() and queryset is not None:
            self.source = queryset.filter(pk=int(pk)).first()
        return super().post(request, *args, **kwargs)

    def add(self, grid: LineGrid, product):
        if self.source is not None and not any(row.product and row.product.pk == product.pk for row in grid.rows):
            message = _("%(sku)s %(name)s is not on %(number)s: only its products can be scanned here.")
            return None, message % {"sku": product.sku, "name": product.name, "number": self.source.number}
        return super().add(grid, product)

    def context(self, grid: LineGrid, **kwargs) -> dict:
        if self.source is not None:
            warehouse_id = self.source.warehouse_id
        else:
            warehouse = self.request.POST.get("warehouse", "")
            warehouse_id = int(warehouse) if warehouse.isdigit() else None
        context = priced_grid_context(self.kind, grid, warehouse_id, sourced=self.source is not None, **kwargs)
        return {**context, "grid_url": self.url("grid")}


class PurchaseDetail(DocumentDetail):
    """A read-only purchasing document: the lines with their amounts, the documents it is
    linked to, the actions its status and the user's permissions allow, who did what when."""

    template_name = "purchasing/detail.html"

    def actions(self, document) -> list[dict]:
        return []

    def linked(self, document) -> list[dict]:
        """Linked documents as {title, rows: [{url, number, status, label, date, total}]}."""
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        context.update(
            {
                "kind": self.kind.__name__.removesuffix("Kind").lower(),
                "actions": self.actions(document),
                "linked": self.linked(document),
                "payable": self.payable(document),
                "totals": document_totals(document, context["rows"]),
            }
        )
        return context

    def payable(self, document) -> dict | None:
        """The payable (or debit note) a posted document wrote, for those who read payables."""
        if self.kind.source_type is None or not self.request.user.has_perm("finance.view_payable"):
            return None
        from apps.finance.models import Payable

        item = Payable.objects.filter(source_type=self.kind.source_type, source_id=document.pk).first()
        if item is None:
            return None
        try:
            url = f"{reverse('finance:payable-list')}?supplier={item.supplier_id}"
        except NoReverseMatch:
            url = None
        return {"item": item, "url": url}


def document_totals(document, rows: list[dict]) -> dict:
    return {
        "qty": sum((row["line"].qty for row in rows), ZERO),
        "net": document.total_net,
        "tax": document.total_tax,
        "total": document.total,
    }


def linked_row(document, url_name: str, label: str = "") -> dict:
    return {
        "url": reverse(url_name, args=[document.pk]),
        "number": document.number,
        "status": document.status,
        "status_label": document.get_status_display(),
        "label": label,
        "date": document.date,
        "total": document.total,
    }


def action(label, url, *, css="", confirm="", reason=False, method="post", note="") -> dict:
    """A button of the action bar: a POST form (``confirm``: ask once; ``reason``: an optional
    reason box) or, with ``method="get"``, a link."""
    return {
        "label": label,
        "url": url,
        "css": css,
        "confirm": confirm,
        "reason": reason,
        "method": method,
        "note": note,
    }


def posting_actions(page, document, *, reverse_confirm: str) -> list[dict]:
    """Post / cancel buttons of a receipt or return for those who may post it;
    ``reverse_confirm`` is the question before cancelling a posted one."""
    if not page.request.user.has_perm(page.kind.post_permission()):
        return []
    if document.status == "draft":
        return [
            action(
                _("Post"),
                page.url("post", document.pk),
                css="btn-primary",
                confirm=_("Post this document? Stock changes at once; only a cancellation (reversal) undoes it."),
            ),
            action(
                _("Cancel document"),
                page.url("cancel", document.pk),
                css="btn-danger",
                confirm=_("Cancel this draft? It cannot be edited or posted afterwards."),
            ),
        ]
    if document.status == "posted":
        return [
            action(
                _("Cancel (reverse)"),
                page.url("cancel", document.pk),
                css="btn-danger",
                confirm=reverse_confirm,
            )
        ]
    return []


class PurchasePrint(DocumentPrint):
    """A4: company header, number and barcode, supplier, lines with prices, net / VAT / total,
    signature lines."""

    template_name = "purchasing/print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = document_totals(self.object, context["rows"])
        context["kind"] = self.kind.__name__.removesuffix("Kind").lower()
        return context
