"""``/api/v1/report-runs/``: report files (报表文件) written in the background.

- ``GET /report-runs/`` (``?report=&status=&trigger=``) and ``/report-runs/{id}/``: the runs the
  user may see (their own on-demand runs, and the scheduled whole-business files of the reports
  they read across the business; see ``apps.reports.runs``), newest first, with parameters,
  status, rows, size, run time and totals.
- ``POST /report-runs/`` ``{"report": "stock_summary" | "sales" | "purchases", "parameters":
  {...the report's query parameters...}}``: 202 with the queued run (201 with the finished run
  when there is no broker and it ran at once); 400 per parameter; 403 for a report the user may
  not read.
- ``GET /report-runs/{id}/download/``: the .xlsx file; 409 ``invalid_state`` until it is done.
- ``GET /report-runs/reports/``: the reports the user may run, with their parameters.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.core.errors import BusinessError
from apps.core.xlsx import XLSX_MEDIA_TYPE

from .models import ReportRun, RunStatus, RunTrigger
from .runs import REPORT_CHOICES, may_download, report_run_request, runnable_reports_for, runs_for


class ReportRunSerializer(serializers.ModelSerializer):
    report_label = serializers.SerializerMethodField(label=gettext_lazy("Report name"))
    description = serializers.CharField(source="shown_description", read_only=True, label=gettext_lazy("Description"))
    run_seconds = serializers.FloatField(read_only=True, allow_null=True, label=gettext_lazy("Run time (s)"))
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "report",
            "report_label",
            "parameters",
            "description",
            "trigger",
            "status",
            "requested_by",
            "file_name",
            "size",
            "rows",
            "totals",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "run_seconds",
            "download_url",
        ]
        read_only_fields = fields

    def get_report_label(self, run) -> str:
        return str(dict(REPORT_CHOICES).get(run.report, run.report))

    def get_download_url(self, run) -> str | None:
        if run.status != RunStatus.DONE:
            return None
        return f"/api/v1/report-runs/{run.pk}/download/"


class ReportRunCreateSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=REPORT_CHOICES)
    parameters = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)


@extend_schema(
    parameters=[
        OpenApiParameter("report", str, enum=[name for name, _label in REPORT_CHOICES]),
        OpenApiParameter("status", str, enum=RunStatus.values),
        OpenApiParameter("trigger", str, enum=RunTrigger.values),
    ]
)
class ReportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReportRunSerializer
    queryset = ReportRun.objects.none()  # for the schema; get_queryset() gives the user's runs
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportRun.objects.none()
        runs = runs_for(self.request.user)
        for name in ("report", "status", "trigger"):
            value = self.request.query_params.get(name)
            if value:
                runs = runs.filter(**{name: value})
        return runs

    @extend_schema(
        request=ReportRunCreateSerializer,
        responses={201: ReportRunSerializer, 202: ReportRunSerializer},
    )
    def create(self, request):
        serializer = ReportRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            run = report_run_request(
                report=serializer.validated_data["report"],
                parameters=serializer.validated_data["parameters"],
                user=request.user,
            )
        except DjangoPermissionDenied:
            raise PermissionDenied() from None
        except DjangoValidationError as exc:
            raise ValidationError({"parameters": exc.message_dict}) from None
        run.refresh_from_db()
        code = status.HTTP_202_ACCEPTED if run.status in (RunStatus.QUEUED, RunStatus.RUNNING) else 201
        return Response(ReportRunSerializer(run).data, status=code)

    @extend_schema(
        responses={
            (200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
            409: OpenApiResponse(description=str(gettext_lazy("The file is not ready (code invalid_state)."))),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        run = self.get_object()
        if not may_download(request.user, run):
            raise NotFound()
        if run.status != RunStatus.DONE or not run.file:
            message = _("This report file is not ready: %(status)s.") % {"status": run.get_status_display()}
            raise BusinessError(BusinessError.INVALID_STATE, message)
        return run_file_response(run)

    @extend_schema(
        responses=inline_serializer(
            "RunnableReport",
            {
                "report": serializers.CharField(),
                "label": serializers.CharField(),
                "parameters": serializers.ListField(child=serializers.CharField()),
            },
            many=True,
        )
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def reports(self, request):
        return Response(
            [
                {"report": spec.name, "label": str(spec.title), "parameters": list(spec.form_class.base_fields)}
                for spec in runnable_reports_for(request.user)
            ]
        )


def run_file_response(run: ReportRun) -> FileResponse:
    """The run's file as an attachment (the page's download uses it too); 404 when the file is
    gone (deleted by hand, or a database restored without its media)."""
    name = run.file_name or f"report-{run.pk}.xlsx"
    try:
        stream = run.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this report run is missing. Run the report again.")) from None
    return FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX_MEDIA_TYPE)
