from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.departments import SALES
from apps.accounts.selectors import sees_all_customers
from apps.core.pages import ServiceForm
from apps.core.widgets import DateInput
from apps.reports.forms import ReportForm

from .models import Complaint, ComplaintStatus, Customer, CustomerContact
from .selectors import complaint_handlers, customers_for


def salespeople(*, current=None):
    """Active members of the sales department (and the customer's current salesperson)."""
    condition = Q(groups__name=SALES, is_active=True)
    if current is not None:
        condition |= Q(pk=current.pk)
    return get_user_model().objects.filter(condition).distinct().order_by("username")


class CustomerForm(ServiceForm):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "contact",
            "phone",
            "email",
            "address",
            "salesperson",
            "grade",
            "credit_limit",
            "payment_terms_days",
            "tax_number",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["salesperson"]
        if self.user is not None and not sees_all_customers(self.user):
            # A salesperson sees only their own customers, so they keep every customer they save.
            field.queryset = get_user_model().objects.filter(pk=self.user.pk)
            field.required = True
            field.empty_label = None
            self.initial["salesperson"] = self.user.pk
        else:
            field.queryset = salespeople(current=self.instance.salesperson if self.instance.pk else None)


# --- Contacts, complaints, statement ---------------------------------------------------------


class CustomerContactForm(ServiceForm):
    """A person at the customer: name, role, phone, e-mail, and whether they are the primary
    contact (marking one unmarks the others)."""

    class Meta:
        model = CustomerContact
        fields = ["name", "role", "phone", "email", "is_primary"]


class ComplaintForm(ServiceForm):
    """A complaint or feedback ticket: the customer (one the user sees), what it is about, the
    linked document's number (checked by the service), category, priority and assignee."""

    class Meta:
        model = Complaint
        fields = ["customer", "subject", "category", "priority", "document_number", "assignee", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers_for(self.user).order_by("code")
        current = self.instance.assignee if self.instance.pk else None
        self.fields["assignee"].queryset = complaint_handlers(current=current)
        self.fields["assignee"].empty_label = _("Nobody")
        self.fields["document_number"].widget.attrs.setdefault("placeholder", "SO-… / DN-… / SR-…")


class ComplaintNoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ComplaintMoveForm(forms.Form):
    """Move a ticket to another status, with a note; resolving needs the resolution (the
    service says so when it is missing)."""

    status = forms.ChoiceField(label=_("Status"), choices=ComplaintStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    resolution = forms.CharField(
        label=_("Resolution"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ComplaintAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["assignee"]
        field.queryset = complaint_handlers(current=current)
        field.empty_label = _("Nobody")
        field.initial = current.pk if current is not None else None


class StatementForm(ReportForm):
    """The statement's period: ``date_from`` (default the first day of the end date's month)
    to ``date_to`` (default today), both included."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def get_defaults(self) -> dict:
        date_to = self.cleaned_data.get("date_to") or timezone.localdate()
        return {"date_to": date_to, "date_from": date_to.replace(day=1)}

    def clean(self):
        data = super().clean()
        date_from = data.get("date_from")
        if date_from and not data.get("date_to") and date_from > timezone.localdate():
            self.add_error("date_to", _("The end date is before the start date."))
        return data
