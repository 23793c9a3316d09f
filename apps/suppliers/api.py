from rest_framework import serializers

from apps.core.api import MasterDataViewSet

from . import services
from .filters import SupplierFilter
from .models import Supplier


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
