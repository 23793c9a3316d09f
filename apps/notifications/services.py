"""Writing notifications: ``notify`` (one message to departments and/or users, idempotent per
user and key), ``notifications_resolve`` (free the keys of conditions that cleared), marking
read, preferences, and the three jobs that feed the centre (stock alerts, overdue receivables,
nightly checks). Who is told what (issue 7):

- stock alerts → purchasing, and the warehouse department's members who operate that warehouse
  (assigned to it, or also in management / IT admin, who see every warehouse);
- overdue receivables → finance and the customer's salesperson;
- failed nightly checks → IT admin and management.

A job has no request: each message is written in every language of the site (``texts``, see
``in_every_language``) and shown in the reader's; e-mails go in the site's (``LANGUAGE_CODE``).
"""

from __future__ import annotations

import datetime
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission

from apps.accounts.departments import FINANCE, IT_ADMIN, MANAGEMENT, PURCHASING, SEE_ALL_WAREHOUSES, WAREHOUSE
from apps.accounts.models import User
from apps.core.formatting import format_money, format_quantity

from .models import Notification, NotificationKind, NotificationPreference

log = logging.getLogger(__name__)

STOCK_KINDS = {
    "low": NotificationKind.STOCK_LOW,
    "over": NotificationKind.STOCK_OVER,
    "slow": NotificationKind.STOCK_SLOW,
}


# --- recipients -----------------------------------------------------------------------------


def department_user_ids(departments: Iterable[str]) -> set[int]:
    """Active members of any of ``departments``."""
    departments = list(departments)
    if not departments:
        return set()
    return set(
        User.objects.filter(is_active=True, groups__name__in=departments).values_list("pk", flat=True).distinct()
    )


def stock_alert_recipients() -> dict[int | None, set[int]]:
    """``{warehouse_id: user ids}`` for stock alerts, plus ``None``: those told of every
    warehouse (purchasing, and warehouse staff who see all warehouses). Three queries."""
    everywhere = department_user_ids([PURCHASING])
    clerks = set(User.objects.filter(is_active=True, groups__name=WAREHOUSE).values_list("pk", flat=True).distinct())
    everywhere |= clerks & department_user_ids(SEE_ALL_WAREHOUSES)
    result: dict[int | None, set[int]] = defaultdict(set)
    result[None] = everywhere
    grants = UserObjectPermission.objects.filter(
        user_id__in=clerks - everywhere,
        permission__codename="operate_warehouse",
        permission__content_type__app_label="inventory",
    ).values_list("user_id", "object_pk")
    for user_id, object_pk in grants:
        result[int(object_pk)].add(user_id)
    return result


def in_every_language(message: Callable[[], tuple[str, str]]) -> dict[str, list[str]]:
    """``message()`` (a title and a body) called in each language of the site:
    ``{"en": [title, body], "zh-hans": [...]}``, for ``notify(texts=...)``."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            title, body = message()
            texts[code] = [str(title)[:200], str(body)]
    return texts


# --- notify ---------------------------------------------------------------------------------


def preferences_for(user_ids: Iterable[int], kind: str) -> dict[int, tuple[bool, bool]]:
    """``{user_id: (in_app, email)}`` with the defaults (in the app, no e-mail) filled in."""
    user_ids = set(user_ids)
    found = {
        row[0]: (row[1], row[2])
        for row in NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "in_app", "email"
        )
    }
    return {user_id: found.get(user_id, (True, False)) for user_id in user_ids}


def notify(
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    departments: Iterable[str] = (),
    users: Iterable = (),
    preferences: dict[int, tuple[bool, bool]] | None = None,
    texts: dict[str, list[str]] | None = None,
    attachment: Attachment | None = None,
) -> list[int]:
    """Tell the members of ``departments`` and ``users`` (objects or ids) about ``key``.

    Writes one notification per recipient who wants this kind in the app or by e-mail, with
    ``INSERT … ON CONFLICT DO NOTHING`` against the open-key unique index: a recipient who still
    has an unresolved notification with this key gets nothing new (safe to run twice, also
    concurrently). E-mail goes, after commit, only to those newly notified who chose e-mail and
    have an address. ``texts`` (``in_every_language``) lets each reader see it in their
    language; ``title`` and ``body`` are the site language's. ``attachment`` (a report file) goes
    with the e-mails when it is at most ``JXC_EMAIL_ATTACHMENT_MAX_BYTES``. Returns the ids of the users newly
    notified, sorted.
    """
    recipients = department_user_ids(departments) | {getattr(user, "pk", user) for user in users}
    if not recipients:
        return []
    prefs = preferences if preferences is not None else preferences_for(recipients, kind)
    wanted = sorted(uid for uid in recipients if any(prefs.get(uid, (True, False))))
    if not wanted:
        return []
    now = timezone.now()
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in (
            "user_id",
            "kind",
            "key",
            "title",
            "body",
            "url",
            "texts",
            "in_app",
            "created_at",
            "read_at",
            "resolved_at",
        )
    )
    stored_texts = json.dumps(texts or {}, ensure_ascii=False)
    values, params = [], []
    for uid in wanted:
        values.append("(%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL)")
        params += [uid, kind, key, title[:200], body, url[:300], stored_texts, prefs.get(uid, (True, False))[0], now]
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Only quoted names and placeholders are interpolated; the values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join(values)} ON CONFLICT DO NOTHING RETURNING user_id"  # noqa: S608
            cursor.execute(sql, params)
            created = sorted(row[0] for row in cursor.fetchall())
        emails = [uid for uid in created if prefs.get(uid, (True, False))[1]]
        if emails:
            addresses = list(User.objects.filter(pk__in=emails).exclude(email="").values_list("email", flat=True))
            if addresses:
                transaction.on_commit(lambda: _send(title, body, url, addresses, attachment))
    return created


@dataclass(frozen=True)
class Attachment:
    """A file for the e-mails of a notification: its name, the open() that reads it, its type."""

    name: str
    open: Callable[[], object]
    size: int
    content_type: str


def _send(title: str, body: str, url: str, addresses: list[str], attachment: Attachment | None = None) -> None:
    """One message per address (no one sees the others'); a mail server that fails is logged,
    not raised: the notification is already in the app."""
    link = f"\n\n{settings.JXC_SITE_URL.rstrip('/')}{url}" if url and settings.JXC_SITE_URL else ""
    content = None
    if attachment is not None and attachment.size <= settings.JXC_EMAIL_ATTACHMENT_MAX_BYTES:
        with attachment.open() as stream:
            content = stream.read()
    for address in addresses:
        try:
            message = EmailMessage(f"[JXC] {title}", f"{body}{link}", None, [address])
            if content is not None:
                message.attach(attachment.name, content, attachment.content_type)
            message.send()
        except Exception:  # noqa: BLE001 - any SMTP failure: logged, the in-app copy stands
            log.exception("notification e-mail to %s failed", address)


def notifications_resolve(*, prefix: str, keep: Iterable[str] = ()) -> int:
    """Resolve the open notifications whose key starts with ``prefix`` and is not in ``keep``:
    their condition cleared, so the same key may notify again later. Returns how many."""
    keep = set(keep)
    open_rows = Notification.objects.filter(resolved_at__isnull=True, key__startswith=prefix)
    stale = {key for key in open_rows.values_list("key", flat=True).distinct() if key not in keep}
    if not stale:
        return 0
    return open_rows.filter(key__in=stale).update(resolved_at=timezone.now())


# --- the reader's side ----------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Mark one of ``user``'s notifications read (again: nothing changes)."""
    if notification.user_id != user.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, user, kind: str, in_app: bool, email: bool) -> NotificationPreference:
    """Store what ``user`` wants of ``kind`` (upsert on the user+kind unique constraint)."""
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"in_app": in_app, "email": email}
    )
    return preference


# --- the jobs -------------------------------------------------------------------------------


def stock_alert_key(row: dict) -> str:
    return f"stock:{row['kind']}:{row['product']}:{row['warehouse']}"


def notify_stock_alerts(*, today: datetime.date | None = None) -> dict[str, int]:
    """Run ``stock_alerts`` and tell purchasing and the warehouse's clerks of each row, once per
    open condition (key ``stock:<kind>:<product>:<warehouse>``); resolve the notifications of
    conditions that cleared, so a product that recovers and falls again alerts again.
    Returns ``{"alerts": rows found, "notified": notifications written, "resolved": n}``."""
    from apps.inventory.alerts import stock_alerts

    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        rows = stock_alerts(today=today)
        recipients = stock_alert_recipients()
        everyone = set().union(*recipients.values())
        prefs = {kind: preferences_for(everyone, kind) for kind in STOCK_KINDS.values()}
        card = reverse("inventory:stock-card")
        notified = 0
        for row in rows:
            kind = STOCK_KINDS[row["kind"]]
            users = recipients[None] | recipients.get(row["warehouse"], set())
            texts = in_every_language(lambda row=row: _stock_message(row))
            title, body = texts.get(settings.LANGUAGE_CODE) or _stock_message(row)
            url = f"{card}?{urlencode({'product': row['product'], 'warehouse': row['warehouse']})}"
            notified += len(
                notify(
                    kind=kind,
                    key=stock_alert_key(row),
                    title=title,
                    body=body,
                    url=url,
                    users=users,
                    preferences=prefs[kind],
                    texts=texts,
                )
            )
        resolved = notifications_resolve(prefix="stock:", keep={stock_alert_key(row) for row in rows})
    return {"alerts": len(rows), "notified": notified, "resolved": resolved}


def _stock_message(row: dict) -> tuple[str, str]:
    names = {
        "sku": row["sku"],
        "name": row["name"],
        "warehouse": row["warehouse_code"],
        "qty": format_quantity(row["qty"]),
    }
    if row["kind"] == "low":
        title = _("Low stock: %(sku)s %(name)s in %(warehouse)s") % names
        body = _("On hand %(qty)s, below the safety stock of %(limit)s.") % {
            **names,
            "limit": format_quantity(row["safety_stock"]),
        }
    elif row["kind"] == "over":
        title = _("Overstock: %(sku)s %(name)s in %(warehouse)s") % names
        body = _("On hand %(qty)s, above the max stock of %(limit)s.") % {
            **names,
            "limit": format_quantity(row["max_stock"]),
        }
    else:
        title = _("Slow-moving: %(sku)s %(name)s in %(warehouse)s") % names
        moved = row["last_movement"].isoformat() if row["last_movement"] else _("never")
        body = _("On hand %(qty)s, last movement %(date)s.") % {**names, "date": moved}
    return title, body


def notify_overdue_receivables(*, today: datetime.date | None = None) -> dict[str, int]:
    """Tell finance and the customer's salesperson of each open receivable past its due date
    with something still outstanding, once per receivable (key ``receivable:<id>:overdue``);
    resolve those since paid. Returns ``{"overdue", "notified", "resolved"}``."""
    from apps.finance.models import Receivable

    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        overdue = list(
            Receivable.objects.filter(status="open", due_date__lt=today)
            .annotate(left=F("amount") - F("paid") - F("credited"))
            .filter(left__gt=0)
            .select_related("customer__salesperson")
            .order_by("due_date", "id")
        )
        finance = department_user_ids([FINANCE])
        # the customer's salesperson, while they still work here
        sellers = {
            r.pk: r.customer.salesperson_id
            for r in overdue
            if r.customer.salesperson_id and r.customer.salesperson.is_active
        }
        everyone = finance | set(sellers.values())
        prefs = preferences_for(everyone, NotificationKind.RECEIVABLE_OVERDUE)
        url = reverse("finance:receivable-overdue")
        notified = 0
        for receivable in overdue:
            users = set(finance)
            if receivable.pk in sellers:
                users.add(sellers[receivable.pk])
            names = {
                "number": receivable.source_number,
                "customer": receivable.customer.name,
                "amount": format_money(receivable.left),
                "due": receivable.due_date.isoformat(),
                "days": (today - receivable.due_date).days,
            }
            texts = in_every_language(lambda names=names: _overdue_message(names))
            title, body = texts.get(settings.LANGUAGE_CODE) or _overdue_message(names)
            notified += len(
                notify(
                    kind=NotificationKind.RECEIVABLE_OVERDUE,
                    key=f"receivable:{receivable.pk}:overdue",
                    title=title,
                    body=body,
                    url=url,
                    users=users,
                    preferences=prefs,
                    texts=texts,
                )
            )
        resolved = notifications_resolve(prefix="receivable:", keep={f"receivable:{r.pk}:overdue" for r in overdue})
    return {"overdue": len(overdue), "notified": notified, "resolved": resolved}


def _overdue_message(names: dict) -> tuple[str, str]:
    return (
        _("Overdue: %(number)s, %(customer)s") % names,
        _("%(amount)s outstanding, due %(due)s (%(days)s days overdue).") % names,
    )


def run_nightly_checks(*, today: datetime.date | None = None) -> dict[str, int]:
    """``check_stock`` and ``check_books``; on any problem, tell IT admin and management (key
    ``checks:<date>``: one message a day). Returns ``{"stock": n, "books": n, "notified": n}``."""
    from apps.finance.books import check_books
    from apps.inventory.selectors import STOCK_CHECKS, stock_violations

    today = today or timezone.localdate()
    found = stock_violations(limit=5)
    stock_total = sum(v.total for v in found.values())
    books = check_books()
    notified = []
    if stock_total or books:

        def message() -> tuple[str, str]:
            lines = [
                f"{STOCK_CHECKS[kind][0]}: {violations.total}"
                + "".join(f"\n  {v.sku}@{v.warehouse_code}: {v.expected} ≠ {v.found}" for v in violations)
                for kind, violations in found.items()
                if violations.total
            ] + books[:20]
            title = _("Nightly check failed: %(stock)s stock, %(books)s books problem(s)") % {
                "stock": stock_total,
                "books": len(books),
            }
            return title, "\n".join(lines)

        texts = in_every_language(message)
        with translation.override(settings.LANGUAGE_CODE):
            title, body = message()
        notified = notify(
            kind=NotificationKind.BOOKS_CHECK,
            key=f"checks:{today.isoformat()}",
            title=title,
            body=body,
            departments=[IT_ADMIN, MANAGEMENT],
            texts=texts,
        )
    return {"stock": stock_total, "books": len(books), "notified": len(notified)}
