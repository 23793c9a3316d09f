"""Reads of sales: which documents a user sees (a salesperson: those of their own customers; a
warehouse clerk: deliveries and returns of the warehouses they work in)."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.selectors import in_read_scope, sees_all_customers

from .models import Delivery, Quotation, SalesOrder, SalesReturn

SOURCE_DELIVERY = "delivery"
SOURCE_RETURN = "sales_return"


def _own_customers(queryset: QuerySet, user) -> QuerySet:
    if sees_all_customers(user):
        return queryset
    return queryset.filter(customer__salesperson=user)


def quotations_for(user) -> QuerySet[Quotation]:
    return _own_customers(Quotation.objects.select_related("customer", "warehouse", "created_by"), user)


def sales_orders_for(user) -> QuerySet[SalesOrder]:
    return _own_customers(SalesOrder.objects.select_related("customer", "warehouse", "created_by"), user)


def deliveries_for(user) -> QuerySet[Delivery]:
    queryset = Delivery.objects.select_related("customer", "warehouse", "sales_order", "created_by")
    return in_read_scope(_own_customers(queryset, user), user)


def sales_returns_for(user) -> QuerySet[SalesReturn]:
    queryset = SalesReturn.objects.select_related("customer", "warehouse", "delivery", "created_by")
    return in_read_scope(_own_customers(queryset, user), user)
