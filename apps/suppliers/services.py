from apps.core.services import record_save

from .models import Supplier


def supplier_create(*, user, **fields) -> Supplier:
    return record_save(Supplier(), user=user, fields=fields)


def supplier_update(*, supplier: Supplier, user, **fields) -> Supplier:
    return record_save(supplier, user=user, fields=fields)
