"""Writes for inventory master data. Each is one transaction; validation errors are Django
ValidationErrors with field messages."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from guardian.models import GroupObjectPermission, UserObjectPermission

from apps.core.services import record_delete, record_save

from .models import Category, Product, Unit, Warehouse


def warehouse_create(*, user, **fields) -> Warehouse:
    return record_save(Warehouse(), user=user, fields=fields)


def warehouse_update(*, warehouse: Warehouse, user, **fields) -> Warehouse:
    return record_save(warehouse, user=user, fields=fields)


@transaction.atomic
def warehouse_delete(*, warehouse: Warehouse, user) -> None:
    """Delete an unused warehouse together with the scope assignments that point at it."""
    content_type = ContentType.objects.get_for_model(Warehouse)
    for model in (UserObjectPermission, GroupObjectPermission):
        model.objects.filter(content_type=content_type, object_pk=str(warehouse.pk)).delete()
    record_delete(warehouse, user=user)


def category_create(*, user, **fields) -> Category:
    return record_save(Category(), user=user, fields=fields)


def category_update(*, category: Category, user, **fields) -> Category:
    return record_save(category, user=user, fields=fields)


def unit_create(*, user, **fields) -> Unit:
    return record_save(Unit(), user=user, fields=fields)


def unit_update(*, unit: Unit, user, **fields) -> Unit:
    return record_save(unit, user=user, fields=fields)


def product_create(*, user, **fields) -> Product:
    return record_save(Product(), user=user, fields=fields)


def product_update(*, product: Product, user, **fields) -> Product:
    return record_save(product, user=user, fields=fields)
