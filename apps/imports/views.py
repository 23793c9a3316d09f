"""Import pages: choose a kind, download its template, upload, preview with the row errors,
confirm, and follow a queued import's progress. They call the same services as the API.

The uploaded file waits between preview and confirmation in the default storage
(``imports/uploads/``), named by a random token kept in the user's session: confirming re-reads
and re-checks it (the data may have changed meanwhile), then imports it or queues it.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.errors import BusinessError

from .api import jobs_for, template_response
from .kinds import IMPORT_PERMISSION, KINDS, TEXT, may_import
from .models import ImportJob, ImportStatus
from .services import ImportRowsInvalid, import_job_create, import_preview, read_import_file

SESSION_KEY = "imports_uploads"
STATUS_BADGES = {
    ImportStatus.PENDING: "badge-draft",
    ImportStatus.RUNNING: "badge-submitted",
    ImportStatus.DONE: "badge-done",
    ImportStatus.FAILED: "badge-expired",
}


# Where the imported records are listed.
RECORD_LISTS = {
    "products": "inventory:product-list",
    "customers": "customers:customer-list",
    "suppliers": "suppliers:supplier-list",
    "opening_stock": "inventory:stock-balance-list",
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"), allow_empty_file=True)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(spec.kind, spec.title) for spec in kinds]
        self.fields["file"].widget.attrs["accept"] = ".xlsx"


class ImportMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def kinds(self):
        return [spec for spec in KINDS.values() if may_import(self.request.user, spec.kind)]

    def render_page(self, form, *, preview=None, token="", kind=None, row_errors=None, detail=""):
        return render(
            self.request,
            "imports/import.html",
            {
                "title": _("Import from Excel"),
                "form": form,
                "kinds": self.kinds(),
                "preview": preview,
                "token": token,
                "kind_spec": kind,
                "row_errors": row_errors if row_errors is not None else (preview or {}).get("errors", []),
                "detail": detail,
                "jobs": [_job_row(job) for job in jobs_for(self.request.user).select_related("created_by")[:10]],
            },
        )


def _job_row(job: ImportJob) -> dict:
    badge = STATUS_BADGES.get(job.status, "badge-draft")
    return {"job": job, "badge": badge, "url": reverse("imports:job", args=[job.pk])}


class ImportPage(ImportMixin, View):
    """GET: the upload form; POST: the uploaded file checked and previewed (nothing imported)."""

    def get(self, request):
        initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in KINDS else {}
        return self.render_page(UploadForm(kinds=self.kinds(), initial=initial))

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, kinds=self.kinds())
        if not form.is_valid():
            return self.render_page(form)
        kind, file = form.cleaned_data["kind"], form.cleaned_data["file"]
        try:
            parsed = read_import_file(kind=kind, file=file)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
            return self.render_page(form)
        preview = import_preview(parsed=parsed, user=request.user)
        bad_rows = {error["row"] for error in preview["errors"]}
        numeric = [KINDS[kind].column(column["field"]).type != TEXT for column in preview["columns"]]
        for row in preview["preview"]:
            row["cells"] = [
                {"text": row["values"].get(column["field"], ""), "num": num}
                for column, num in zip(preview["columns"], numeric, strict=True)
            ]
            row["bad"] = row["row"] in bad_rows
        for column, num in zip(preview["columns"], numeric, strict=True):
            column["numeric"] = num
        token = ""
        if not preview["errors"]:
            token = uuid.uuid4().hex
            file.seek(0)
            path = default_storage.save(f"imports/uploads/{token}.xlsx", file)
            uploads = request.session.get(SESSION_KEY, {})
            uploads[token] = {"path": path, "kind": kind, "name": file.name}
            request.session[SESSION_KEY] = uploads
        return self.render_page(form, preview=preview, token=token, kind=KINDS[kind])


class ImportConfirm(ImportMixin, View):
    """POST: import the previewed file (or queue it) and go to the import's page."""

    def post(self, request):
        uploads = request.session.get(SESSION_KEY, {})
        upload = uploads.pop(request.POST.get("token", ""), None)
        if upload is None or upload["kind"] not in KINDS:
            messages.error(request, _("The uploaded file has expired; upload it again."))
            return HttpResponseRedirect(reverse("imports:import"))
        request.session[SESSION_KEY] = uploads
        if not may_import(request.user, upload["kind"]):
            raise PermissionDenied
        form = UploadForm(kinds=self.kinds(), initial={"kind": upload["kind"]})
        try:
            with default_storage.open(upload["path"], "rb") as stored:
                stored.name = upload["name"]
                job = import_job_create(kind=upload["kind"], file=stored, user=request.user)
        except ImportRowsInvalid as exc:
            return self.render_page(form, row_errors=exc.errors, detail=exc.detail, kind=KINDS[upload["kind"]])
        except (ValidationError, BusinessError) as exc:
            detail = exc.detail if isinstance(exc, BusinessError) else " ".join(exc.messages)
            return self.render_page(form, detail=detail, kind=KINDS[upload["kind"]])
        finally:
            default_storage.delete(upload["path"])
        return HttpResponseRedirect(reverse("imports:job", args=[job.pk]))


class JobPage(ImportMixin, View):
    """An import: status, a progress bar that follows a queued import (htmx polls the
    ``progress`` fragment every second while it runs), and its row errors."""

    def get(self, request, pk: int, fragment: bool = False):
        job = get_object_or_404(jobs_for(request.user), pk=pk)
        context = {
            "title": _("Import #%(id)s") % {"id": job.pk},
            **_job_row(job),
            "kind_spec": KINDS.get(job.kind),
            "running": job.status in (ImportStatus.PENDING, ImportStatus.RUNNING),
            "records_url": RECORD_LISTS.get(job.kind, ""),
        }
        template = "imports/_progress.html" if fragment else "imports/job.html"
        return render(request, template, context)


class TemplateDownload(ImportMixin, View):
    def get(self, request, kind: str):
        if kind not in KINDS:
            raise Http404
        return template_response(kind)
