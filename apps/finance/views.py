"""Pages of finance: payables (应付: the open items owed to suppliers) and supplier payments
(付款单: list, a draft editor that allocates the payment to the supplier's open payables, a
read-only detail page with its allocations and timeline, print, post and cancel).

The pages only shape input and output: every write is one call of apps.finance.services; a
ValidationError lands next to its field, a BusinessError (409, e.g. ``over_allocation``) is
shown as the service's sentence with the numbers, a missing permission is a 403.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import BusinessError
from apps.core.fields import ZERO
from apps.core.formatting import format_money
from apps.core.pages import Column, ListPage, ObjectPage, Page, add_service_errors, perm
from apps.core.widgets import DateInput
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
from .filters import PayableFilter, SupplierPaymentFilter
from .forms import Allocations, SupplierPaymentForm, oldest_first, parse_amount
from .models import OpenItemStatus, Payable, PaymentStatus, SupplierPayment
from .selectors import payables_for, supplier_payments_for, with_outstanding

DRAFT, POSTED, CANCELLED = PaymentStatus.DRAFT, PaymentStatus.POSTED, PaymentStatus.CANCELLED
_MONEY = DecimalField(max_digits=18, decimal_places=2)


def is_overdue(payable: Payable, today=None) -> bool:
    """Open, something still owed, and due before today (the same rule as ``?overdue=true``)."""
    today = today or timezone.localdate()
    return payable.status == OpenItemStatus.OPEN and payable.outstanding > 0 and payable.due_date < today


def _excel_url(api_url_name: str, query) -> str | None:
    """The API list's Excel download with the page's filters (None until the API exists)."""
    try:
        url = reverse(api_url_name)
    except NoReverseMatch:
        return None
    params = query.copy()
    params["format"] = "xlsx"
    return f"{url}?{params.urlencode()}"


class FinanceList(ListPage):
    template_name = "finance/list.html"

    def excel_url(self, query) -> str | None:
        return _excel_url(self.api_url_name, query) if self.api_url_name else None

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name in ("date_from", "date_to", "due_from", "due_before"):
            if name in form.fields:
                form.fields[name].widget = DateInput()
        if "supplier" in form.fields:
            supplier = form.fields["supplier"]
            supplier.queryset = Supplier.objects.order_by("code")
            supplier.label_from_instance = lambda obj: f"{obj.code} {obj.name}"
            supplier.widget.choices = supplier.choices


# --- Payables (应付) ---------------------------------------------------------------------------


def _source_link(payable: Payable) -> str | None:
    return source_url(payable.source_type, payable.source_id)


class PayableList(FinanceList):
    """What is owed to suppliers, one row per source document (receipt: a payable; return: a
    negative debit note), earliest due first: filters by supplier, status, overdue and due date
    range, search by source number or supplier; overdue rows stand out; the totals row sums
    every row the filters select."""

    model = Payable
    url_base = "finance:payable"
    filterset_class = PayableFilter
    filter_fields = ("search", "supplier", "status", "overdue", "due_from", "due_before")
    api_url_name = "payable-list"
    search_placeholder = gettext_lazy("Source number or supplier")
    columns = (
        Column("supplier", value=lambda p: f"{p.supplier.code} {p.supplier.name}"),
        Column("source_number", gettext_lazy("source document"), link=_source_link, order=True),
        Column("date", order=True),
        Column("due_date", order=True),
        Column("amount", order=True),
        Column("paid"),
        Column("credited"),
        Column("outstanding_amount", gettext_lazy("outstanding"), kind="money", order="outstanding"),
        StatusColumn("status"),
    )

    def get_queryset(self):
        return payables_for(self.request.user)

    def row_url(self, obj):
        return _source_link(obj)

    def row_css(self, obj) -> str:
        return "overdue" if is_overdue(obj, self.today) else ""

    def get_context_data(self, **kwargs):
        self.today = timezone.localdate()
        return super().get_context_data(**kwargs)

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        form.fields["due_from"].label = _("Due from")
        form.fields["due_before"].label = _("Due to")
        status = form.fields["status"]
        status.widget = forms.Select(choices=[("", _("All")), *OpenItemStatus.choices], attrs={"data-autosubmit": ""})
        form.fields["overdue"].label = _("Overdue")

    def totals(self, queryset):
        sums = queryset.order_by().aggregate(
            amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
            paid=Coalesce(Sum("paid"), Value(ZERO), output_field=_MONEY),
            credited=Coalesce(Sum("credited"), Value(ZERO), output_field=_MONEY),
        )
        sums["outstanding_amount"] = sums["amount"] - sums["paid"] - sums["credited"]
        return sums


# --- Supplier payments (付款单) ----------------------------------------------------------------


class PaymentKind(DocumentKind):
    model = SupplierPayment
    url_base = "finance:payment"
    source_type = "supplier_payment"
    selector = staticmethod(supplier_payments_for)
    instance_kwarg = "payment"
    post_service = staticmethod(services.supplier_payment_post)
    cancel_service = staticmethod(services.supplier_payment_cancel)


class PaymentPage(KindPage):
    kind = PaymentKind


class PaymentList(PaymentPage, FinanceList):
    filterset_class = SupplierPaymentFilter
    filter_fields = ("search", "status", "supplier", "account", "date_from", "date_to")
    api_url_name = "supplier-payment-list"
    search_placeholder = gettext_lazy("Number, reference or supplier")
    columns = (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("supplier", value=lambda p: f"{p.supplier.code} {p.supplier.name}"),
        Column("account", value=lambda p: p.account.name),
        Column("amount", order=True),
        Column("reference"),
        StatusColumn("status", order=True),
        Column("created_by", value=lambda p: p.created_by.display_name),
    )

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name, label in (("date_from", _("From")), ("date_to", _("To"))):
            form.fields[name].label = label
        status = form.fields["status"]
        status.widget = forms.Select(choices=[("", _("All")), *PaymentStatus.choices], attrs={"data-autosubmit": ""})

    def totals(self, queryset):
        return queryset.order_by().aggregate(amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))


def open_payables(supplier_id, *, include=()) -> list[Payable]:
    """The supplier's payables a payment can settle (open, something outstanding), in the
    order posting allocates them (due date, date, id); plus ``include`` (ids already allocated
    on a draft, whatever their state now)."""
    if not supplier_id:
        return []
    queryset = with_outstanding(Payable.objects.filter(supplier_id=supplier_id))
    opened = queryset.filter(status=OpenItemStatus.OPEN, outstanding_amount__gt=0)
    if include:
        opened = opened | queryset.filter(pk__in=list(include))
    return list(opened.order_by("due_date", "date", "id"))


def allocation_context(payment, allocations: Allocations, amount, *, errors=(), supplier_chosen=True) -> dict:
    """What the allocation table shows: each open payable with its input, and the running
    figures (amount, allocated, left for oldest-first at posting)."""
    today = timezone.localdate()
    allocated = allocations.total
    rows = [
        {
            "payable": row.payable,
            "raw": row.raw,
            "error": row.error,
            "url": _source_link(row.payable),
            "overdue": is_overdue(row.payable, today),
        }
        for row in allocations.rows
    ]
    owed = sum((row.payable.outstanding for row in allocations.rows if row.payable.outstanding > 0), ZERO)
    return {
        "alloc_rows": rows,
        "alloc_errors": list(errors),
        "supplier_chosen": supplier_chosen,
        "figures": {
            "amount": amount,
            "allocated": allocated,
            "unallocated": (amount - allocated) if amount is not None else None,
            "owed": owed,
        },
        "posted": payment is not None and payment.status != DRAFT,
    }


def _typed_amount(data) -> Decimal | None:
    try:
        return parse_amount(data.get("amount", ""))
    except ValueError:
        return None


class PaymentEditor(PaymentPage, DocumentEditor):
    """New (no ``pk``) or draft payment: the header, the supplier's open payables each with an
    "allocate" input (refreshed by htmx when the supplier changes; "Oldest first" fills them
    from the amount), running allocated / unallocated figures, and Save draft / Post / Cancel.

    Posting saves the draft first, then posts it (like the warehouse documents); a refusal
    (409 ``over_allocation``) leaves the saved draft, with what was typed, and shows the
    service's sentence."""

    template_name = "finance/payment_editor.html"  # permission and draft-only dispatch: DocumentEditor's

    def form(self, data=None):
        initial = {} if self.object else {"date": timezone.localdate()}
        if self.object is None and self.request.GET.get("supplier", "").isdigit():
            initial["supplier"] = int(self.request.GET["supplier"])
        return SupplierPaymentForm(data=data, instance=self.object, initial=initial, user=self.request.user)

    def _allocated(self) -> dict[int, Decimal]:
        if self.object is None:
            return {}
        return dict(self.object.allocations.values_list("payable_id", "amount"))

    def get(self, request, *args, **kwargs):
        form = self.form()
        supplier_id = form.initial.get("supplier") or (self.object.supplier_id if self.object else None)
        saved = self._allocated()
        payables = open_payables(supplier_id, include=saved)
        allocations = Allocations.from_amounts(payables, saved)
        amount = self.object.amount if self.object else None
        return self.render_editor(
            form, allocation_context(self.object, allocations, amount, supplier_chosen=bool(supplier_id))
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        supplier_id = request.POST.get("supplier", "")
        supplier_id = int(supplier_id) if supplier_id.isdigit() else None
        same_supplier = self.object is not None and self.object.supplier_id == supplier_id
        payables = open_payables(supplier_id, include=self._allocated() if same_supplier else ())
        allocations = Allocations.from_data(payables, request.POST)
        alloc_errors: list[str] = []
        if form.is_valid() and allocations.is_valid():
            data = {**form.service_data(), "allocations": allocations.service_allocations()}
            try:
                if self.object is None:
                    payment = services.supplier_payment_create(user=request.user, **data)
                else:
                    payment = services.supplier_payment_update(user=request.user, payment=self.object, **data)
            except ValidationError as exc:
                alloc_errors = _split_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                return self.after_save(payment, form, allocations)
        else:
            alloc_errors = allocations.errors
        context = allocation_context(
            self.object,
            allocations,
            _typed_amount(request.POST),
            errors=alloc_errors,
            supplier_chosen=bool(supplier_id),
        )
        return self.render_editor(form, context, status=400)

    def after_save(self, payment, form, allocations):
        request = self.request
        if request.POST.get("_action") != "post":
            messages.success(request, _("%(number)s was saved as a draft.") % {"number": payment.number})
            return HttpResponseRedirect(self.url("update", payment.pk))
        if not request.user.has_perm(self.kind.post_permission()):
            messages.error(request, _("You may save this draft but not post it."))
            return HttpResponseRedirect(self.url("update", payment.pk))
        try:
            payment = services.supplier_payment_post(payment=payment, user=request.user)
        except BusinessError as exc:
            # The draft is saved with what was typed; show it again with the refusal on top.
            self.object = payment
            form = self.form(request.POST)
            form.is_valid()
            form.add_error(
                None,
                _("%(number)s was saved as a draft but not posted: %(reason)s")
                % {"number": payment.number, "reason": exc.detail},
            )
            context = allocation_context(payment, allocations, payment.amount)
            return self.render_editor(form, context, status=409)
        messages.success(request, _("%(number)s was posted.") % {"number": payment.number})
        return HttpResponseRedirect(self.url("detail", payment.pk))

    def render_editor(self, form, allocation, *, status=200):
        payment = self.object
        form.fields["supplier"].widget.attrs.update(
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
            document=payment,
            title=(
                _("%(model)s %(number)s") % {"model": capfirst(self.model._meta.verbose_name), "number": payment.number}
                if payment
                else _("New %(model)s") % {"model": self.model._meta.verbose_name}
            ),
            action_url=self.url("update", payment.pk) if payment else self.url("create"),
            allocations_url=self.url("allocations"),
            may_post=self.request.user.has_perm(self.kind.post_permission()),
            cancel_url=self.url("cancel", payment.pk) if payment else None,
            print_url=self.url("print", payment.pk) if payment else None,
            back_url=self.url("list"),
            **allocation,
        )
        return self.render_to_response(context, status=status)


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


class PaymentAllocations(PaymentPage, Page):
    """htmx: the allocation table again for the chosen supplier (after a change of supplier),
    or filled oldest first from the amount (``fill=oldest``) or emptied (``fill=clear``).
    Reads the whole form; writes nothing."""

    template_name = "finance/_allocations.html"
    http_method_names = ["post"]

    def get_permission_required(self):
        return [perm(self.model, "add")]

    def post(self, request, *args, **kwargs):
        supplier_id = request.POST.get("supplier", "")
        supplier_id = int(supplier_id) if supplier_id.isdigit() else None
        payment = None
        payment_id = request.POST.get("payment", "")
        if payment_id.isdigit():
            payment = self.kind.selector(request.user).filter(pk=int(payment_id), status=DRAFT).first()
        saved = dict(payment.allocations.values_list("payable_id", "amount")) if payment else {}
        if payment is not None and payment.supplier_id != supplier_id:
            saved = {}
        payables = open_payables(supplier_id, include=saved)
        amount = _typed_amount(request.POST)
        fill = request.POST.get("fill", "")
        if fill == "oldest":
            allocations = Allocations.from_amounts(payables, oldest_first(payables, amount))
        elif fill == "clear":
            allocations = Allocations.from_amounts(payables, {})
        else:
            allocations = Allocations.from_data(payables, request.POST)
        context = allocation_context(payment, allocations, amount, supplier_chosen=bool(supplier_id))
        context["allocations_url"] = self.url("allocations")
        return render(request, self.template_name, context)


def _payment_header(payment: SupplierPayment) -> list[dict]:
    model = SupplierPayment
    rows = []
    for name in ("number", "date", "supplier", "account", "amount", "reference"):
        field = model._meta.get_field(name)
        value = getattr(payment, name)
        if name == "amount":
            text = format_money(value)
        elif name == "supplier":
            text = f"{value.code} {value.name}"
        elif hasattr(value, "isoformat"):
            text = value.isoformat()
        else:
            text = str(value) if value not in (None, "") else "—"
        rows.append({"label": capfirst(str(field.verbose_name)), "value": text})
    rows.append({"label": capfirst(_("created by")), "value": payment.created_by.display_name})
    if payment.note:
        rows.append({"label": capfirst(_("note")), "value": payment.note})
    return rows


def _allocation_rows(payment: SupplierPayment) -> tuple[list[dict], Decimal]:
    allocations = list(payment.allocations.select_related("payable").order_by("id"))
    rows = [{"allocation": a, "payable": a.payable, "url": _source_link(a.payable)} for a in allocations]
    return rows, sum((a.amount for a in allocations), ZERO)


class PaymentDetail(PaymentPage, ObjectPage):
    """A posted or cancelled payment, read-only: header, the payables it settled, who did what
    when, Print and Cancel (which reverses the allocations). A draft opens in its editor for
    those who may change it."""

    template_name = "finance/payment_detail.html"

    def get(self, request, *args, **kwargs):
        if self.object.status == DRAFT and self.may("change"):
            return HttpResponseRedirect(self.url("update", self.object.pk))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.object
        may_post = self.request.user.has_perm(self.kind.post_permission())
        rows, allocated = _allocation_rows(payment)
        context.update(
            {
                "object": payment,
                "title": f"{context['model_name']} {payment.number}",
                "header_rows": _payment_header(payment),
                "rows": rows,
                "allocated": allocated,
                "unallocated": payment.amount - allocated,
                "timeline": _timeline(payment),
                "print_url": self.url("print", payment.pk),
                "post_url": self.url("post", payment.pk) if may_post and payment.status == DRAFT else None,
                "cancel_url": self.url("cancel", payment.pk)
                if may_post and payment.status in (DRAFT, POSTED)
                else None,
            }
        )
        return context


class PaymentPrint(PaymentPage, ObjectPage):
    """A4 print view of a payment: company header, number and barcode, the payables settled,
    signature lines."""

    template_name = "finance/payment_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.object
        rows, allocated = _allocation_rows(payment)
        signatures = [_("Prepared by"), _("Approved by"), _("Cashier")]
        context.update(
            {
                "object": payment,
                "title": payment.number,
                "header_rows": _payment_header(payment),
                "rows": rows,
                "allocated": allocated,
                **print_context(self, payment, signatures=signatures),
            }
        )
        return context


payment_post = action_view(PaymentKind, "post")
payment_cancel = action_view(PaymentKind, "cancel")
