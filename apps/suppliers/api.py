from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api import MasterDataViewSet

from . import services
from .filters import SupplierFilter, SupplierProductFilter
from .models import Supplier, SupplierProduct


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "name",
            "contact",
            "phone",
            "email",
            "address",
            "payment_terms_days",
            "tax_number",
            "bank_account",
            "is_active",
        ]


class SupplierViewSet(MasterDataViewSet):
    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter
    create_service = staticmethod(services.supplier_create)
    update_service = staticmethod(services.supplier_update)
    instance_kwarg = "supplier"


class SupplierProductSerializer(serializers.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True, label=_("supplier code"))
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, label=_("supplier name"))
    sku = serializers.CharField(source="product.sku", read_only=True, label=_("SKU"))
    product_name = serializers.CharField(source="product.name", read_only=True, label=_("product name"))

    class Meta:
        model = SupplierProduct
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "supplier_name",
            "product",
            "sku",
            "product_name",
            "supplier_sku",
            "last_price",
            "last_purchase_date",
            "lead_time_days",
            "min_order_qty",
            "is_preferred",
        ]
        read_only_fields = ["last_price", "last_purchase_date"]
        # The unique constraints (supplier × product, one preferred supplier per product) are
        # checked by the model in the service, with their own messages.
        validators = []


class SupplierProductViewSet(MasterDataViewSet):
    """What each supplier sells us: its SKU, lead time, minimum order and whether it is the
    product's preferred supplier (at most one per product). The last price and date are kept
    by posted receipts (read-only here)."""

    queryset = SupplierProduct.objects.select_related("supplier", "product")
    serializer_class = SupplierProductSerializer
    filterset_class = SupplierProductFilter
    create_service = staticmethod(services.supplier_product_create)
    update_service = staticmethod(services.supplier_product_update)
    delete_service = staticmethod(services.supplier_product_delete)
    instance_kwarg = "supplier_product"
    xlsx_filename = "supplier-products"
