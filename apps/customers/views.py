"""Customer pages: the list, the customer page (客户详情: credit, contacts, recent documents, open
receivables, complaints), contacts (add, edit, remove), the statement (对账单: page, print,
Excel) and complaint tickets (客诉: list, new, ticket page with its history, note, move, assign).

A salesperson sees and edits only their own customers (``customers_for``) and their tickets;
anyone else's are a 404. Every write is one call of ``services``; a ValidationError lands next
to its field, a BusinessError (409) is shown as the service's sentence.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import sees_all_customers
from apps.core.errors import BusinessError
from apps.core.pages import Column, CreatePage, DetailPage, ListPage, ObjectPage, UpdatePage, add_service_errors, perm
from apps.core.services import record_delete
from apps.inventory.document_views import StatusColumn
from apps.reports.views import optional_url

from . import selectors, services
from .filters import ComplaintFilter, CustomerFilter
from .forms import (
    ComplaintAssignForm,
    ComplaintForm,
    ComplaintMoveForm,
    ComplaintNoteForm,
    CustomerContactForm,
    CustomerForm,
    StatementForm,
    salespeople,
)
from .models import Complaint, ComplaintStatus, Customer, CustomerContact
from .selectors import complaint_handlers, complaints_for, customers_for
from .statements import statement_for

VIEW_RECEIVABLE = "finance.view_receivable"
S = ComplaintStatus

# Document kind (selectors.DOCUMENT_PERMISSIONS) -> (title, detail URL name, list URL name).
DOCUMENTS = {
    "orders": (gettext_lazy("Sales orders"), "sales:order-detail", "sales:order-list"),
    "deliveries": (gettext_lazy("Deliveries"), "sales:delivery-detail", "sales:delivery-list"),
    "returns": (gettext_lazy("Sales returns"), "sales:return-detail", "sales:return-list"),
    "receipts": (gettext_lazy("Customer receipts"), "finance:receipt-detail", "finance:receipt-list"),
}
# A receivable's source_type -> the document kind it links to.
RECEIVABLE_SOURCES = {"delivery": "deliveries", "sales_return": "returns"}
# Statuses shown with another status's colour (UI.md: partially done amber, done green).
BADGES = {
    "partially_delivered": "partial",
    "delivered": "done",
    "sent": "submitted",
    "converted": "done",
    S.OPEN: "submitted",
    S.IN_PROGRESS: "partial",
    S.RESOLVED: "approved",
}


def document_url(kind: str, pk: int, user) -> str | None:
    """The detail page of a customer's document (``selectors.find_documents`` kinds) if the
    page exists yet and ``user`` may read that kind."""
    _title, detail, _listing = DOCUMENTS[kind]
    if not user.has_perm(selectors.DOCUMENT_PERMISSIONS[kind]):
        return None
    return optional_url(detail, pk)


class CustomerPage:
    model = Customer
    url_base = "customers:customer"

    def get_queryset(self):
        return customers_for(self.request.user)


class CustomerList(CustomerPage, ListPage):
    filterset_class = CustomerFilter
    api_url_name = "customer-list"
    search_placeholder = gettext_lazy("Code, name, pinyin, contact or phone")
    columns = (
        Column("code", link=True, order=True),
        Column("name", link=True, order=True),
        Column("contact"),
        Column("phone"),
        Column("salesperson"),
        Column("grade"),
        Column("credit_limit", order=True),
        Column("payment_terms_days", order=True),
        Column("is_active"),
    )

    @property
    def filter_fields(self):
        if sees_all_customers(self.request.user):
            return ("search", "salesperson", "is_active")
        return ("search", "is_active")

    def tune_filter_form(self, form):
        if "salesperson" in form.fields:
            form.fields["salesperson"].queryset = salespeople()
        super().tune_filter_form(form)


class CustomerDetail(CustomerPage, DetailPage):
    """The customer's fields and credit (limit, used, available), its contacts (add, edit,
    remove for those who may), recent documents, open receivables and complaint tickets, with
    links to the statement and the filtered lists. Each section needs its view permission."""

    template_name = "customers/customer_detail.html"
    fields = tuple(CustomerForm._meta.fields)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer, user = self.object, self.request.user
        if user.has_perm(VIEW_RECEIVABLE):
            from apps.sales.services import credit_position

            context["credit"] = credit_position(customer)
            context["receivables"] = self.receivable_rows(customer)
            context["receivables_url"] = optional_url("finance:receivable-list", query={"customer": customer.pk})
            context["statement_url"] = reverse("customers:customer-statement", args=[customer.pk])
        if user.has_perm(perm(CustomerContact, "view")):
            context["contacts"] = self.contact_rows(customer)
            if user.has_perm(perm(CustomerContact, "add")):
                form = CustomerContactForm(user=user)
                form.fields["name"].widget.attrs.pop("autofocus", None)
                context["contact_form"] = form
                context["contact_form_url"] = reverse("customers:customer-contact-create", args=[customer.pk])
        context["documents"] = self.documents(customer)
        if user.has_perm(perm(Complaint, "view")):
            context["complaints"] = [
                {"complaint": complaint, "badge": BADGES.get(complaint.status, complaint.status)}
                for complaint in customer.complaints.select_related("assignee")[: selectors.RECENT_DOCUMENTS]
            ]
            context["complaints_url"] = reverse("customers:complaint-list") + "?" + urlencode({"customer": customer.pk})
            if user.has_perm(perm(Complaint, "add")):
                context["new_complaint_url"] = (
                    reverse("customers:complaint-create") + "?" + urlencode({"customer": customer.pk})
                )
        return context

    def receivable_rows(self, customer):
        """Open receivables and credit notes with a link to their delivery or return; overdue
        ones (something owed, due before today) are marked."""
        today = timezone.localdate()
        user = self.request.user
        return [
            {
                "item": item,
                "url": document_url(RECEIVABLE_SOURCES[item.source_type], item.source_id, user)
                if item.source_type in RECEIVABLE_SOURCES
                else None,
                "overdue": item.outstanding_amount > 0 and item.due_date < today,
                "days_overdue": (today - item.due_date).days,
            }
            for item in selectors.open_receivables(customer=customer)
        ]

    def contact_rows(self, customer):
        may_change = self.request.user.has_perm(perm(CustomerContact, "change"))
        may_delete = self.request.user.has_perm(perm(CustomerContact, "delete"))
        return [
            {
                "contact": contact,
                "edit_url": reverse("customers:customer-contact-update", args=[customer.pk, contact.pk])
                if may_change
                else None,
                "delete_url": reverse("customers:customer-contact-delete", args=[customer.pk, contact.pk])
                if may_delete
                else None,
            }
            for contact in customer.contacts.all()
        ]

    def documents(self, customer):
        user = self.request.user
        sections = []
        for name, documents in selectors.customer_documents(customer=customer, user=user).items():
            title, _detail, listing = DOCUMENTS[name]
            sections.append(
                {
                    "name": name,
                    "title": title,
                    "all_url": optional_url(listing, query={"customer": customer.pk}),
                    "rows": [
                        {
                            "document": document,
                            "url": document_url(name, document.pk, user),
                            "badge": BADGES.get(document.status, document.status),
                            "amount": document.amount if name == "receipts" else document.total,
                        }
                        for document in documents
                    ],
                }
            )
        return sections


class CustomerCreate(CustomerPage, CreatePage):
    form_class = CustomerForm
    service = staticmethod(services.customer_create)


class CustomerUpdate(CustomerPage, UpdatePage):
    form_class = CustomerForm
    service = staticmethod(services.customer_update)
    instance_kwarg = "customer"


# --- Contacts -------------------------------------------------------------------------------


class ContactPage(CustomerPage, ObjectPage):
    """Add (``<pk>/contacts/new/``) or edit (``<pk>/contacts/<item>/edit/``) one of the
    customer's contacts; the customer is ``object`` (404 outside the user's customers), the
    contact ``contact``. Back on the customer page when saved."""

    template_name = "core/form.html"

    @property
    def verb(self) -> str:
        return "change" if "item" in self.kwargs else "add"

    def get_permission_required(self):
        return [perm(CustomerContact, self.verb)]

    def get_object(self):
        customer = super().get_object()
        if "item" in self.kwargs:
            self.contact = get_object_or_404(CustomerContact, pk=self.kwargs["item"], customer=customer)
        else:
            self.contact = CustomerContact(customer=customer)
        return customer

    def back_url(self) -> str:
        return reverse("customers:customer-detail", args=[self.object.pk]) + "#contacts"

    def render_form(self, form):
        if self.contact.pk:
            names = {"name": form.initial.get("name"), "customer": self.object}
            title = _("Edit contact %(name)s of %(customer)s") % names
        else:
            title = _("New contact of %(customer)s") % {"customer": self.object}
        context = self.get_context_data(form=form, form_errors=form.non_field_errors(), title=title)
        context["cancel_url"] = self.back_url()
        return self.render_to_response(context)

    def get(self, request, *args, **kwargs):
        return self.render_form(CustomerContactForm(user=request.user, instance=self.contact))

    def post(self, request, *args, **kwargs):
        form = CustomerContactForm(request.POST, user=request.user, instance=self.contact)
        if form.is_valid():
            try:
                contact = services.contact_save(contact=self.contact, user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Contact %(name)s was saved.") % {"name": contact.name})
                return HttpResponseRedirect(self.back_url())
        return self.render_form(form)


class ContactDelete(ContactPage):
    """POST only (the customer page's Remove button asks first)."""

    verb = "delete"

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        name = self.contact.name
        try:
            record_delete(self.contact, user=request.user)
        except ProtectedError:
            messages.error(request, _("This record is used by other records and cannot be deleted."))
        else:
            messages.success(request, _("Contact %(name)s was removed.") % {"name": name})
        return HttpResponseRedirect(self.back_url())


# --- Statement (对账单) ------------------------------------------------------------------------


class CustomerStatement(CustomerPage, ObjectPage):
    """对账单 for a period (``?date_from=&date_to=``, default this month): the opening balance,
    each delivery, return and receipt with the running balance, the totals and the closing
    balance; Print (A4) and Excel with the same figures. Needs the receivables' view
    permission (not the warehouse)."""

    template_name = "customers/statement.html"

    def get_permission_required(self):
        return [perm(Customer, "view"), VIEW_RECEIVABLE]

    def statement(self):
        form = StatementForm(self.request.GET, user=self.request.user)
        if not form.is_valid():
            return form, None
        statement = statement_for(customer=self.object, **form.params())
        found = selectors.find_documents(customer=self.object, numbers=[row["number"] for row in statement["rows"]])
        for row in statement["rows"]:
            kind_pk = found.get(row["number"])
            row["url"] = document_url(*kind_pk, self.request.user) if kind_pk else None
        return form, statement

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        form, statement = self.statement()
        context.update(
            {
                "object": customer,
                "title": _("Statement of %(customer)s") % {"customer": customer},
                "form": form,
                "statement": statement,
                "customer_url": reverse("customers:customer-detail", args=[customer.pk]),
            }
        )
        if statement is not None:
            period = {"date_from": statement["date_from"], "date_to": statement["date_to"]}
            context["print_url"] = reverse("customers:customer-statement-print", args=[customer.pk])
            context["print_url"] += "?" + urlencode(period)
            context["excel_url"] = reverse("customer-statement", args=[customer.pk])
            context["excel_url"] += "?" + urlencode({**period, "format": "xlsx"})
        return context


class CustomerStatementPrint(CustomerStatement):
    """The statement on an A4 sheet: company, customer, period, the table and the signature
    lines of both sides."""

    template_name = "customers/statement_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        statement = context["statement"]
        query = {"date_from": statement["date_from"], "date_to": statement["date_to"]} if statement else {}
        context.update(
            {
                "heading": _("Statement"),
                "header_rows": [
                    {"label": _("Customer"), "value": f"{customer.code} {customer.name}"},
                    {"label": _("Contact"), "value": customer.contact or "—"},
                    {"label": _("Phone"), "value": customer.phone or "—"},
                    {"label": _("Salesperson"), "value": customer.salesperson or "—"},
                    {"label": capfirst(_("payment terms (days)")), "value": customer.payment_terms_days},
                    {"label": _("Tax number"), "value": customer.tax_number or "—"},
                ],
                "signatures": [_("Prepared by"), _("Checked by"), _("Customer's confirmation")],
                "printed_at": timezone.now(),
                "back_url": reverse("customers:customer-statement", args=[customer.pk]) + "?" + urlencode(query),
            }
        )
        return context


# --- Complaints (客诉) ------------------------------------------------------------------------


class ComplaintStatusColumn(StatusColumn):
    """The ticket's status as a badge in the colour of the documents' statuses (``BADGES``)."""

    def bind(self, model):
        bound = super().bind(model)
        bound.__class__ = ComplaintStatusColumn
        return bound

    def cell(self, obj):
        return {"badge": BADGES.get(obj.status, obj.status), "text": obj.get_status_display()}


class ComplaintPage:
    model = Complaint
    url_base = "customers:complaint"

    def get_queryset(self):
        return complaints_for(self.request.user)


class ComplaintList(ComplaintPage, ListPage):
    """The tickets the user sees, newest first; the filter bar picks status, category,
    assignee and "assigned to me" (``?mine=true``); the priority column sorts."""

    filterset_class = ComplaintFilter
    api_url_name = "complaint-list"
    filter_fields = ("search", "status", "category", "assignee", "mine")
    search_placeholder = gettext_lazy("Number, subject, customer or document")
    columns = (
        Column("number", link=True, order=True),
        Column("created_at", order=True, value=lambda c: timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M")),
        Column("customer"),
        Column("subject", link=True),
        Column("category"),
        Column("priority", order=True),
        ComplaintStatusColumn("status", order=True),
        Column("assignee", value=lambda c: c.assignee.display_name if c.assignee else ""),
        Column("document_number"),
    )

    def tune_filter_form(self, form):
        form.fields["assignee"].queryset = complaint_handlers()
        super().tune_filter_form(form)


class ComplaintCreate(ComplaintPage, CreatePage):
    """A new ticket; ``?customer=<id>`` (from the customer page) fills the customer in."""

    form_class = ComplaintForm
    service = staticmethod(services.complaint_create)

    def get_form(self, data=None):
        form = super().get_form(data)
        customer = self.request.GET.get("customer", "")
        if data is None and customer.isdigit():
            form.initial["customer"] = int(customer)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("New complaint")
        return context


class ComplaintUpdate(ComplaintPage, UpdatePage):
    form_class = ComplaintForm
    service = staticmethod(services.complaint_update)
    instance_kwarg = "complaint"


MOVE_LABELS = {
    S.OPEN: gettext_lazy("Back to open"),
    S.IN_PROGRESS: gettext_lazy("Start work"),
    S.RESOLVED: gettext_lazy("Resolve"),
    S.CLOSED: gettext_lazy("Close"),
}


class ComplaintDetail(ComplaintPage, DetailPage):
    """The ticket: its fields, the linked document, its history (notes and status changes,
    oldest first) and, for those who may change tickets and while it is not closed, a note
    box, the moves its status allows and the assignee."""

    template_name = "customers/complaint_detail.html"
    fields = (
        "number",
        "customer",
        "subject",
        "category",
        "priority",
        "status",
        "assignee",
        "created_by",
        "description",
        "resolution",
    )

    def get_context_data(self, **kwargs):
        # Not DetailPage's: tickets keep their history as notes, not in the audit trail.
        context = super(DetailPage, self).get_context_data(**kwargs)
        complaint, user = self.object, self.request.user
        open_for_change = self.may("change") and complaint.status != S.CLOSED
        found = selectors.find_documents(customer=complaint.customer, numbers=[complaint.document_number])
        kind_pk = found.get(complaint.document_number)
        context.update(
            {
                "object": complaint,
                "title": f"{context['model_name']} {complaint.number}",
                "rows": self.rows(complaint),
                "badge": BADGES.get(complaint.status, complaint.status),
                "document_url": document_url(*kind_pk, user) if kind_pk else None,
                "customer_url": reverse("customers:customer-detail", args=[complaint.customer_id]),
                "created_at": complaint.created_at,
                "notes": selectors.complaint_history(complaint),
                "edit_url": self.url("update", complaint.pk) if open_for_change else None,
            }
        )
        if open_for_change:
            moves = services.TRANSITIONS[S(complaint.status)]
            context.update(
                {
                    "note_form": kwargs.get("note_form") or ComplaintNoteForm(),
                    "move_form": kwargs.get("move_form") or ComplaintMoveForm(),
                    "moves": [
                        {
                            "status": target.value,
                            "label": _("Reopen")
                            if (complaint.status, target) == (S.RESOLVED, S.IN_PROGRESS)
                            else MOVE_LABELS[target],
                        }
                        for target in S
                        if target in moves
                    ],
                    "needs_resolution": S.RESOLVED in moves,
                    "assign_form": kwargs.get("assign_form") or ComplaintAssignForm(current=complaint.assignee),
                    "note_url": self.url("note", complaint.pk),
                    "move_url": self.url("move", complaint.pk),
                    "assign_url": self.url("assign", complaint.pk),
                }
            )
        return context


class ComplaintAction(ComplaintDetail):
    """POST of one of the ticket page's forms (note, move, assign): one service call, then back
    to the ticket; a refusal shows the ticket page again with the form as typed and the
    service's message."""

    verb = "change"
    http_method_names = ["post"]
    form_name = ""

    def make_form(self, data):  # pragma: no cover - subclasses
        raise NotImplementedError

    def perform(self, form):  # pragma: no cover - subclasses
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(self.url("detail", self.object.pk))
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))


class ComplaintNoteAdd(ComplaintAction):
    form_name = "note_form"

    def make_form(self, data):
        return ComplaintNoteForm(data)

    def perform(self, form):
        services.complaint_note(complaint=self.object, user=self.request.user, text=form.cleaned_data["text"])
        return _("The note was added.")


class ComplaintMove(ComplaintAction):
    form_name = "move_form"

    def make_form(self, data):
        return ComplaintMoveForm(data)

    def perform(self, form):
        complaint = services.complaint_move(complaint=self.object, user=self.request.user, **form.cleaned_data)
        return _("%(number)s is now %(status)s.") % {
            "number": complaint.number,
            "status": complaint.get_status_display(),
        }


class ComplaintAssign(ComplaintAction):
    form_name = "assign_form"

    def make_form(self, data):
        return ComplaintAssignForm(data, current=self.object.assignee)

    def perform(self, form):
        complaint = services.complaint_update(
            complaint=self.object, user=self.request.user, assignee=form.cleaned_data["assignee"]
        )
        if complaint.assignee is None:
            return _("%(number)s is assigned to nobody.") % {"number": complaint.number}
        return _("%(number)s is assigned to %(user)s.") % {
            "number": complaint.number,
            "user": complaint.assignee.display_name,
        }
