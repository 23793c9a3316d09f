from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.selectors import sees_all_customers
from apps.core.api import MasterDataViewSet

from . import services
from .filters import CustomerFilter
from .models import Customer
from .selectors import customers_for


class CustomerSerializer(serializers.ModelSerializer):
    salesperson = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
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

    def validate_salesperson(self, salesperson):
        """A salesperson (who sees only their own customers) keeps new customers as their own."""
        user = self.context["request"].user
        if not sees_all_customers(user) and salesperson != user:
            raise serializers.ValidationError(_("You can only assign customers to yourself."))
        return salesperson

    def validate(self, attrs):
        user = self.context["request"].user
        if self.instance is None and "salesperson" not in attrs and not sees_all_customers(user):
            attrs["salesperson"] = user
        return attrs


class CustomerViewSet(MasterDataViewSet):
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    queryset = Customer.objects.none()  # for the permission class and the schema
    create_service = staticmethod(services.customer_create)
    update_service = staticmethod(services.customer_update)
    instance_kwarg = "customer"

    def get_queryset(self):
        return customers_for(self.request.user)
