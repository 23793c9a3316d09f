"""Base classes every API viewset builds on: thin views that validate, call one service and
shape the output."""

from rest_framework import mixins, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .services import record_delete

VIEW_COST = "inventory.view_cost"


def sees_costs(user) -> bool:
    """Whether ``user`` may see costs, stock values and margins (not sales, not customer service)."""
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW_COST))


class CostFieldsMixin:
    """A serializer whose ``cost_fields`` (unit costs, stock values...) are left out of the
    output, the Excel columns included, for a requesting user without ``inventory.view_cost``.
    Without a request nobody is known, so they are left out too; the schema (drf-spectacular's
    fake views) shows them, as the contract names them. Nested serializers decide on the
    request of the outermost one."""

    cost_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if self.cost_fields and not self._shows_costs():
            for name in self.cost_fields:
                fields.pop(name, None)
        return fields

    def _shows_costs(self) -> bool:
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return True
        request = self.context.get("request")
        return request is not None and sees_costs(request.user)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object the requesting user may see: ``scope(user)`` is the queryset (a
    selector such as ``customers_for``); anything outside it is 400 "object does not exist",
    as if it did not exist. ``queryset`` names the model (for the schema) and is never used to
    accept a value. Without a request, nothing is accepted."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.scope(request.user)


class JSONErrorsMixin:
    """Errors are JSON even when the client asked for ``?format=xlsx``."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(response, "accepted_renderer", None)
        if response.status_code >= 400 and renderer is not None and renderer.format == "xlsx":
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
            response.renderer_context = self.get_renderer_context()
        return response


class MasterDataViewSet(
    JSONErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD for a master-data model through its services.

    Subclasses set ``create_service = staticmethod(product_create)``,
    ``update_service = staticmethod(product_update)`` and ``instance_kwarg = "product"``.
    Deleting is allowed only for records nothing refers to (409 ``in_use`` otherwise);
    deactivate (``is_active: false``) instead.
    """

    create_service = None
    update_service = None
    delete_service = None
    instance_kwarg = ""

    def perform_create(self, serializer):
        serializer.instance = self.create_service(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.update_service(
            user=self.request.user, **{self.instance_kwarg: serializer.instance}, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        if self.delete_service is not None:
            self.delete_service(user=self.request.user, **{self.instance_kwarg: instance})
        else:
            record_delete(instance, user=self.request.user)


class ReadOnlyViewSet(JSONErrorsMixin, viewsets.ReadOnlyModelViewSet):
    pass


class DocumentViewSet(
    JSONErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A business document over the API: drafts are created and changed with nested
    ``lines``; actions (``POST /<id>/post/``...) call one service each and answer the whole
    document.

    Subclasses set ``create_service`` / ``update_service`` (keyword ``instance_kwarg``) and
    declare actions with :meth:`run_action`; custom actions name their permission in
    ``action_permissions``. Scope (warehouses) is applied in ``get_queryset``.
    """

    create_service = None
    update_service = None
    instance_kwarg = "document"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.create_service(user=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.update_service(
            user=self.request.user, **{self.instance_kwarg: serializer.instance}, **data
        )

    def run_action(self, service, **kwargs):
        document = self.get_object()
        document = service(user=self.request.user, **{self.instance_kwarg: document}, **kwargs)
        document = self.get_queryset().get(pk=document.pk)
        return Response(self.get_serializer(document).data)
