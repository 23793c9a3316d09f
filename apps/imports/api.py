"""``/api/v1/imports/``: Excel import of products, customers, suppliers and opening stock.

- ``POST /imports/`` (multipart ``kind``, ``file``, ``dry_run``): with ``dry_run`` a preview
  (200: counts, row errors, the first rows; nothing written); without it the import — 201 with
  the finished job for a small file, 202 with the pending job for one above
  ``JXC_IMPORT_SYNC_ROWS`` rows (poll ``GET /imports/{id}/``), 400 ``{"detail", "errors":
  [{row, column, field, message}]}`` when any row is wrong (nothing imported), 400
  ``{"file": [...]}`` for a file that cannot be read.
- ``GET /imports/`` and ``/imports/{id}/``: the user's own imports (management: everyone's),
  with status, progress and errors.
- ``GET /imports/templates/{kind}/``: the kind's .xlsx template.

Who may import what: products and suppliers, purchasing and management; customers, sales and
management; opening stock, the warehouse (its own warehouses) and management (403 otherwise).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.accounts.departments import MANAGEMENT
from apps.accounts.selectors import user_departments

from .kinds import IMPORT_PERMISSION, KINDS, may_import
from .models import ImportJob, ImportKind
from .services import (
    XLSX_MEDIA_TYPE,
    ImportRowsInvalid,
    import_job_create,
    import_preview,
    import_template,
    read_import_file,
)


class ImportJobSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True, help_text=_("Percent done, 0-100."))

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "status",
            "total_rows",
            "done_rows",
            "progress",
            "errors",
            "result",
            "created_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(allow_empty_file=True)
    dry_run = serializers.BooleanField(default=False)


PREVIEW = inline_serializer(
    "ImportPreview",
    {
        "kind": serializers.CharField(),
        "total_rows": serializers.IntegerField(),
        "valid_rows": serializers.IntegerField(),
        "error_rows": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "columns": serializers.ListField(child=serializers.DictField()),
        "preview": serializers.ListField(child=serializers.DictField()),
    },
)


def rows_invalid_response(exc: ImportRowsInvalid) -> Response:
    return Response({"detail": exc.detail, "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)


def jobs_for(user):
    """The imports ``user`` may read: their own; management reads everyone's."""
    jobs = ImportJob.objects.all()
    if user.is_superuser or MANAGEMENT in user_departments(user):
        return jobs
    return jobs.filter(created_by=user)


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()  # for the schema; get_queryset() gives the user's imports
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return jobs_for(self.request.user)

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer},
        responses={
            200: OpenApiResponse(PREVIEW, description=str(_("Preview (dry_run): nothing was written."))),
            201: ImportJobSerializer,
            202: ImportJobSerializer,
            400: OpenApiResponse(description=str(_("A file that cannot be read, or rows with errors."))),
        },
    )
    def create(self, request):
        serializer = ImportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        if not may_import(request.user, kind):
            raise PermissionDenied()
        file = serializer.validated_data["file"]
        if serializer.validated_data["dry_run"]:
            parsed = read_import_file(kind=kind, file=file)
            return Response(import_preview(parsed=parsed, user=request.user))
        try:
            job = import_job_create(kind=kind, file=file, user=request.user)
        except ImportRowsInvalid as exc:
            return rows_invalid_response(exc)
        code = status.HTTP_201_CREATED if job.status == "done" else status.HTTP_202_ACCEPTED
        return Response(ImportJobSerializer(job).data, status=code)

    @extend_schema(responses={(200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], url_path=r"templates/(?P<kind>[a-z_]+)")
    def templates(self, request, kind: str):
        if kind not in KINDS:
            raise NotFound()
        return template_response(kind)


def template_response(kind: str) -> HttpResponse:
    response = HttpResponse(import_template(kind), content_type=XLSX_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="jxc-import-{kind}.xlsx"'
    return response
