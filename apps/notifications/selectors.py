"""Reading the notification centre: a user's own notifications only."""

from django.db.models import QuerySet

from .models import Notification, NotificationKind, NotificationPreference


def notifications_for(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """``user``'s in-app notifications, newest first (``unread=True``: only the unread)."""
    queryset = Notification.objects.filter(user=user, in_app=True).order_by("-id")
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def preferences_of(*, user) -> list[dict]:
    """Every kind with what ``user`` chose (the default where nothing was stored)."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in NotificationKind:
        preference = stored.get(kind.value)
        rows.append(
            {
                "kind": kind.value,
                "label": str(kind.label),
                "in_app": preference.in_app if preference else True,
                "email": preference.email if preference else False,
            }
        )
    return rows
