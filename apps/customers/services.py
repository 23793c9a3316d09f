from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.accounts.departments import SALES
from apps.accounts.selectors import sees_all_customers, user_departments
from apps.core.services import record_save

from .models import Customer


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
