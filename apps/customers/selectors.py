from django.db.models import QuerySet

from apps.accounts.selectors import sees_all_customers

from .models import Customer


def customers_for(user) -> QuerySet[Customer]:
    """Customers the user may see: all for management, customer service, finance and the
    warehouse; a salesperson sees the customers assigned to them."""
    queryset = Customer.objects.select_related("salesperson")
    if sees_all_customers(user):
        return queryset
    return queryset.filter(salesperson=user)
