from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api import MasterDataViewSet

from . import services
from .filters import CustomerFilter
from .models import Customer
from .selectors import customers_for


class CustomerSerializer(serializers.ModelSerializer):
    salesperson = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
        label=_("salesperson"),
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "contact",
            "phone",
            "email",
            "address",
            "credit_limit",
            "payment_terms_days",
            "grade",
            "tax_number",
            "salesperson",
            "is_active",
        ]


class CustomerViewSet(MasterDataViewSet):
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    queryset = Customer.objects.none()  # for the permission class and the schema
    create_service = staticmethod(services.customer_create)
    update_service = staticmethod(services.customer_update)
    instance_kwarg = "customer"

    def get_queryset(self):
        return customers_for(self.request.user)
