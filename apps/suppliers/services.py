from apps.core.services import record_delete, record_save

from .models import Supplier, SupplierProduct


def supplier_create(*, user, **fields) -> Supplier:
    return record_save(Supplier(), user=user, fields=fields)


def supplier_update(*, supplier: Supplier, user, **fields) -> Supplier:
    return record_save(supplier, user=user, fields=fields)


def supplier_product_create(*, user, **fields) -> SupplierProduct:
    """A supplier's product. The unique constraints (one row per supplier and product, one
    preferred supplier per product) come back as validation errors (400)."""
    return record_save(SupplierProduct(), user=user, fields=fields)


def supplier_product_update(*, supplier_product: SupplierProduct, user, **fields) -> SupplierProduct:
    return record_save(supplier_product, user=user, fields=fields)


def supplier_product_delete(*, supplier_product: SupplierProduct, user) -> None:
    record_delete(supplier_product, user=user)
