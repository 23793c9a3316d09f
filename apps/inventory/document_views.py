"""Pages of the warehouse's documents: stock adjustments (其他出入库), transfers (调拨) and stock
counts (盘点) — lists, a keyboard-first editor with a scan box, read-only detail pages with the
ledger entries a document wrote, print views, and the count entry screen.

The pages only shape input and output: every write is one call of the same service the API
calls; a ValidationError lands next to its field, a BusinessError (409) is shown as the
service's sentence (with the numbers), a PermissionDenied is a 403 page.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.selectors import readable_warehouses
from apps.core.errors import BusinessError
from apps.core.fields import money
from apps.core.formatting import display_value
from apps.core.pages import Column, ListPage, ObjectPage, Page, add_service_errors, perm
from apps.core.widgets import DateInput
from apps.core.xlsx import XLSX_MEDIA_TYPE, write_workbook
from apps.core.xlsx import Column as XColumn

from . import code128, services
from . import document_selectors as selectors
from .document_filters import StockAdjustmentFilter, StockCountFilter, StockTransferFilter
from .document_forms import LineGrid, LineRow, StockAdjustmentForm, StockCountStartForm, StockTransferForm
from .forms import category_path
from .models import (
    Product,
    StockAdjustment,
    StockBalance,
    StockCount,
    StockDocumentStatus,
    StockTransfer,
)

DRAFT, POSTED, CANCELLED = StockDocumentStatus.DRAFT, StockDocumentStatus.POSTED, StockDocumentStatus.CANCELLED
COUNT_PAGE_SIZE = 100
MAX_CANDIDATES = 8


class StatusColumn(Column):
    """The status as a coloured badge (UI.md: draft grey, posted green, cancelled red)."""

    def bind(self, model):
        bound = super().bind(model)
        bound.__class__ = StatusColumn
        return bound

    def cell(self, obj):
        return {"badge": obj.status, "text": obj.get_status_display()}


# --- What differs between the three documents -------------------------------------------------


class DocumentKind:
    """One document type's pages: its model, URL names, selector, services and labels.

    Actions (``POST <pk>/<action>/``) call ``<action>_service`` and need ``action_permission``;
    the editor's main button saves the draft, then does ``finish_action``."""

    model: type
    url_base: str
    source_type: str | None
    selector = None
    instance_kwarg: str
    stock_field: str  # the header field whose warehouse's stock shows beside the lines
    line_fields: tuple[str, ...] = ()
    optional_fields: tuple[str, ...] = ()
    line_refs: tuple[str, ...] = ()  # hidden ids each editor row carries (LineGrid refs)
    percent_fields: tuple[str, ...] = ()  # line fields typed as percentages (13 for 0.13)
    reason_actions: tuple[str, ...] = ()  # actions that take an optional ``reason``
    header_fields: list[str] | None = None  # what the detail and print pages show on top
    finish_action = "post"
    done_messages = {
        "post": gettext_lazy("%(number)s was posted."),
        "cancel": gettext_lazy("%(number)s was cancelled."),
    }
    not_finished_message = gettext_lazy("%(number)s was saved as a draft but not posted: %(reason)s")

    @classmethod
    def post_permission(cls) -> str:
        return perm(cls.model, "post")

    @classmethod
    def action_permission(cls, action: str) -> str:
        return cls.post_permission()

    @classmethod
    def action_service(cls, action: str):
        return getattr(cls, f"{action}_service")

    @classmethod
    def action_kwargs(cls, action: str, data) -> dict:
        """What an action's service takes from the posted form besides the document and the
        user: a ``reason`` for the ``reason_actions``."""
        return {"reason": data.get("reason", "").strip()} if action in cls.reason_actions else {}

    @classmethod
    def refusal(cls, exc, document) -> str:
        """The sentence a page shows when a service refuses to act on ``document``: the
        BusinessError's (with its numbers) or the ValidationError's messages."""
        return exc.detail if isinstance(exc, BusinessError) else " ".join(exc.messages)

    @classmethod
    def warehouses_of(cls, document) -> list:
        return [getattr(document, cls.stock_field)]

    @classmethod
    def new_line(cls, product) -> dict[str, str]:
        """The raw inputs of a line the scan box adds (beyond its quantity of 1)."""
        return {}

    @classmethod
    def line_grid(cls, data) -> LineGrid:
        return LineGrid(data, fields=cls.line_fields, optional=cls.optional_fields, refs=cls.line_refs)

    @classmethod
    def service_lines(cls, grid: LineGrid) -> list[dict]:
        """The grid's rows as the service's ``lines`` (percentages as fractions)."""
        lines = grid.service_lines()
        for line in lines:
            for name in cls.percent_fields:
                if line.get(name) is not None:
                    line[name] = line[name] / 100
        return lines


class AdjustmentKind(DocumentKind):
    model = StockAdjustment
    url_base = "inventory:adjustment"
    source_type = selectors.SOURCE_ADJUSTMENT
    selector = staticmethod(selectors.stock_adjustments_for)
    instance_kwarg = "adjustment"
    stock_field = "warehouse"
    form_class = StockAdjustmentForm
    line_fields = ("qty", "unit_cost")
    optional_fields = ("unit_cost",)
    create_service = staticmethod(services.stock_adjustment_create)
    update_service = staticmethod(services.stock_adjustment_update)
    post_service = staticmethod(services.stock_adjustment_post)
    cancel_service = staticmethod(services.stock_adjustment_cancel)


class TransferKind(DocumentKind):
    model = StockTransfer
    url_base = "inventory:transfer"
    source_type = selectors.SOURCE_TRANSFER
    selector = staticmethod(selectors.stock_transfers_for)
    instance_kwarg = "transfer"
    stock_field = "from_warehouse"
    form_class = StockTransferForm
    line_fields = ("qty",)
    optional_fields = ()
    create_service = staticmethod(services.stock_transfer_create)
    update_service = staticmethod(services.stock_transfer_update)
    post_service = staticmethod(services.stock_transfer_post)
    cancel_service = staticmethod(services.stock_transfer_cancel)

    @classmethod
    def warehouses_of(cls, document) -> list:
        return [document.from_warehouse, document.to_warehouse]


class CountKind(DocumentKind):
    model = StockCount
    url_base = "inventory:count"
    source_type = selectors.SOURCE_COUNT
    selector = staticmethod(selectors.stock_counts_for)
    instance_kwarg = "count"
    stock_field = "warehouse"
    post_service = staticmethod(services.stock_count_post)
    cancel_service = staticmethod(services.stock_count_cancel)


class KindPage:
    """Mixin: the page's ``kind`` gives its model, URL base and scoped queryset."""

    kind: type[DocumentKind]

    def __init_subclass__(cls, **kwargs):
        kind = cls.__dict__.get("kind")
        if kind is not None:
            cls.model = kind.model
            cls.url_base = kind.url_base
        super().__init_subclass__(**kwargs)

    def get_queryset(self):
        return self.kind.selector(self.request.user)


def _header_rows(document, names: list[str] | None = None) -> list[dict]:
    """The header of a document as label/value pairs (for detail and print pages): ``names``
    (model fields; empty ones are left out), then who created it and its note."""
    model = type(document)
    if names is None:
        names = ["number", "date"]
        if isinstance(document, StockAdjustment):
            names += ["warehouse", "reason"]
        elif isinstance(document, StockTransfer):
            names += ["from_warehouse", "to_warehouse"]
        else:
            names += ["warehouse"]
    rows = []
    for name in names:
        field = model._meta.get_field(name)
        value = getattr(document, name)
        if value is not None and value != "":
            rows.append({"label": capfirst(str(field.verbose_name)), "value": display_value(field, value)})
    if isinstance(document, StockCount):
        rows.append({"label": capfirst(_("category")), "value": category_path(document.category) or _("All")})
        rows.append({"label": capfirst(_("locations")), "value": _location_range(document)})
    rows.append({"label": capfirst(_("created by")), "value": document.created_by.display_name})
    if document.note:
        rows.append({"label": capfirst(_("note")), "value": document.note})
    return rows


def _location_range(count: StockCount) -> str:
    if not (count.location_from or count.location_to):
        return _("All")
    return f"{count.location_from or '…'} – {count.location_to or '…'}"


def _timeline(document) -> list[dict]:
    """Who did what when: created, changed, posted, cancelled, any other status it moved to
    (from the document's history); back to draft is "sent back". A save by no one (a service
    noting a time before it moves the status) is not a step of its own."""
    records = document.history.select_related("history_user").order_by("history_date", "history_id")
    steps, previous = [], None
    labels = {DRAFT: _("Sent back"), POSTED: _("Posted"), CANCELLED: _("Cancelled")}
    for record in records:
        if record.history_type == "+":
            what = _("Created")
        elif previous is not None and record.status != previous.status:
            what = labels.get(record.status, record.get_status_display())
        elif record.history_user_id is None:
            previous = record
            continue
        else:
            what = _("Changed")
        steps.append({"when": record.history_date, "user": record.history_user, "what": what})
        previous = record
    return steps


# --- Lists ----------------------------------------------------------------------------------


class DocumentList(KindPage, ListPage):
    filter_fields = ("search", "status", "warehouse", "date_from", "date_to")
    search_placeholder = gettext_lazy("Number or note")

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name, label in (("date_from", _("From")), ("date_to", _("To"))):
            form.fields[name].label = label
            form.fields[name].widget = DateInput()
        warehouse = form.fields["warehouse"]
        warehouse.queryset = readable_warehouses(self.request.user).order_by("code")
        warehouse.widget.choices = warehouse.choices

    def get_queryset(self):
        return super().get_queryset().annotate(line_count=Count("lines"))


class AdjustmentList(DocumentList):
    kind = AdjustmentKind
    filterset_class = StockAdjustmentFilter
    filter_fields = ("search", "status", "warehouse", "reason", "date_from", "date_to")
    api_url_name = "stock-adjustment-list"
    columns = (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("warehouse"),
        Column("reason"),
        StatusColumn("status", order=True),
        Column("line_count", gettext_lazy("lines"), kind="number"),
        Column("note"),
        Column("created_by", value=lambda d: d.created_by.display_name),
    )


class TransferList(DocumentList):
    kind = TransferKind
    filterset_class = StockTransferFilter
    api_url_name = "stock-transfer-list"
    columns = (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("from_warehouse"),
        Column("to_warehouse"),
        StatusColumn("status", order=True),
        Column("line_count", gettext_lazy("lines"), kind="number"),
        Column("note"),
        Column("created_by", value=lambda d: d.created_by.display_name),
    )


class CountList(DocumentList):
    kind = CountKind
    filterset_class = StockCountFilter
    api_url_name = "stock-count-list"
    columns = (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("warehouse"),
        Column("category", value=lambda c: category_path(c.category)),
        Column("locations", gettext_lazy("locations"), value=_location_range),
        StatusColumn("status", order=True),
        Column("progress", gettext_lazy("counted"), value=lambda c: f"{c.counted_count} / {c.line_count}"),
        Column("created_by", value=lambda d: d.created_by.display_name),
    )

    def get_queryset(self):
        return super().get_queryset().annotate(counted_count=Count("lines", filter=Q(lines__counted_qty__isnull=False)))


# --- Detail, print, actions -------------------------------------------------------------------


class DocumentDetail(KindPage, ObjectPage):
    """A read-only document: header, status, lines, the ledger entries it wrote, who did what.
    A draft opens in its editor for those who may change it."""

    template_name = "inventory/documents/detail.html"

    def get(self, request, *args, **kwargs):
        if self.object.status == DRAFT and self.may("change") and self.kind is not CountKind:
            return HttpResponseRedirect(self.url("update", self.object.pk))
        return super().get(request, *args, **kwargs)

    def lines(self, document, entries) -> list[dict]:
        booked: dict[int, object] = {}
        for entry in entries:
            if entry.reversal_of_id is None and entry.source_line_id not in booked:
                booked[entry.source_line_id] = entry
        rows = []
        for line in document.lines.select_related("product__unit").order_by("line_no", "id"):
            entry = booked.get(line.pk)
            value = entry.value if entry is not None else None
            if value is not None and self.kind is TransferKind:
                value = -value  # the value moved (the entry out of the sending warehouse is negative)
            rows.append({"line": line, "product": line.product, "entry": entry, "value": value})
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        entries = list(selectors.document_entries(source_type=self.kind.source_type, source_id=document.pk))
        may_post = self.request.user.has_perm(self.kind.post_permission())
        cancellable = document.status == DRAFT or (document.status == POSTED and self.kind is not CountKind)
        context.update(
            {
                "kind": self.kind.__name__.removesuffix("Kind").lower(),
                "object": document,
                "title": f"{context['model_name']} {document.number}",
                "header_rows": _header_rows(document, self.kind.header_fields),
                "rows": self.lines(document, entries),
                "entries": entries,
                "timeline": _timeline(document),
                "print_url": self.url("print", document.pk),
                "post_url": self.url("post", document.pk) if may_post and document.status == DRAFT else None,
                "cancel_url": self.url("cancel", document.pk) if may_post and cancellable else None,
                "edit_url": self.url("update", document.pk)
                if document.status == DRAFT and self.may("change") and self.kind is not CountKind
                else None,
            }
        )
        return context


class AdjustmentDetail(DocumentDetail):
    kind = AdjustmentKind


class TransferDetail(DocumentDetail):
    kind = TransferKind


class DocumentPrint(DocumentDetail):
    """A4 print view: company header, number, lines, signature lines; no application chrome."""

    template_name = "inventory/documents/print.html"
    signatures: tuple = ()

    def get(self, request, *args, **kwargs):
        return super(DocumentDetail, self).get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(print_context(self, self.object, signatures=[str(label) for label in self.signatures]))
        rows = context["rows"]
        values = [row["entry"].value for row in rows if row["entry"] is not None]
        context["totals"] = {
            "qty": sum((row["line"].qty for row in rows), Decimal(0)),
            "value": sum((row["value"] for row in rows), Decimal(0)) if len(values) == len(rows) and rows else None,
        }
        return context


class AdjustmentPrint(DocumentPrint):
    kind = AdjustmentKind
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Warehouse keeper"), gettext_lazy("Approved by"))


class TransferPrint(DocumentPrint):
    kind = TransferKind
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Sent by"), gettext_lazy("Received by"))


def print_context(page, document, *, signatures: list[str]) -> dict:
    """What every print view shows around its lines."""
    return {
        "heading": capfirst(document._meta.verbose_name),
        "barcode_svg": code128.svg(document.number),
        "number_label": capfirst(str(type(document)._meta.get_field("number").verbose_name)),
        "signatures": signatures,
        "printed_at": timezone.now(),
        "back_url": page.url("detail", document.pk),
    }


@method_decorator(require_POST, name="dispatch")
class DocumentAction(KindPage, ObjectPage):
    """POST <pk>/post/ or <pk>/cancel/: one service call; the outcome as a message."""

    action = ""

    def get_permission_required(self):
        return [self.kind.action_permission(self.action)]

    def post(self, request, *args, **kwargs):
        service = self.kind.action_service(self.action)
        extra = self.kind.action_kwargs(self.action, request.POST)
        try:
            document = service(user=request.user, **{self.kind.instance_kwarg: self.object}, **extra)
        except (BusinessError, ValidationError) as exc:
            messages.error(request, self.kind.refusal(exc, self.object))
            document = self.object
        else:
            messages.success(request, self.kind.done_messages[self.action] % {"number": document.number})
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(self.url("detail", document.pk))


def action_view(kind: type[DocumentKind], action: str):
    return type(f"{kind.__name__}{action.title()}", (DocumentAction,), {"kind": kind, "action": action}).as_view()


# --- The editor (adjustments and transfers) ------------------------------------------------


class DocumentEditor(KindPage, Page):
    """New (``pk`` absent) or draft document: header form on top, the line grid with a scan
    box below, Save draft / Post / Cancel. Posting from the editor saves the draft first, then
    posts it; a refusal leaves the saved draft and shows the service's sentence."""

    template_name = "inventory/documents/editor.html"
    grid_template = "inventory/documents/_grid.html"

    def get_permission_required(self):
        return [perm(self.model, "change" if "pk" in self.kwargs else "add")]

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = None
        if "pk" in kwargs:
            self.object = ObjectPage.get_object(self)
            if self.object.status != DRAFT:
                return HttpResponseRedirect(self.url("detail", self.object.pk))
        return super(KindPage, self).dispatch(request, *args, **kwargs)

    def form(self, data=None):
        initial = {} if self.object else {"date": timezone.localdate()}
        return self.kind.form_class(data=data, instance=self.object, initial=initial, user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_editor(self.form(), self.initial_grid())

    def initial_grid(self) -> LineGrid:
        return self.kind.line_grid(_lines_as_data(self.object, self.kind))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        grid = self.kind.line_grid(request.POST)
        grid_errors: list[str] = []
        if form.is_valid() and grid.is_valid():
            try:
                document = self.save(form, grid)
            except ValidationError as exc:
                grid_errors = _split_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                return self.after_save(document)
        else:
            grid_errors = grid.errors
        return self.render_editor(form, grid, grid_errors=grid_errors, status=400)

    def save(self, form, grid: LineGrid):
        """One service call: the new draft, or the draft changed."""
        data = {**form.cleaned_data, "lines": self.kind.service_lines(grid)}
        if self.object is None:
            return self.kind.create_service(user=self.request.user, **data)
        return self.kind.update_service(user=self.request.user, **{self.kind.instance_kwarg: self.object}, **data)

    def after_save(self, document):
        request = self.request
        action = self.kind.finish_action
        if request.POST.get("_action") != action:
            messages.success(request, _("%(number)s was saved as a draft.") % {"number": document.number})
            return HttpResponseRedirect(self.url("update", document.pk))
        if not request.user.has_perm(self.kind.action_permission(action)):
            messages.error(request, _("You may save this draft but not post it."))
            return HttpResponseRedirect(self.url("update", document.pk))
        try:
            service = self.kind.action_service(action)
            extra = self.kind.action_kwargs(action, request.POST)
            document = service(user=request.user, **{self.kind.instance_kwarg: document}, **extra)
        except (BusinessError, ValidationError) as exc:
            reason = self.kind.refusal(exc, document)
            messages.error(request, self.kind.not_finished_message % {"number": document.number, "reason": reason})
            return HttpResponseRedirect(self.url("update", document.pk))
        messages.success(request, self.kind.done_messages[action] % {"number": document.number})
        return HttpResponseRedirect(self.url("detail", document.pk))

    def render_editor(self, form, grid, *, grid_errors=None, status=200):
        grid_url = self.url("grid")
        live = {
            "hx-post": grid_url,
            "hx-trigger": "change",
            "hx-target": "#lines",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
            "hx-sync": "closest form:queue all",  # a scan right after a change waits for its answer
        }
        if self.kind.stock_field in form.fields:
            form.fields[self.kind.stock_field].widget.attrs.update(live)
        document = self.object
        context = self.get_context_data(
            form=form,
            form_errors=form.non_field_errors(),
            document=document,
            title=(
                _("%(model)s %(number)s")
                % {"model": capfirst(self.model._meta.verbose_name), "number": document.number}
                if document
                else _("New %(model)s") % {"model": self.model._meta.verbose_name}
            ),
            grid_url=grid_url,
            grid_template=self.grid_template,
            print_url=self.url("print", document.pk) if document else None,
            back_url=self.url("list"),
            **self.editor_context(document),
            **self.grid_context(form, grid, errors=grid_errors),
        )
        return self.render_to_response(context, status=status)

    def editor_context(self, document) -> dict:
        """What the action bar needs."""
        return {
            "may_post": self.request.user.has_perm(self.kind.post_permission()),
            "cancel_url": self.url("cancel", document.pk) if document else None,
        }

    def grid_context(self, form, grid: LineGrid, **kwargs) -> dict:
        return grid_context(self.kind, grid, _selected_warehouse(form, self.kind.stock_field), **kwargs)


class AdjustmentCreate(DocumentEditor):
    kind = AdjustmentKind


class TransferCreate(DocumentEditor):
    kind = TransferKind


def _lines_as_data(document, kind, lines=None):
    """A saved document's lines (or ``lines``) in the shape the editor posts."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    if lines is None:
        lines = document.lines.order_by("line_no", "id") if document is not None else []
    for line in lines:
        data.appendlist("line-product", str(line.product_id))
        for name in kind.line_refs:
            data.appendlist(f"line-{name}", str(getattr(line, f"{name}_id") or ""))
        for name in kind.line_fields:
            value = getattr(line, name)
            if value is not None and name in kind.percent_fields:
                value *= 100
            data.appendlist(f"line-{name}", "" if value is None else f"{value.normalize():f}")
    return data


def _selected_warehouse(form, name) -> int | None:
    value = form.data.get(name) if form.is_bound else (form.initial.get(name) or getattr(form.instance, f"{name}_id"))
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _split_errors(form, exc: ValidationError) -> list[str]:
    """A service's ValidationError: line messages for the grid, the rest onto the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return []
    errors = dict(exc.error_dict)
    lines = [m for error in errors.pop("lines", []) for m in error.messages]
    if errors:
        add_service_errors(form, ValidationError(errors))
    return lines


def grid_context(kind, grid: LineGrid, warehouse_id, *, errors=None, message=None, candidates=(), added=None) -> dict:
    balances = selectors.balances_of(
        warehouse_id=warehouse_id, product_ids=[r.product.pk for r in grid.rows if r.product]
    )
    rows, qty_in, qty_out, value_in, value_out = [], Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    for index, row in enumerate(grid.rows):
        balance = balances.get(row.product.pk) if row.product else None
        default_cost = None
        if row.product is not None:
            default_cost = balance.avg_cost if balance is not None and balance.qty > 0 else row.product.purchase_price
        qty = _number(row.raw.get("qty"))
        cost = _number(row.raw.get("unit_cost")) if "unit_cost" in row.raw else None
        value = None
        if qty is not None:
            if qty > 0:
                qty_in += qty
                if cost is not None or default_cost is not None:
                    value = money(qty * (cost if cost is not None else default_cost))
                    value_in += value
            else:
                qty_out += -qty
                if default_cost is not None:  # goes out at the current cost: an estimate until posted
                    value = money(qty * default_cost)
                    value_out -= value
        rows.append(
            {
                "index": index,
                "product": row.product,
                "raw": row.raw,
                "errors": row.errors,
                "on_hand": balance.qty if balance else Decimal(0),
                "available": balance.available_qty if balance else Decimal(0),
                "ordered": balance.ordered_qty if balance else Decimal(0),
                "default_cost": default_cost,
                "value": value,
                "estimated": cost is None or (qty is not None and qty < 0),
                "added": added is not None and row is added,
            }
        )
    return {
        "kind": kind.__name__.removesuffix("Kind").lower(),
        "grid_rows": rows,
        "grid_errors": errors or [],
        "grid_message": message,
        "candidates": candidates,
        "totals": {
            "qty_in": qty_in,
            "qty_out": qty_out,
            "value_in": value_in,
            "value_out": value_out,
            "lines": len(rows),
        },
    }


def _number(text) -> Decimal | None:
    try:
        return Decimal(str(text).replace(",", "")) if text not in (None, "") else None
    except InvalidOperation:
        return None


def find_products(code: str) -> tuple[Product | None, list[Product]]:
    """What the scan box names: one product by barcode or SKU, else the products whose SKU,
    name, barcode or pinyin contain every typed word (the candidates to pick from)."""
    product = services.product_for_code(code)
    if product is not None or not code.strip():
        return product, []
    queryset = Product.objects.filter(is_active=True)
    for word in code.split()[:5]:
        queryset = queryset.filter(
            Q(sku__icontains=word)
            | Q(name__icontains=word)
            | Q(barcode__icontains=word)
            | Q(name_pinyin__icontains=word)
        )
    found = list(queryset.select_related("unit").order_by("sku")[: MAX_CANDIDATES + 1])
    if len(found) == 1:
        return found[0], []
    return None, found


class DocumentGrid(KindPage, Page):
    """htmx: the editor's line grid again after a scan, a pick, a removed line or another
    warehouse. Reads the whole form; writes nothing."""

    http_method_names = ["post"]
    grid_template = "inventory/documents/_grid.html"

    def get_permission_required(self):
        return [perm(self.model, "add")]

    def add(self, grid: LineGrid, product: Product) -> tuple[LineRow | None, str | None]:
        """One more of ``product`` on the grid: the row it went on, or a refusal."""
        return grid.add(product, **self.kind.new_line(product)), None

    def post(self, request, *args, **kwargs):
        grid = self.kind.line_grid(request.POST)
        message, candidates, added = None, [], None
        if request.POST.get("remove", "").isdigit():
            grid.remove(int(request.POST["remove"]))
        elif request.POST.get("pick", "").isdigit():
            product = Product.objects.filter(pk=int(request.POST["pick"])).select_related("unit").first()
            if product is not None:
                added, message = self.add(grid, product)
        elif request.POST.get("scan", "").strip():
            code = request.POST["scan"].strip()
            product, candidates = find_products(code)
            if product is not None:
                added, message = self.add(grid, product)
            elif candidates:
                message = _("Several products match “%(code)s”: pick one.") % {"code": code}
                if len(candidates) > MAX_CANDIDATES:
                    message = _(
                        "Many products match “%(code)s”; the first %(n)s are shown: type more to narrow it."
                    ) % {
                        "code": code,
                        "n": MAX_CANDIDATES,
                    }
                    candidates = candidates[:MAX_CANDIDATES]
            else:
                message = _("No product has the barcode or SKU “%(code)s”.") % {"code": code}
        return render(
            request, self.grid_template, self.context(grid, message=message, candidates=candidates, added=added)
        )

    def context(self, grid: LineGrid, **kwargs) -> dict:
        warehouse = self.request.POST.get(self.kind.stock_field, "")
        warehouse_id = int(warehouse) if warehouse.isdigit() else None
        return {**grid_context(self.kind, grid, warehouse_id, **kwargs), "grid_url": self.url("grid")}


class AdjustmentGrid(DocumentGrid):
    kind = AdjustmentKind


class TransferGrid(DocumentGrid):
    kind = TransferKind


# --- Stock counts -----------------------------------------------------------------------------


class CountStart(KindPage, Page):
    """Start a count: warehouse, optionally a category and a location range."""

    kind = CountKind
    verb = "add"
    template_name = "inventory/counts/start.html"

    def form(self, data=None):
        return StockCountStartForm(data=data, initial={"date": timezone.localdate()}, user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.form(), title=_("Start a stock count")))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                count = services.stock_count_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(number)s started with %(lines)s lines.")
                    % {"number": count.number, "lines": count.lines.count()},
                )
                return HttpResponseRedirect(self.url("detail", count.pk))
        context = self.get_context_data(form=form, title=_("Start a stock count"), form_errors=form.non_field_errors())
        return self.render_to_response(context, status=400)


def _count_lines(count: StockCount):
    """The count's lines with product, unit, counter and the product's location here."""
    location = StockBalance.objects.filter(product=OuterRef("product_id"), warehouse=count.warehouse_id).values(
        "location"
    )[:1]
    return (
        count.lines.select_related("product__unit", "counted_by")
        .annotate(location=Subquery(location))
        .order_by("line_no", "id")
    )


def count_summary(count: StockCount) -> dict:
    """Lines, counted, still to count, with a variance; gains and losses in quantity and, at
    the current average cost, in value (what posting would book, roughly)."""
    totals = count.lines.aggregate(
        lines=Count("id"),
        counted=Count("id", filter=Q(counted_qty__isnull=False)),
        varied=Count("id", filter=Q(counted_qty__isnull=False) & ~Q(counted_qty=F("system_qty"))),
    )
    balance = StockBalance.objects.filter(product=OuterRef("product_id"), warehouse=count.warehouse_id)
    varied = (
        count.lines.filter(counted_qty__isnull=False)
        .exclude(counted_qty=F("system_qty"))
        .annotate(bq=Subquery(balance.values("qty")[:1]), bv=Subquery(balance.values("value")[:1]))
        .values_list("counted_qty", "system_qty", "bq", "bv", "product__purchase_price")
    )
    gain_qty = loss_qty = gain_value = loss_value = Decimal(0)
    for counted, system, bq, bv, price in varied:
        variance = counted - system
        cost = bv / bq if bq and bq > 0 else price
        if variance > 0:
            gain_qty += variance
            gain_value += money(variance * cost)
        else:
            loss_qty -= variance
            loss_value -= money(variance * cost)
    return {
        **totals,
        "uncounted": totals["lines"] - totals["counted"],
        "gain_qty": gain_qty,
        "loss_qty": loss_qty,
        "gain_value": gain_value,
        "loss_value": loss_value,
    }


class CountDetail(KindPage, ObjectPage):
    """A draft count is the count entry screen (scan box, typed quantities, post); a posted or
    cancelled one is read-only with the entries its variances wrote."""

    kind = CountKind
    FILTERS = {
        "uncounted": Q(counted_qty__isnull=True),
        "counted": Q(counted_qty__isnull=False),
        "variance": Q(counted_qty__isnull=False) & ~Q(counted_qty=F("system_qty")),
    }

    def get_template_names(self):
        if self.object.status == DRAFT:
            return ["inventory/counts/count.html"]
        return ["inventory/documents/detail.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = self.object
        lines = _count_lines(count)
        show = self.request.GET.get("show", "")
        if show in self.FILTERS:
            lines = lines.filter(self.FILTERS[show])
        query = self.request.GET.get("q", "").strip()
        for word in query.split()[:5]:
            lines = lines.filter(
                Q(product__sku__icontains=word)
                | Q(product__name__icontains=word)
                | Q(product__barcode__icontains=word)
                | Q(product__name_pinyin__icontains=word)
            )
        page = Paginator(lines, COUNT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        may_post = self.request.user.has_perm(self.kind.post_permission())
        entries = list(selectors.document_entries(source_type=self.kind.source_type, source_id=count.pk))
        booked = {entry.source_line_id: entry for entry in entries if entry.reversal_of_id is None}
        context.update(
            {
                "kind": "count",
                "object": count,
                "title": f"{context['model_name']} {count.number}",
                "header_rows": _header_rows(count),
                "page_obj": page,
                "lines": page.object_list,
                "show": show,
                "q": query,
                "show_choices": [
                    ("", _("All")),
                    ("uncounted", _("Not counted")),
                    ("counted", _("Counted")),
                    ("variance", _("With variance")),
                ],
                "summary": count_summary(count),
                "may_count": self.may("change") and count.status == DRAFT,
                "scan_url": self.url("scan", count.pk),
                "count_url": self.url("count", count.pk),
                "print_url": self.url("print", count.pk),
                "excel_url": self.url("excel", count.pk),
                "post_url": self.url("post", count.pk) if may_post and count.status == DRAFT else None,
                "cancel_url": self.url("cancel", count.pk) if may_post and count.status == DRAFT else None,
                "entries": entries,
                "timeline": _timeline(count),
                "rows": [
                    {
                        "line": line,
                        "product": line.product,
                        "entry": booked.get(line.pk),
                        "value": booked[line.pk].value if line.pk in booked else None,
                    }
                    for line in page.object_list
                ],
            }
        )
        return context


class CountLinePage(KindPage, ObjectPage):
    """htmx endpoints of the count screen (scan, type a number): one service call each."""

    kind = CountKind
    verb = "change"
    http_method_names = ["post"]

    def line_html(self, line, *, oob=False, error=None) -> str:
        line = _count_lines(self.object).get(pk=line.pk)
        return render_to_string(
            "inventory/counts/_row.html",
            {
                "line": line,
                "count_url": self.url("count", self.object.pk),
                "may_count": True,
                "oob": oob,
                "error": error,
            },
            request=self.request,
        )

    def summary_html(self) -> str:
        return render_to_string(
            "inventory/counts/_summary.html",
            {"summary": count_summary(self.object), "oob": True, "object": self.object},
            request=self.request,
        )


class CountScan(CountLinePage):
    """A scan: +1 on the product's line. Answers the "last scanned" panel, the line (out of
    band, if it is on the page) and the summary."""

    def post(self, request, *args, **kwargs):
        code = request.POST.get("barcode", "")
        try:
            line = services.stock_count_scan(count=self.object, user=request.user, barcode=code)
        except ValidationError as exc:
            panel = render_to_string(
                "inventory/counts/_last_scan.html", {"error": " ".join(exc.messages), "code": code}, request=request
            )
            return HttpResponse(panel)
        except BusinessError as exc:
            panel = render_to_string("inventory/counts/_last_scan.html", {"error": exc.detail}, request=request)
            return HttpResponse(panel)
        line = _count_lines(self.object).get(pk=line.pk)
        panel = render_to_string("inventory/counts/_last_scan.html", {"line": line}, request=request)
        return HttpResponse(panel + self.line_html(line, oob=True) + self.summary_html())


class CountSet(CountLinePage):
    """Typing a number into a line: sets it (empty clears it). Answers the line and the summary."""

    def post(self, request, *args, **kwargs):
        pk = request.POST.get("product", "")
        product = Product.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
        if product is None:
            return HttpResponse(_("Unknown product."), status=400)
        line = self.object.lines.filter(product=product).first()
        text = request.POST.get("counted_qty", "").strip().replace(",", "")
        try:
            qty = Decimal(text) if text else None
            if qty is not None and not qty.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            message = _("“%(text)s” is not a number.") % {"text": text}
            return HttpResponse(self.line_html(line, error=message) if line else message, status=200 if line else 400)
        try:
            line = services.stock_count_set_line(count=self.object, user=request.user, product=product, counted_qty=qty)
        except (ValidationError, BusinessError) as exc:
            message = exc.detail if isinstance(exc, BusinessError) else " ".join(exc.messages)
            return HttpResponse(self.line_html(line, error=message) if line else message)
        return HttpResponse(self.line_html(line) + self.summary_html())


class CountPrint(KindPage, ObjectPage):
    """The printable count sheet (blind: no system quantities), in walking order."""

    kind = CountKind
    template_name = "inventory/counts/print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        signatures = [_("Counted by"), _("Checked by"), _("Warehouse manager")]
        context.update(
            {
                "object": self.object,
                "title": _("Count sheet %(number)s") % {"number": self.object.number},
                "header_rows": _header_rows(self.object),
                "lines": _count_lines(self.object),
                "blank_rows": range(5),
                **print_context(self, self.object, signatures=signatures),
                "heading": _("Stock count sheet"),
            }
        )
        return context


class CountExcel(KindPage, ObjectPage):
    """The count sheet as .xlsx: one row per line, counted and snapshot where known."""

    kind = CountKind

    def get(self, request, *args, **kwargs):
        count = self.object
        columns = [
            XColumn("line", _("Line"), numeric=True),
            XColumn("location", _("Location")),
            XColumn("sku", _("SKU")),
            XColumn("name", _("Name")),
            XColumn("spec", _("Specification")),
            XColumn("unit", _("Unit")),
            XColumn("barcode", _("Barcode")),
            XColumn("counted", _("Counted"), numeric=True),
            XColumn("system", _("System quantity"), numeric=True),
            XColumn("variance", _("Variance"), numeric=True),
        ]
        rows = (
            {
                "line": line.line_no,
                "location": line.location or "",
                "sku": line.product.sku,
                "name": line.product.name,
                "spec": line.product.spec,
                "unit": line.product.unit.name,
                "barcode": line.product.barcode or "",
                "counted": line.counted_qty,
                "system": line.system_qty,
                "variance": line.variance,
            }
            for line in _count_lines(count).iterator(chunk_size=2000)
        )
        stream = write_workbook(rows, columns, title=count.number)
        response = HttpResponse(stream.getvalue(), content_type=XLSX_MEDIA_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{count.number}.xlsx"'
        return response


def document_urls(
    prefix: str,
    name: str,
    kind,
    list_view,
    detail_view,
    editor_view,
    grid_view,
    print_view,
    actions: tuple[str, ...] = ("post", "cancel"),
) -> list:
    """The pages of an adjustment or transfer: list, new, detail, edit, the editor's grid
    (htmx), print and one URL per action (post and cancel), named ``<name>-list`` etc."""
    from django.urls import path

    return [
        path(prefix, list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}new/", editor_view.as_view(), name=f"{name}-create"),
        path(f"{prefix}grid/", grid_view.as_view(), name=f"{name}-grid"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}-detail"),
        path(f"{prefix}<int:pk>/edit/", editor_view.as_view(), name=f"{name}-update"),
        path(f"{prefix}<int:pk>/print/", print_view.as_view(), name=f"{name}-print"),
        *(
            path(f"{prefix}<int:pk>/{action}/", action_view(kind, action), name=f"{name}-{action}")
            for action in actions
        ),
    ]
