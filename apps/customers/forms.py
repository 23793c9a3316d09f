from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from apps.accounts.departments import SALES
from apps.accounts.selectors import sees_all_customers
from apps.core.pages import ServiceForm

from .models import Customer


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
