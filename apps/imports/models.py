"""Excel imports: one row per import run (its file, status, progress and row errors)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PRODUCTS = "products", _("Products")
    CUSTOMERS = "customers", _("Customers")
    SUPPLIERS = "suppliers", _("Suppliers")
    OPENING_STOCK = "opening_stock", _("Opening stock")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """An import of one Excel file. Small files are imported in the request (the job is
    recorded as done); large ones are queued and a worker moves the job from pending through
    running to done or failed, counting ``done_rows`` as it validates. ``errors`` holds the
    row-level errors ``[{row, column, field, message}]`` of a failed import; ``result`` what a
    finished one wrote (``{"created": n}``, and the adjustments of an opening-stock import)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows done"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        permissions = [("import_data", _("Can import master data and opening stock from Excel"))]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def progress(self) -> int:
        """Percent done, 0-100."""
        if self.status == ImportStatus.DONE:
            return 100
        return min(100, int(self.done_rows * 100 / self.total_rows)) if self.total_rows else 0
