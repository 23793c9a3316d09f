"""Base classes every API viewset builds on: thin views that validate, call one service and
shape the output."""

from rest_framework import mixins, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .services import record_delete


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
