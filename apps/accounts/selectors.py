"""Who may see what: departments, warehouse scope and customer scope of a user."""

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from apps.inventory.models import Warehouse

from .departments import SEE_ALL_CUSTOMERS, SEE_ALL_WAREHOUSES

OPERATE_WAREHOUSE = "inventory.operate_warehouse"


def user_departments(user) -> list[str]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_jxc_departments", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._jxc_departments = cached
    return cached


def sees_all_warehouses(user) -> bool:
    return user.is_superuser or bool(SEE_ALL_WAREHOUSES & set(user_departments(user)))


def assigned_warehouses(user) -> QuerySet[Warehouse]:
    """Warehouses the user was assigned (guardian object permission), whatever the department."""
    return get_objects_for_user(user, OPERATE_WAREHOUSE, klass=Warehouse, accept_global_perms=False, with_superuser=False)


def warehouses_for(user) -> QuerySet[Warehouse]:
    """Warehouses the user may operate: all for management and IT, else the assigned ones."""
    if sees_all_warehouses(user):
        return Warehouse.objects.all()
    return assigned_warehouses(user)


def may_operate_warehouse(user, warehouse: Warehouse) -> bool:
    return sees_all_warehouses(user) or user.has_perm(OPERATE_WAREHOUSE, warehouse)


def sees_all_customers(user) -> bool:
    return user.is_superuser or bool(SEE_ALL_CUSTOMERS & set(user_departments(user)))
