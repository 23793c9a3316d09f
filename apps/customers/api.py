"""Customers over the API: the customers (a salesperson's own only), their contacts
(``/customer-contacts/?customer=``), complaint tickets (``/complaints/`` with the ``note`` and
``move`` actions) and the statement (``/customers/{id}/statement/``, JSON or Excel).

Views stay thin: input is validated here, every write is one call of ``services``; scope comes
from the selectors (outside it: 404 on a record, 400 on a customer named in the input)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.api import DocumentViewSet, MasterDataViewSet
from apps.core.xlsx import XLSX_MEDIA_TYPE

from . import services, statements
from .filters import ComplaintFilter, CustomerContactFilter, CustomerFilter
from .forms import StatementForm
from .models import Complaint, ComplaintNote, ComplaintStatus, Customer, CustomerContact
from .selectors import complaint_handlers, complaints_for, contacts_for, customers_for


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer the requesting user sees (another one is refused like an unknown id: 400)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Customer.objects.none()
        return customers_for(request.user)


# --- Customers and their statement -----------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    salesperson = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
        label=_("salesperson"),
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "contact",
            "phone",
            "email",
            "address",
            "credit_limit",
            "payment_terms_days",
            "grade",
            "tax_number",
            "salesperson",
            "is_active",
        ]


def _money(label):
    return serializers.DecimalField(max_digits=18, decimal_places=2, label=label)


class StatementRowSerializer(serializers.Serializer):
    date = serializers.DateField(label=_("Date"))
    number = serializers.CharField(label=_("Number"))
    kind = serializers.ChoiceField(choices=list(statements.KINDS), label=_("Kind"))
    debit = _money(_("Debit"))
    credit = _money(_("Credit"))
    balance = _money(_("Balance"))


class StatementSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    code = serializers.CharField(source="customer.code")
    name = serializers.CharField(source="customer.name")
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening = _money(_("Opening balance"))
    rows = StatementRowSerializer(many=True)
    totals = inline_serializer("StatementTotals", {"debit": _money(_("Debit")), "credit": _money(_("Credit"))})
    closing = _money(_("Closing balance"))


@extend_schema_view(
    statement=extend_schema(
        summary=_("The customer's statement (对账单) for a period; ?format=xlsx for Excel"),
        parameters=[
            OpenApiParameter("date_from", datetime.date, description=_("Default: the first day of date_to's month")),
            OpenApiParameter("date_to", datetime.date, description=_("Default: today")),
        ],
        responses=StatementSerializer,
        filters=False,
    )
)
class CustomerViewSet(MasterDataViewSet):
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    queryset = Customer.objects.none()  # for the permission class and the schema
    create_service = staticmethod(services.customer_create)
    update_service = staticmethod(services.customer_update)
    instance_kwarg = "customer"
    action_permissions = {"statement": ["customers.view_customer", "finance.view_receivable"]}

    def get_queryset(self):
        return customers_for(self.request.user)

    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def statement(self, request, pk=None):
        """对账单: the opening balance (everything before ``date_from``), the deliveries (debit),
        return credit notes and posted receipts (credit) of the period with the running
        balance, their totals and the closing balance."""
        customer = self.get_object()
        form = StatementForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors] for name, errors in form.errors.items()})
        params = form.params()
        statement = statements.statement_for(customer=customer, **params)
        if request.accepted_renderer.format == "xlsx":
            response = HttpResponse(statements.statement_workbook(statement), content_type=XLSX_MEDIA_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{statements.statement_filename(statement)}"'
            return response
        return Response(StatementSerializer(statement).data)


# --- Contacts (联系人) ----------------------------------------------------------------------


class CustomerContactSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField(label=_("customer"))
    customer_code = serializers.CharField(source="customer.code", read_only=True, label=_("customer code"))

    class Meta:
        model = CustomerContact
        fields = ["id", "customer", "customer_code", "name", "role", "phone", "email", "is_primary"]


def _contact_create(*, user, **fields) -> CustomerContact:
    return services.contact_save(contact=CustomerContact(), user=user, **fields)


class CustomerContactViewSet(MasterDataViewSet):
    """联系人: the people at a customer (``?customer=<id>``). Sales and management write them; a
    salesperson reads and writes only their own customers' (others' are a 404, or a 400 on
    ``customer``). Marking one primary unmarks the customer's other contacts."""

    serializer_class = CustomerContactSerializer
    filterset_class = CustomerContactFilter
    queryset = CustomerContact.objects.none()  # for the permission class and the schema
    create_service = staticmethod(_contact_create)
    update_service = staticmethod(services.contact_save)
    instance_kwarg = "contact"
    xlsx_filename = "customer-contacts"

    def get_queryset(self):
        return contacts_for(self.request.user)


# --- Complaints (客诉) ------------------------------------------------------------------------


class ComplaintNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True, label=_("author"))

    class Meta:
        model = ComplaintNote
        fields = ["id", "author", "author_name", "text", "status_from", "status_to", "created_at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField(label=_("customer"))
    customer_code = serializers.CharField(source="customer.code", read_only=True, label=_("customer code"))
    customer_name = serializers.CharField(source="customer.name", read_only=True, label=_("customer name"))
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=complaint_handlers(), allow_null=True, required=False, label=_("assignee")
    )
    assignee_name = serializers.CharField(
        source="assignee.display_name", read_only=True, default="", label=_("assignee name")
    )
    created_by = serializers.PrimaryKeyRelatedField(read_only=True, label=_("created by"))
    notes = ComplaintNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "customer",
            "customer_code",
            "customer_name",
            "subject",
            "description",
            "category",
            "priority",
            "document_number",
            "status",
            "assignee",
            "assignee_name",
            "resolution",
            "created_by",
            "created_at",
            "updated_at",
            "resolved_at",
            "notes",
        ]
        read_only_fields = ["number", "status", "created_at", "updated_at", "resolved_at"]

    def get_fields(self):
        fields = super().get_fields()
        # Keep the current assignee valid on an edit even if they have left the departments.
        current = getattr(self.instance, "assignee", None) if isinstance(self.instance, Complaint) else None
        fields["assignee"].queryset = complaint_handlers(current=current)
        return fields


class ComplaintNoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, label=_("note"))


class ComplaintMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices, label=_("status"))
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="", label=_("note"))
    resolution = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default="", label=_("resolution")
    )


@extend_schema_view(
    note=extend_schema(request=ComplaintNoteInputSerializer, summary=_("Add a note to the ticket's history")),
    move=extend_schema(
        request=ComplaintMoveSerializer,
        summary=_("Move the ticket: open → in progress → resolved (needs a resolution) → closed"),
    ),
)
class ComplaintViewSet(DocumentViewSet):
    """客诉 / 反馈: complaint and feedback tickets. Customer service and management see every
    ticket, a salesperson their own customers' (others' are a 404). A closed ticket cannot
    change (409 ``invalid_state``), nor can a move the flow does not allow."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    queryset = Complaint.objects.none()  # for the permission class and the schema
    create_service = staticmethod(services.complaint_create)
    update_service = staticmethod(services.complaint_update)
    instance_kwarg = "complaint"
    action_permissions = {
        "note": ["customers.change_complaint"],
        "move": ["customers.change_complaint"],
    }
    xlsx_filename = "complaints"

    def get_queryset(self):
        return complaints_for(self.request.user).prefetch_related("notes__author")

    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        complaint = self.get_object()
        data = ComplaintNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.complaint_note(complaint=complaint, user=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=complaint.pk)).data)

    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        data = ComplaintMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.run_action(services.complaint_move, **data.validated_data)
