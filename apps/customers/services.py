from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.departments import SALES
from apps.accounts.selectors import sees_all_customers, user_departments
from apps.core.errors import BusinessError
from apps.core.numbering import next_number
from apps.core.services import record_save

from .models import Complaint, ComplaintNote, ComplaintStatus, Customer, CustomerContact


def customer_create(*, user, **fields) -> Customer:
    """Create a customer. A salesperson (who sees only their own customers) owns the customers
    they create and cannot give one to someone else."""
    fields.setdefault("salesperson", None if sees_all_customers(user) else user)
    _check_salesperson(user=user, customer=None, fields=fields)
    return record_save(Customer(), user=user, fields=fields)


def customer_update(*, customer: Customer, user, **fields) -> Customer:
    _check_salesperson(user=user, customer=customer, fields=fields)
    return record_save(customer, user=user, fields=fields)


def _check_salesperson(*, user, customer: Customer | None, fields: dict) -> None:
    if "salesperson" not in fields:
        return
    salesperson = fields["salesperson"]
    if customer is not None and salesperson == customer.salesperson:
        return
    if not sees_all_customers(user) and salesperson != user:
        raise ValidationError({"salesperson": _("You can only assign customers to yourself.")})
    if salesperson is not None and (not salesperson.is_active or SALES not in user_departments(salesperson)):
        raise ValidationError({"salesperson": _("The salesperson must be an active member of the sales department.")})


# --- Contacts (联系人) ----------------------------------------------------------------------


@transaction.atomic
def contact_save(*, contact: CustomerContact, user, **fields) -> CustomerContact:
    """Create or change a contact; at most one contact of a customer is primary (marking one
    unmarks the others)."""
    contact = record_save(contact, user=user, fields=fields)
    if contact.is_primary:
        CustomerContact.objects.filter(customer=contact.customer_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )
    return contact


# --- Complaints and feedback (客诉) ---------------------------------------------------------

S = ComplaintStatus
# Which status a ticket may move to from each: a resolved ticket is closed, or reopened.
TRANSITIONS = {
    S.OPEN: {S.IN_PROGRESS, S.RESOLVED, S.CLOSED},
    S.IN_PROGRESS: {S.OPEN, S.RESOLVED},
    S.RESOLVED: {S.IN_PROGRESS, S.CLOSED},
    S.CLOSED: set(),
}


def _check_document(customer: Customer, number: str) -> None:
    """The linked document must be a sales order, delivery or return of the customer."""
    if not number:
        return
    from apps.sales.models import Delivery, SalesOrder, SalesReturn

    for model in (SalesOrder, Delivery, SalesReturn):
        if model.objects.filter(number=number, customer=customer).exists():
            return
    raise ValidationError(
        {
            "document_number": [
                _("%(number)s is not an order, delivery or return of this customer.") % {"number": number}
            ]
        }
    )


def _check_assignee(assignee) -> None:
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": [_("This user is inactive.")]})


@transaction.atomic
def complaint_create(*, user, customer: Customer, subject: str, **fields) -> Complaint:
    """A new ticket (CMP-<year>-<n>), open, with its first note."""
    _check_document(customer, fields.get("document_number", ""))
    _check_assignee(fields.get("assignee"))
    complaint = Complaint(customer=customer, subject=subject, created_by=user, **fields)
    complaint.number = next_number(prefix=Complaint.number_prefix, date=timezone.localdate())
    complaint.full_clean(exclude=["created_by"])
    complaint.save()
    ComplaintNote.objects.create(complaint=complaint, author=user, text=subject, status_to=S.OPEN)
    return complaint


@transaction.atomic
def complaint_update(*, complaint: Complaint, user, **fields) -> Complaint:
    """Change a ticket's details (not its status: :func:`complaint_move`). A closed ticket is
    409 ``invalid_state``. A change of assignee is noted in the history."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_not_closed(complaint)
    fields.pop("status", None)
    customer = fields.get("customer", complaint.customer)
    if "document_number" in fields or "customer" in fields:
        _check_document(customer, fields.get("document_number", complaint.document_number))
    _check_assignee(fields.get("assignee"))
    before = complaint.assignee
    for name, value in fields.items():
        setattr(complaint, name, value)
    complaint.full_clean(exclude=["created_by"])
    complaint.save()
    if "assignee" in fields and complaint.assignee != before:
        ComplaintNote.objects.create(
            complaint=complaint,
            author=user,
            text=_("Assigned to %(user)s") % {"user": complaint.assignee or "—"},
        )
    return complaint


def _require_not_closed(complaint: Complaint) -> None:
    if complaint.status == S.CLOSED:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s is closed: it cannot change.") % {"number": complaint.number},
        )


@transaction.atomic
def complaint_note(*, complaint: Complaint, user, text: str) -> ComplaintNote:
    """Add a note to a ticket's history (not to a closed one)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_not_closed(complaint)
    if not text.strip():
        raise ValidationError({"text": [_("Write a note.")]})
    note = ComplaintNote.objects.create(complaint=complaint, author=user, text=text.strip())
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=timezone.now())
    return note


@transaction.atomic
def complaint_move(*, complaint: Complaint, user, status: str, note: str = "", resolution: str = "") -> Complaint:
    """Move a ticket to ``status`` (open → in progress → resolved → closed; a resolved one may be
    reopened), noting who, when and why. Resolving needs a resolution (400). A closed ticket
    and a move the flow does not allow are 409 ``invalid_state``; moving an open ticket to its
    current status changes nothing."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_not_closed(complaint)
    if status == complaint.status:
        return complaint
    if status not in S.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status not in TRANSITIONS[S(complaint.status)]:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s is %(status)s: it cannot become %(target)s.")
            % {"number": complaint.number, "status": complaint.get_status_display(), "target": S(status).label},
        )
    if status == S.RESOLVED:
        resolution = (resolution or complaint.resolution).strip()
        if not resolution:
            raise ValidationError({"resolution": [_("Say how it was resolved.")]})
        complaint.resolution = resolution
        complaint.resolved_at = timezone.now()
    ComplaintNote.objects.create(
        complaint=complaint,
        author=user,
        text=note.strip() or (resolution if status == S.RESOLVED else ""),
        status_from=complaint.status,
        status_to=status,
    )
    complaint.status = status
    complaint.save()
    return complaint
