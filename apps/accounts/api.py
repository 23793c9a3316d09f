from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import JSONErrorsMixin
from apps.core.filters import SearchFilterSet, ordering
from apps.inventory.models import Warehouse

from . import lockout, services
from .departments import DEPARTMENTS
from .models import User
from .selectors import assigned_warehouse_ids, user_departments, users_with_scope, warehouses_for


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"}, max_length=128)
    departments = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DEPARTMENTS)), required=False, label=_("departments")
    )
    warehouses = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Warehouse.objects.all(), required=False, label=_("warehouses")
    )

    class Meta:
        model = User
        fields = ["id", "username", "password", "full_name", "email", "is_active", "departments", "warehouses"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["departments"] = user_departments(instance)
        data["warehouses"] = assigned_warehouse_ids(instance)
        return data

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("This field is required.")]})
        return attrs


class UserFilter(SearchFilterSet):
    search_fields = ("username", "full_name", "email")
    ordering = ordering("username", "full_name", "date_joined")

    class Meta:
        model = User
        fields = ["is_active", "groups__name"]


class UserViewSet(
    JSONErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People and their departments and warehouses (IT admin only). Deactivate rather than delete."""

    queryset = User.objects.all()  # for the permission class and the schema
    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self):
        return users_with_scope()

    def perform_create(self, serializer):
        user = services.user_create(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=user.pk)

    def perform_update(self, serializer):
        user = services.user_update(user=serializer.instance, actor=self.request.user, **serializer.validated_data)
        # Read it again: the prefetched departments and warehouses are the old ones.
        serializer.instance = self.get_queryset().get(pk=user.pk)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    departments = serializers.ListField(child=serializers.CharField())
    warehouses = serializers.ListField(child=serializers.IntegerField())
    permissions = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "full_name": user.full_name,
                "departments": user_departments(user),
                "warehouses": sorted(warehouses_for(user).values_list("pk", flat=True)),
                "permissions": sorted(user.get_all_permissions()),
            }
        )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenView(APIView):
    """``POST {username, password}`` -> ``{"token"}``. Failed attempts count toward the same
    lockout as the login page (django-axes)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **form.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            return lockout.api_lockout_response()
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A token is a login: tell axes (it resets the failure count, as on the login page).
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
