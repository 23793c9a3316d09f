"""Shared shapes: the document base (header + lines), the numbering counter, idempotency records."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    """The common status vocabulary (DESIGN.md, "Documents"). A document type uses the subset
    that fits its flow and may add its own (partially_received, delivered, ...)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    CONFIRMED = "confirmed", _("Confirmed")
    POSTED = "posted", _("Posted")
    PARTIALLY_COMPLETED = "partially_completed", _("Partially completed")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Document(models.Model):
    """Header of every business document: number, status, business date, who and when.

    Subclasses set ``number_prefix`` (e.g. "PO") and usually narrow ``status`` choices.
    Numbers are assigned by ``apps.core.numbering.next_number`` when the document is created.
    Only drafts are editable; posted documents are reversed, never edited.
    """

    number_prefix: str = ""

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=24, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, db_index=True
    )
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    note = models.TextField(_("note"), blank=True, default="", max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT


class DocumentLine(models.Model):
    """A line of a document. Subclasses add ``document = ForeignKey(<Header>, related_name="lines")``."""

    line_no = models.PositiveIntegerField(_("line"), default=0)

    class Meta:
        abstract = True
        ordering = ["line_no", "id"]


class DocumentSequence(models.Model):
    """One counter row per document type and year. Locked with SELECT ... FOR UPDATE in the
    transaction that creates the document, so numbers have no gaps among committed documents."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="core_sequence_prefix_year_uniq")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_value}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key`` header, per user and key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=128, blank=True, default="")
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key_uniq")]
