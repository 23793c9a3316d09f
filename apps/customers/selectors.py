"""Reads about customers: whose customers a user sees, their contacts and complaint tickets, and
what the customer page shows (recent documents, open receivables, credit used)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from apps.accounts.departments import CUSTOMER_SERVICE, MANAGEMENT, SALES
from apps.accounts.selectors import sees_all_customers

from .models import Complaint, ComplaintNote, Customer, CustomerContact

RECENT_DOCUMENTS = 10


def customers_for(user) -> QuerySet[Customer]:
    """Customers the user may see: all for management, customer service, finance and the
    warehouse; a salesperson sees the customers assigned to them."""
    queryset = Customer.objects.select_related("salesperson")
    if sees_all_customers(user):
        return queryset
    return queryset.filter(salesperson=user)


def contacts_for(user) -> QuerySet[CustomerContact]:
    """Contacts of the customers ``user`` sees."""
    return CustomerContact.objects.select_related("customer").filter(customer__in=customers_for(user))


def complaints_for(user) -> QuerySet[Complaint]:
    """Complaint tickets ``user`` sees: all for customer service and management, a
    salesperson's own customers' only (who reads tickets at all is the view_complaint
    permission's business)."""
    queryset = Complaint.objects.select_related("customer", "assignee", "created_by")
    if sees_all_customers(user):
        return queryset
    return queryset.filter(customer__salesperson=user)


def complaint_history(complaint: Complaint) -> QuerySet[ComplaintNote]:
    """The ticket's notes and status changes, oldest first, with their authors."""
    return complaint.notes.select_related("author").order_by("created_at", "id")


def complaint_handlers(*, current=None) -> QuerySet:
    """Who may be assigned a ticket: active members of customer service, sales and management
    (and the ticket's current assignee, so an edit does not drop them)."""
    condition = Q(groups__name__in=[CUSTOMER_SERVICE, SALES, MANAGEMENT], is_active=True)
    if current is not None:
        condition |= Q(pk=current.pk)
    return get_user_model().objects.filter(condition).distinct().order_by("username")


# The customer's documents the customer page and the statement link to: kind -> permission to
# read it. Their models and scoped selectors are looked up when used (sales and finance build on
# customers, not the other way round).
DOCUMENT_PERMISSIONS = {
    "orders": "sales.view_salesorder",
    "deliveries": "sales.view_delivery",
    "returns": "sales.view_salesreturn",
    "receipts": "finance.view_customerreceipt",
}


def _document_sources() -> dict:
    """kind -> (model, function(user) giving the documents of that kind ``user`` reads)."""
    from apps.finance.models import CustomerReceipt
    from apps.sales import selectors as sales
    from apps.sales.models import Delivery, SalesOrder, SalesReturn

    return {
        "orders": (SalesOrder, sales.sales_orders_for),
        "deliveries": (Delivery, sales.deliveries_for),
        "returns": (SalesReturn, sales.sales_returns_for),
        "receipts": (CustomerReceipt, lambda user: CustomerReceipt.objects.select_related("customer", "account")),
    }


def customer_documents(*, customer: Customer, user, limit: int = RECENT_DOCUMENTS) -> dict[str, list]:
    """The customer's latest sales orders, deliveries, returns and receipts (newest first,
    ``limit`` of each) that ``user`` may read: each kind needs its view permission, and the
    warehouse documents are limited to the warehouses the user reads. One query per kind."""
    found = {}
    for kind, (_model, documents_for) in _document_sources().items():
        if user.has_perm(DOCUMENT_PERMISSIONS[kind]):
            documents = documents_for(user).filter(customer=customer).order_by("-date", "-id")
            found[kind] = list(documents[:limit])
    return found


def find_documents(*, customer: Customer, numbers) -> dict[str, tuple[str, int]]:
    """``{number: (kind, id)}`` for those of ``numbers`` that are the customer's orders,
    deliveries, returns or receipts (to link a statement row or a ticket to its document).
    One query per kind, none without numbers."""
    numbers = {number for number in numbers if number}
    found: dict[str, tuple[str, int]] = {}
    if not numbers:
        return found
    for kind, (model, _documents_for) in _document_sources().items():
        for pk, number in model.objects.filter(customer=customer, number__in=numbers).values_list("pk", "number"):
            found[number] = (kind, pk)
    return found


def open_receivables(*, customer: Customer) -> QuerySet:
    """The customer's open receivables and credit notes with something outstanding
    (``outstanding_amount``), the oldest due first."""
    from apps.finance.models import OpenItemStatus, Receivable
    from apps.finance.selectors import with_outstanding

    return (
        with_outstanding(Receivable.objects.filter(customer=customer, status=OpenItemStatus.OPEN))
        .exclude(outstanding_amount=0)
        .order_by("due_date", "date", "id")
    )
