"""The notification centre over the API: every logged-in user reads and marks their own
notifications (another user's are 404) and sets their preferences."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.core.api import JSONErrorsMixin

from . import selectors, services
from .models import Notification, NotificationKind, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField(label=_("unread"))
    title = serializers.CharField(source="shown_title", read_only=True, label=_("title"))
    body = serializers.CharField(source="shown_body", read_only=True, label=_("message"))

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


def _unread_param(request) -> bool | None:
    raw = request.query_params.get("unread")
    if raw in (None, ""):
        return None
    value = raw.lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ValidationError({"unread": [_("Use true or false.")]})


class NotificationViewSet(JSONErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """``GET /notifications/?unread=true``, ``POST /notifications/{id}/read/``,
    ``POST /notifications/read-all/``, ``GET /notifications/unread-count/``."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notifications_for(user=self.request.user, unread=_unread_param(self.request))

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread (true) or read (false).")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = selectors.notifications_for(user=request.user).filter(pk=pk).first()
        if notification is None:
            raise NotFound
        services.notification_mark_read(notification=notification, user=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})

    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True, label=_("kind"))
    label = serializers.CharField(read_only=True, label=_("label"))
    in_app = serializers.BooleanField(label=_("in the app"))
    email = serializers.BooleanField(label=_("by e-mail"))


class NotificationPreferenceViewSet(
    JSONErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """``GET /notification-preferences/`` (every kind, defaults filled in),
    ``PUT|PATCH /notification-preferences/{kind}/`` ``{in_app, email}``."""

    serializer_class = PreferenceSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"
    pagination_class = None
    queryset = NotificationPreference.objects.none()  # for the schema; rows come from preferences_of()

    def _rows(self):
        return selectors.preferences_of(user=self.request.user)

    def get_object(self):
        kind = self.kwargs["kind"]
        for row in self._rows():
            if row["kind"] == kind:
                return row
        raise NotFound

    def list(self, request, *args, **kwargs):
        return Response(PreferenceSerializer(self._rows(), many=True).data)

    def update(self, request, *args, **kwargs):
        row = self.get_object()
        serializer = PreferenceSerializer(row, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {**row, **serializer.validated_data}
        services.preference_set(user=request.user, kind=row["kind"], in_app=data["in_app"], email=data["email"])
        return Response(PreferenceSerializer(data).data)
