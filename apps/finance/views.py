"""Pages of finance: the open items (payables 应付 owed to suppliers, receivables 应收 owed by
customers, and the overdue receivables) and the money documents that settle them (supplier
payments 付款单 and customer receipts 收款单: list, a draft editor that allocates the amount to
the partner's open items, a read-only detail page with its allocations and timeline, print,
post and cancel).

Payments and receipts are one set of pages parametrised by a :class:`SettlementKind` (the
``Settlement`` of apps.finance.services, its form and its words); each is a few lines below.
The pages only shape input and output: every write is one call of apps.finance.services; a
ValidationError lands next to its field, a BusinessError (409, e.g. ``over_allocation``) is
shown as the service's sentence with the numbers, a missing permission is a 403.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import sees_all_customers
from apps.core.errors import BusinessError
from apps.core.fields import ZERO
from apps.core.formatting import format_money
from apps.core.pages import Column, ListPage, ObjectPage, Page, add_service_errors, perm
from apps.core.widgets import DateInput
from apps.customers.selectors import customers_for
from apps.inventory.document_views import (
    DocumentEditor,
    DocumentKind,
    KindPage,
    StatusColumn,
    _timeline,
    action_view,
    print_context,
)
from apps.inventory.selectors import source_url
from apps.suppliers.models import Supplier

from . import services
from .filters import CustomerReceiptFilter, PayableFilter, ReceivableFilter, SupplierPaymentFilter
from .forms import Allocations, CustomerReceiptForm, SupplierPaymentForm, oldest_first, parse_amount
from .models import CustomerReceipt, OpenItem, OpenItemStatus, Payable, PaymentStatus, Receivable, SupplierPayment
from .selectors import (
    customer_receipts_for,
    days_overdue,
    is_overdue,
    payables_for,
    receivables_for,
    supplier_payments_for,
    with_outstanding,
)

DRAFT, POSTED, CANCELLED = PaymentStatus.DRAFT, PaymentStatus.POSTED, PaymentStatus.CANCELLED
_MONEY = DecimalField(max_digits=18, decimal_places=2)


def _excel_url(api_url_name: str, query) -> str | None:
    """The API list's Excel download with the page's filters (None until the API exists)."""
    try:
        url = reverse(api_url_name)
    except NoReverseMatch:
        return None
    params = query.copy()
    params["format"] = "xlsx"
    return f"{url}?{params.urlencode()}"


def _source_link(item: OpenItem) -> str | None:
    """The page of the document an open item comes from (receipt, delivery, return...), when
    that page exists (apps.inventory.selectors.SOURCE_URLS)."""
    return source_url(item.source_type, item.source_id)


def _partner_name(partner) -> str:
    return f"{partner.code} {partner.name}"


class FinanceList(ListPage):
    """A finance list: the API's Excel download, date pickers, and partner pickers as
    "code name" (a salesperson's own customers only)."""

    template_name = "finance/list.html"

    def excel_url(self, query) -> str | None:
        return _excel_url(self.api_url_name, query) if self.api_url_name else None

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name in ("date_from", "date_to", "due_from", "due_before"):
            if name in form.fields:
                form.fields[name].widget = DateInput()
        partners = {
            "supplier": lambda: Supplier.objects.order_by("code"),
            "customer": lambda: customers_for(self.request.user).order_by("code"),
        }
        for name, queryset in partners.items():
            if name in form.fields:
                field = form.fields[name]
                field.queryset = queryset()
                field.label_from_instance = _partner_name
                field.widget.choices = field.choices
        if "salesperson" in form.fields:
            field = form.fields["salesperson"]
            field.label_from_instance = lambda user: user.display_name
            field.widget.choices = field.choices


# --- Open items: payables (应付) and receivables (应收) ---------------------------------------


def _open_item_columns(partner: str) -> tuple[Column, ...]:
    return (
        Column(partner, value=lambda item: _partner_name(getattr(item, partner))),
        Column("source_number", gettext_lazy("source document"), link=_source_link, order=True),
        Column("date", order=True),
        Column("due_date", order=True),
        Column("amount", order=True),
        Column("paid"),
        Column("credited"),
        Column("outstanding_amount", gettext_lazy("outstanding"), kind="money", order="outstanding"),
        StatusColumn("status"),
    )


class OpenItemList(FinanceList):
    """What is owed, one row per source document (a delivery or receipt: the item; a return: a
    negative note), earliest due first: filters by partner, status, overdue and due date range,
    search by source number or partner; overdue rows stand out; the totals row sums every row
    the filters select."""

    def row_url(self, obj):
        return _source_link(obj)

    def row_css(self, obj) -> str:
        return "overdue" if is_overdue(obj, self.today) else ""

    def get_context_data(self, **kwargs):
        self.today = timezone.localdate()
        return super().get_context_data(**kwargs)

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name, label in (("due_from", _("Due from")), ("due_before", _("Due to")), ("overdue", _("Overdue"))):
            if name in self.filter_fields:
                form.fields[name].label = label
        if "status" in self.filter_fields:
            form.fields["status"].widget = forms.Select(
                choices=[("", _("All")), *OpenItemStatus.choices], attrs={"data-autosubmit": ""}
            )

    def totals(self, queryset):
        sums = queryset.order_by().aggregate(
            amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
            paid=Coalesce(Sum("paid"), Value(ZERO), output_field=_MONEY),
            credited=Coalesce(Sum("credited"), Value(ZERO), output_field=_MONEY),
        )
        sums["outstanding_amount"] = sums["amount"] - sums["paid"] - sums["credited"]
        return sums


class PayableList(OpenItemList):
    model = Payable
    url_base = "finance:payable"
    filterset_class = PayableFilter
    filter_fields = ("search", "supplier", "status", "overdue", "due_from", "due_before")
    api_url_name = "payable-list"
    search_placeholder = gettext_lazy("Source number or supplier")
    columns = _open_item_columns("supplier")

    def get_queryset(self):
        return payables_for(self.request.user)


class ReceivableList(OpenItemList):
    """What customers owe (a salesperson: their own customers); each row links to its delivery
    or sales return."""

    model = Receivable
    url_base = "finance:receivable"
    filterset_class = ReceivableFilter
    filter_fields = ("search", "customer", "status", "overdue", "due_from", "due_before")
    api_url_name = "receivable-list"
    search_placeholder = gettext_lazy("Source number or customer")
    columns = _open_item_columns("customer")

    def get_queryset(self):
        return receivables_for(self.request.user)


def _salesperson(item: Receivable) -> str:
    salesperson = item.customer.salesperson
    return salesperson.display_name if salesperson else ""


class OverdueReceivableList(ReceivableList):
    """逾期应收: the receivables past their due date with something still owed, the most
    overdue first, with days overdue and the customer's salesperson (to chase it); a link to
    record the customer's receipt for those who may. Filters: customer, salesperson (for
    those who see every customer); totals of the amounts and of what is outstanding."""

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(status=OpenItemStatus.OPEN, outstanding_amount__gt=0, due_date__lt=timezone.localdate())
        )

    @property
    def filter_fields(self):
        if sees_all_customers(self.request.user):
            return ("search", "customer", "salesperson")
        return ("search", "customer")

    @property
    def columns(self):
        columns = [
            Column("customer", value=lambda item: _partner_name(item.customer)),
            Column("customer__salesperson", gettext_lazy("salesperson"), value=_salesperson),
            Column("source_number", gettext_lazy("source document"), link=_source_link, order=True),
            Column("date", order=True),
            Column("due_date", order=True),
            Column("days_overdue", gettext_lazy("days overdue"), kind="number", value=days_overdue),
            Column("amount", order=True),
            Column("outstanding_amount", gettext_lazy("outstanding"), kind="money", order="outstanding"),
        ]
        if self.request.user.has_perm(perm(CustomerReceipt, "add")):
            columns.append(
                Column(
                    "receive",
                    gettext_lazy("customer receipt"),
                    value=lambda item: _("Record receipt"),
                    link=lambda item: (
                        f"{reverse('finance:receipt-create')}?{urlencode({'customer': item.customer_id})}"
                    ),
                )
            )
        return tuple(columns)

    def row_css(self, obj) -> str:
        return ""

    def excel_url(self, query) -> str | None:
        query = query.copy()
        query["overdue"] = "true"
        return super().excel_url(query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Overdue receivables")
        return context


# --- Money documents: supplier payments (付款单) and customer receipts (收款单) ------------------


class SettlementKind(DocumentKind):
    """A payment or receipt's pages: the ``settlement`` (model, allocation, open-item book),
    its header form, the partners a user may choose and the words that name them."""

    settlement: services.Settlement
    form_class: type
    filterset_class: type
    api_url_name: str
    search_placeholder: str
    texts: dict[str, str]  # what the templates say about this kind (see PaymentKind)
    signatures = (gettext_lazy("Prepared by"), gettext_lazy("Approved by"), gettext_lazy("Cashier"))

    @classmethod
    def partners(cls, user) -> QuerySet:
        raise NotImplementedError

    @classmethod
    def partner_id(cls, data, user) -> int | None:
        """The partner id in ``data`` if it is one this user may choose, else None."""
        raw = data.get(cls.settlement.partner, "")
        if not str(raw).isdigit() or not cls.partners(user).filter(pk=int(raw)).exists():
            return None
        return int(raw)

    @classmethod
    def open_items(cls, partner_id, *, include=()) -> list[OpenItem]:
        """The partner's items a payment or receipt can settle (open, something outstanding),
        in the order posting allocates them (due date, date, id); plus ``include`` (ids
        already allocated on a draft, whatever their state now)."""
        if not partner_id:
            return []
        book = cls.settlement.book
        queryset = with_outstanding(book.item.objects.filter(**{book.partner_id: partner_id}))
        opened = queryset.filter(status=OpenItemStatus.OPEN, outstanding_amount__gt=0)
        if include:
            opened = opened | queryset.filter(pk__in=list(include))
        return list(opened.order_by("due_date", "date", "id"))

    @classmethod
    def allocated(cls, document) -> dict[int, Decimal]:
        """A draft's requested allocations: {item id: amount}."""
        if document is None:
            return {}
        return dict(document.allocations.values_list(f"{cls.settlement.item}_id", "amount"))


class PaymentKind(SettlementKind):
    model = SupplierPayment
    url_base = "finance:payment"
    source_type = "supplier_payment"
    settlement = services.PAYMENTS
    selector = staticmethod(supplier_payments_for)
    instance_kwarg = "payment"
    form_class = SupplierPaymentForm
    filterset_class = SupplierPaymentFilter
    api_url_name = "supplier-payment-list"
    search_placeholder = gettext_lazy("Number, reference or supplier")
    create_service = staticmethod(services.supplier_payment_create)
    update_service = staticmethod(services.supplier_payment_update)
    post_service = staticmethod(services.supplier_payment_post)
    cancel_service = staticmethod(services.supplier_payment_cancel)
    texts = {
        "open_items": gettext_lazy("Open payables"),
        "owed": gettext_lazy("Owed to this supplier"),
        "nothing_owed": gettext_lazy("Nothing is owed to this supplier."),
        "choose_partner": gettext_lazy("Choose a supplier to see what is owed to it."),
        "item_amount": gettext_lazy("Payable amount"),
        "document_amount": gettext_lazy("Payment amount"),
        "confirm_post": gettext_lazy(
            "Post this payment? The payables it settles are paid at once; only a cancellation undoes it."
        ),
        "confirm_cancel_posted": gettext_lazy("Cancel this posted payment? The payables it settled are owed again."),
        "settled_nothing": gettext_lazy("This payment settled nothing."),
        "cancelled": gettext_lazy("Cancelled: these allocations were undone and the payables are owed again."),
    }

    @classmethod
    def partners(cls, user) -> QuerySet:
        return Supplier.objects.all()


class ReceiptKind(SettlementKind):
    model = CustomerReceipt
    url_base = "finance:receipt"
    source_type = "customer_receipt"
    settlement = services.RECEIPTS
    selector = staticmethod(customer_receipts_for)
    instance_kwarg = "receipt"
    form_class = CustomerReceiptForm
    filterset_class = CustomerReceiptFilter
    api_url_name = "customer-receipt-list"
    search_placeholder = gettext_lazy("Number, reference or customer")
    create_service = staticmethod(services.customer_receipt_create)
    update_service = staticmethod(services.customer_receipt_update)
    post_service = staticmethod(services.customer_receipt_post)
    cancel_service = staticmethod(services.customer_receipt_cancel)
    texts = {
        "open_items": gettext_lazy("Open receivables"),
        "owed": gettext_lazy("Owed by this customer"),
        "nothing_owed": gettext_lazy("This customer owes nothing."),
        "choose_partner": gettext_lazy("Choose a customer to see what it owes."),
        "item_amount": gettext_lazy("Receivable amount"),
        "document_amount": gettext_lazy("Receipt amount"),
        "confirm_post": gettext_lazy(
            "Post this receipt? The receivables it settles are paid at once; only a cancellation undoes it."
        ),
        "confirm_cancel_posted": gettext_lazy("Cancel this posted receipt? The receivables it settled are owed again."),
        "settled_nothing": gettext_lazy("This receipt settled nothing."),
        "cancelled": gettext_lazy("Cancelled: these allocations were undone and the receivables are owed again."),
    }

    @classmethod
    def partners(cls, user) -> QuerySet:
        return customers_for(user)


class SettlementList(KindPage, FinanceList):
    """Payments or receipts: filters by status, partner, account and date; totals of the amounts."""

    kind: type[SettlementKind]

    def __init_subclass__(cls, **kwargs):
        kind = cls.__dict__.get("kind")
        if kind is not None:
            cls.filterset_class = kind.filterset_class
            cls.api_url_name = kind.api_url_name
            cls.search_placeholder = kind.search_placeholder
        super().__init_subclass__(**kwargs)

    @property
    def filter_fields(self):
        return ("search", "status", self.kind.settlement.partner, "account", "date_from", "date_to")

    @property
    def columns(self):
        partner = self.kind.settlement.partner
        return (
            Column("number", link=True, order=True),
            Column("date", order=True),
            Column(partner, value=lambda document: _partner_name(getattr(document, partner))),
            Column("account", value=lambda document: document.account.name),
            Column("amount", order=True),
            Column("reference"),
            StatusColumn("status", order=True),
            Column("created_by", value=lambda document: document.created_by.display_name),
        )

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name, label in (("date_from", _("From")), ("date_to", _("To"))):
            form.fields[name].label = label
        status = form.fields["status"]
        status.widget = forms.Select(choices=[("", _("All")), *PaymentStatus.choices], attrs={"data-autosubmit": ""})

    def totals(self, queryset):
        return queryset.order_by().aggregate(amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))


def allocation_context(kind, document, allocations: Allocations, amount, *, errors=(), partner_chosen=True) -> dict:
    """What the allocation table shows: each open item with its input, and the running figures
    (amount, allocated, left for oldest-first at posting, owed in all)."""
    today = timezone.localdate()
    rows = [
        {
            "item": row.item,
            "raw": row.raw,
            "error": row.error,
            "url": _source_link(row.item),
            "overdue": is_overdue(row.item, today),
        }
        for row in allocations.rows
    ]
    owed = sum((row.item.outstanding for row in allocations.rows if row.item.outstanding > 0), ZERO)
    allocated = allocations.total
    return {
        "alloc_rows": rows,
        "alloc_errors": list(errors),
        "partner_chosen": partner_chosen,
        "figures": {
            "amount": amount,
            "allocated": allocated,
            "unallocated": (amount - allocated) if amount is not None else None,
            "owed": owed,
        },
        "posted": document is not None and document.status != DRAFT,
        "texts": kind.texts,
        "instance_kwarg": kind.instance_kwarg,
    }


def _typed_amount(data) -> Decimal | None:
    try:
        return parse_amount(data.get("amount", ""))
    except ValueError:
        return None


def _split_errors(form, exc: ValidationError) -> list[str]:
    """A service's ValidationError: allocation messages for the table, the rest onto the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return []
    errors = dict(exc.error_dict)
    lines = [m for error in errors.pop("allocations", []) for m in error.messages]
    if errors:
        add_service_errors(form, ValidationError(errors))
    return lines


class SettlementEditor(DocumentEditor):
    """New (no ``pk``) or draft payment/receipt: the header, the partner's open items each with
    an "allocate" input (refreshed by htmx when the partner changes; "Oldest first" fills them
    from the amount), running allocated / unallocated figures, and Save draft / Post / Cancel.
    ``?supplier=`` / ``?customer=`` preselects the partner.

    Posting saves the draft first, then posts it (like the warehouse documents); a refusal
    (409 ``over_allocation``) leaves the saved draft, with what was typed, and shows the
    service's sentence. (Permission and draft-only dispatch: DocumentEditor's.)"""

    kind: type[SettlementKind]
    template_name = "finance/settlement_editor.html"

    def form(self, data=None):
        initial = {} if self.object else {"date": timezone.localdate()}
        partner = self.kind.settlement.partner
        if self.object is None and self.request.GET.get(partner, "").isdigit():
            initial[partner] = int(self.request.GET[partner])
        return self.kind.form_class(data=data, instance=self.object, initial=initial, user=self.request.user)

    def get(self, request, *args, **kwargs):
        form = self.form()
        partner = self.kind.settlement.partner
        partner_id = form.initial.get(partner) or (getattr(self.object, f"{partner}_id") if self.object else None)
        if self.object is None:
            partner_id = self.kind.partner_id({partner: partner_id or ""}, request.user)
        saved = self.kind.allocated(self.object)
        allocations = Allocations.from_amounts(self.kind.open_items(partner_id, include=saved), saved)
        amount = self.object.amount if self.object else None
        context = allocation_context(self.kind, self.object, allocations, amount, partner_chosen=bool(partner_id))
        return self.render_editor(form, context)

    def post(self, request, *args, **kwargs):
        kind = self.kind
        form = self.form(request.POST)
        partner_id = kind.partner_id(request.POST, request.user)
        same_partner = self.object is not None and getattr(self.object, f"{kind.settlement.partner}_id") == partner_id
        items = kind.open_items(partner_id, include=kind.allocated(self.object) if same_partner else ())
        allocations = Allocations.from_data(items, request.POST)
        alloc_errors: list[str] = []
        if form.is_valid() and allocations.is_valid():
            data = {**form.service_data(), "allocations": allocations.service_allocations(kind.settlement.item)}
            try:
                if self.object is None:
                    document = kind.create_service(user=request.user, **data)
                else:
                    document = kind.update_service(user=request.user, **{kind.instance_kwarg: self.object}, **data)
            except ValidationError as exc:
                alloc_errors = _split_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                return self.after_save(document, allocations)
        else:
            alloc_errors = allocations.errors
        context = allocation_context(
            kind,
            self.object,
            allocations,
            _typed_amount(request.POST),
            errors=alloc_errors,
            partner_chosen=bool(partner_id),
        )
        return self.render_editor(form, context, status=400)

    def after_save(self, document, allocations):
        request = self.request
        if request.POST.get("_action") != "post":
            messages.success(request, _("%(number)s was saved as a draft.") % {"number": document.number})
            return HttpResponseRedirect(self.url("update", document.pk))
        if not request.user.has_perm(self.kind.post_permission()):
            messages.error(request, _("You may save this draft but not post it."))
            return HttpResponseRedirect(self.url("update", document.pk))
        try:
            document = self.kind.post_service(user=request.user, **{self.kind.instance_kwarg: document})
        except BusinessError as exc:
            # The draft is saved with what was typed; show it again with the refusal on top.
            self.object = document
            form = self.form(request.POST)
            form.is_valid()
            form.add_error(
                None,
                _("%(number)s was saved as a draft but not posted: %(reason)s")
                % {"number": document.number, "reason": exc.detail},
            )
            context = allocation_context(self.kind, document, allocations, document.amount)
            return self.render_editor(form, context, status=409)
        messages.success(request, _("%(number)s was posted.") % {"number": document.number})
        return HttpResponseRedirect(self.url("detail", document.pk))

    def render_editor(self, form, allocation, *, status=200):
        document = self.object
        form.fields[self.kind.settlement.partner].widget.attrs.update(
            {
                "hx-post": self.url("allocations"),
                "hx-trigger": "change",
                "hx-target": "#allocations",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
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
            action_url=self.url("update", document.pk) if document else self.url("create"),
            allocations_url=self.url("allocations"),
            may_post=self.request.user.has_perm(self.kind.post_permission()),
            cancel_url=self.url("cancel", document.pk) if document else None,
            print_url=self.url("print", document.pk) if document else None,
            back_url=self.url("list"),
            **allocation,
        )
        return self.render_to_response(context, status=status)


class SettlementAllocations(KindPage, Page):
    """htmx: the allocation table again for the chosen partner (after a change of partner), or
    filled oldest first from the amount (``fill=oldest``) or emptied (``fill=clear``). Reads
    the whole form; writes nothing."""

    kind: type[SettlementKind]
    template_name = "finance/_allocations.html"
    http_method_names = ["post"]

    def get_permission_required(self):
        return [perm(self.model, "add")]

    def post(self, request, *args, **kwargs):
        kind = self.kind
        partner_id = kind.partner_id(request.POST, request.user)
        document = None
        document_id = request.POST.get(kind.instance_kwarg, "")
        if document_id.isdigit():
            document = kind.selector(request.user).filter(pk=int(document_id), status=DRAFT).first()
        saved = kind.allocated(document)
        if document is not None and getattr(document, f"{kind.settlement.partner}_id") != partner_id:
            saved = {}
        items = kind.open_items(partner_id, include=saved)
        amount = _typed_amount(request.POST)
        fill = request.POST.get("fill", "")
        if fill == "oldest":
            allocations = Allocations.from_amounts(items, oldest_first(items, amount))
        elif fill == "clear":
            allocations = Allocations.from_amounts(items, {})
        else:
            allocations = Allocations.from_data(items, request.POST)
        context = allocation_context(kind, document, allocations, amount, partner_chosen=bool(partner_id))
        context["allocations_url"] = self.url("allocations")
        return render(request, self.template_name, context)


def _settlement_header(kind: type[SettlementKind], document) -> list[dict]:
    rows = []
    for name in ("number", "date", kind.settlement.partner, "account", "amount", "reference"):
        field = kind.model._meta.get_field(name)
        value = getattr(document, name)
        if name == "amount":
            text = format_money(value)
        elif name == kind.settlement.partner:
            text = _partner_name(value)
        elif hasattr(value, "isoformat"):
            text = value.isoformat()
        else:
            text = str(value) if value not in (None, "") else "—"
        rows.append({"label": capfirst(str(field.verbose_name)), "value": text})
    rows.append({"label": capfirst(_("created by")), "value": document.created_by.display_name})
    if document.note:
        rows.append({"label": capfirst(_("note")), "value": document.note})
    return rows


def _allocation_rows(kind: type[SettlementKind], document) -> tuple[list[dict], Decimal]:
    item = kind.settlement.item
    allocations = list(document.allocations.select_related(item).order_by("id"))
    rows = [{"allocation": a, "item": getattr(a, item), "url": _source_link(getattr(a, item))} for a in allocations]
    return rows, sum((a.amount for a in allocations), ZERO)


class SettlementDetail(KindPage, ObjectPage):
    """A posted or cancelled payment/receipt, read-only: header, the items it settled, who did
    what when, Print, and Post / Cancel (which reverses the allocations) for those who may. A
    draft opens in its editor for those who may change it."""

    kind: type[SettlementKind]
    template_name = "finance/settlement_detail.html"

    def get(self, request, *args, **kwargs):
        if self.object.status == DRAFT and self.may("change"):
            return HttpResponseRedirect(self.url("update", self.object.pk))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        may_post = self.request.user.has_perm(self.kind.post_permission())
        rows, allocated = _allocation_rows(self.kind, document)
        context.update(
            {
                "object": document,
                "title": f"{context['model_name']} {document.number}",
                "header_rows": _settlement_header(self.kind, document),
                "rows": rows,
                "allocated": allocated,
                "unallocated": document.amount - allocated,
                "timeline": _timeline(document),
                "texts": self.kind.texts,
                "print_url": self.url("print", document.pk),
                "post_url": self.url("post", document.pk) if may_post and document.status == DRAFT else None,
                "cancel_url": self.url("cancel", document.pk)
                if may_post and document.status in (DRAFT, POSTED)
                else None,
            }
        )
        return context


class SettlementPrint(KindPage, ObjectPage):
    """A4 print view: company header, number and barcode, the items settled, signature lines."""

    kind: type[SettlementKind]
    template_name = "finance/settlement_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        rows, allocated = _allocation_rows(self.kind, document)
        context.update(
            {
                "object": document,
                "title": document.number,
                "header_rows": _settlement_header(self.kind, document),
                "rows": rows,
                "allocated": allocated,
                "texts": self.kind.texts,
                **print_context(self, document, signatures=[str(s) for s in self.kind.signatures]),
            }
        )
        return context


# --- Supplier payments (付款单) ----------------------------------------------------------------


class PaymentList(SettlementList):
    kind = PaymentKind


class PaymentEditor(SettlementEditor):
    kind = PaymentKind


class PaymentAllocations(SettlementAllocations):
    kind = PaymentKind


class PaymentDetail(SettlementDetail):
    kind = PaymentKind


class PaymentPrint(SettlementPrint):
    kind = PaymentKind


payment_post = action_view(PaymentKind, "post")
payment_cancel = action_view(PaymentKind, "cancel")


# --- Customer receipts (收款单) ----------------------------------------------------------------


class ReceiptList(SettlementList):
    kind = ReceiptKind


class ReceiptEditor(SettlementEditor):
    kind = ReceiptKind


class ReceiptAllocations(SettlementAllocations):
    kind = ReceiptKind


class ReceiptDetail(SettlementDetail):
    kind = ReceiptKind


class ReceiptPrint(SettlementPrint):
    kind = ReceiptKind


receipt_post = action_view(ReceiptKind, "post")
receipt_cancel = action_view(ReceiptKind, "cancel")
