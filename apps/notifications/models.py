"""The notification centre: what each user is told (in the app and by e-mail) and what they
chose to receive. Written only by apps.notifications.services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    STOCK_LOW = "stock_low", _("Stock below safety stock")
    STOCK_OVER = "stock_over", _("Stock above max stock")
    STOCK_SLOW = "stock_slow", _("Slow-moving stock")
    RECEIVABLE_OVERDUE = "receivable_overdue", _("Overdue receivable")
    BOOKS_CHECK = "books_check", _("Nightly check failed")
    REPORT_READY = "report_ready", _("Report ready")


class Notification(models.Model):
    """One message to one user. ``key`` names what it is about (``stock:low:12:3``): while a
    notification is unresolved, a user has at most one per key (a partial unique index), so a job
    that runs twice tells nobody twice. When the condition clears (stock recovers, the invoice is
    paid) the job sets ``resolved_at``, which frees the key for the next time it happens."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    key = models.CharField(_("key"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True, default="")
    url = models.CharField(_("link"), max_length=300, blank=True, default="")
    # The message in every language of the site, ``{"en": [title, body], "zh-hans": [...]}``: a
    # job has no request, so it writes them all and each reader sees their own language
    # (``title``/``body`` keep the site language's, for e-mail and as the fallback).
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    in_app = models.BooleanField(_("in the app"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=Q(resolved_at__isnull=True), name="notifications_one_open_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="notifications_user_idx"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True, in_app=True), name="notifications_unread_idx"
            ),
            models.Index(fields=["key"], condition=Q(resolved_at__isnull=True), name="notifications_open_key_idx"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.title}"

    def _shown(self) -> tuple[str, str]:
        text = self.texts.get(translation.get_language() or "") if self.texts else None
        return (text[0], text[1]) if text else (self.title, self.body)

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (the active one), else the site language's."""
        return self._shown()[0]

    @property
    def shown_body(self) -> str:
        return self._shown()[1]


class NotificationPreference(models.Model):
    """What one user wants of one kind. No row means the default: in the app, no e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_uniq")]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"
