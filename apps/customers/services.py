from apps.core.services import record_save

from .models import Customer


def customer_create(*, user, **fields) -> Customer:
    return record_save(Customer(), user=user, fields=fields)


def customer_update(*, customer: Customer, user, **fields) -> Customer:
    return record_save(customer, user=user, fields=fields)
