"""Who may see what: departments, warehouse scope and customer scope of a user."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Prefetch, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from apps.inventory.models import Warehouse

from .departments import SEE_ALL_CUSTOMERS, SEE_ALL_WAREHOUSES, WAREHOUSE
from .models import User

OPERATE_WAREHOUSE = "inventory.operate_warehouse"


def user_departments(user) -> list[str]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_jxc_departments", None)
    if cached is None:
        # all() rather than values_list(): it uses the groups prefetched by users_with_scope().
        cached = sorted(group.name for group in user.groups.all())
        user._jxc_departments = cached
    return cached


def users_with_scope() -> QuerySet[User]:
    """Users with their departments and warehouse assignments prefetched, so a list of any
    length costs the same few queries (read them with user_departments() and
    assigned_warehouse_ids())."""
    grants = UserObjectPermission.objects.filter(
        permission__codename="operate_warehouse",
        permission__content_type__app_label="inventory",
        content_type=ContentType.objects.get_for_model(Warehouse),
        # Deleted warehouses leave guardian rows behind (a generic relation): skip them.
        object_pk__in=Warehouse.objects.annotate(pk_text=Cast("pk", CharField())).values("pk_text"),
    ).only("user_id", "object_pk")
    return User.objects.prefetch_related(
        "groups", Prefetch("userobjectpermission_set", queryset=grants, to_attr="_warehouse_grants")
    )


def sees_all_warehouses(user) -> bool:
    return user.is_superuser or bool(SEE_ALL_WAREHOUSES & set(user_departments(user)))


def assigned_warehouses(user) -> QuerySet[Warehouse]:
    """Warehouses the user was assigned (guardian object permission), whatever the department."""
    return get_objects_for_user(
        user, OPERATE_WAREHOUSE, klass=Warehouse, accept_global_perms=False, with_superuser=False
    )


def assigned_warehouse_ids(user) -> list[int]:
    """Ids of the warehouses the user was assigned, sorted; from the prefetch of
    users_with_scope() when there is one."""
    grants = getattr(user, "_warehouse_grants", None)
    if grants is None:
        return sorted(assigned_warehouses(user).values_list("pk", flat=True))
    return sorted(int(grant.object_pk) for grant in grants)


def warehouses_for(user) -> QuerySet[Warehouse]:
    """Warehouses the user may operate: all for management and IT, else the assigned ones."""
    if sees_all_warehouses(user):
        return Warehouse.objects.all()
    return assigned_warehouses(user)


def reads_all_warehouses(user) -> bool:
    """Whether ``user`` reads stock and stock documents of every warehouse: management and IT,
    and the departments whose work is not tied to one warehouse (purchasing, sales, finance,
    customer service). A warehouse clerk reads only the warehouses they operate. Writing is
    always limited to the operated warehouses (``check_warehouse_scope``)."""
    return sees_all_warehouses(user) or WAREHOUSE not in user_departments(user)


def readable_warehouses(user) -> QuerySet[Warehouse]:
    return Warehouse.objects.all() if reads_all_warehouses(user) else warehouses_for(user)


def in_read_scope(queryset: QuerySet, user, field: str = "warehouse") -> QuerySet:
    """``queryset`` limited to the rows whose ``field`` is a warehouse ``user`` reads."""
    if reads_all_warehouses(user):
        return queryset
    return queryset.filter(**{f"{field}__in": warehouses_for(user)})


def may_operate_warehouse(user, warehouse: Warehouse) -> bool:
    return sees_all_warehouses(user) or user.has_perm(OPERATE_WAREHOUSE, warehouse)


def sees_all_customers(user) -> bool:
    return user.is_superuser or bool(SEE_ALL_CUSTOMERS & set(user_departments(user)))


def check_warehouse_scope(user, *warehouses: Warehouse) -> None:
    """Refuse (403) unless ``user`` may operate every one of ``warehouses``."""
    for warehouse in warehouses:
        if not may_operate_warehouse(user, warehouse):
            raise PermissionDenied(_("You are not assigned to warehouse %(warehouse)s.") % {"warehouse": warehouse})
