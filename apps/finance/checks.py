"""Invariants of the open-item sub-ledgers (payables and receivables). Each check returns
readable descriptions of what is wrong (an empty list when all holds); ``manage.py
check_books`` of a later issue gathers them."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from .models import OpenItemStatus

ZERO = Decimal(0)


def _sums(queryset, key: str) -> dict[int, Decimal]:
    return {row[key]: row["total"] for row in queryset.values(key).annotate(total=Sum("amount"))}


def check_payables() -> list[str]:
    from . import payables

    return check_open_items(payables.BOOK)


def check_receivables() -> list[str]:
    from . import receivables

    return check_open_items(receivables.BOOK)


def check_open_items(book) -> list[str]:
    """Every item's paid and credited amounts equal its posted payments' (receipts')
    allocations and its active note credits; its status follows from what is outstanding; it is
    never settled beyond its amount; a partner never keeps both an open item and an open note."""
    problems = []
    name = book.item._meta.model_name
    allocations = book.item._meta.get_field("allocations").related_model
    paid = _sums(allocations.objects.filter(**{f"{book.document_field}__status": "posted"}), f"{book.item_field}_id")
    active = book.credit.objects.filter(cancelled_at__isnull=True)
    received = _sums(active, f"{book.item_field}_id")
    given = _sums(active, f"{book.note_field}_id")
    open_signs: dict[int, set[int]] = {}
    for item in book.item.objects.all().order_by("id"):
        label = f"{item.source_number} ({name} {item.pk})"
        expected_paid = paid.get(item.pk, ZERO) if item.status != OpenItemStatus.CANCELLED else ZERO
        if item.paid != expected_paid:
            problems.append(f"{label}: paid {item.paid}, payments allocated {expected_paid}")
        expected_credit = ZERO
        if item.status != OpenItemStatus.CANCELLED:
            expected_credit = received.get(item.pk, ZERO) - given.get(item.pk, ZERO)
        if item.credited != expected_credit:
            problems.append(f"{label}: credited {item.credited}, notes applied {expected_credit}")
        outstanding = item.outstanding
        if item.status == OpenItemStatus.CANCELLED:
            continue
        if (item.amount > 0 and not ZERO <= outstanding <= item.amount) or (
            item.amount < 0 and not item.amount <= outstanding <= ZERO
        ):
            problems.append(f"{label}: outstanding {outstanding} outside 0…{item.amount}")
        expected_status = OpenItemStatus.PAID if outstanding == 0 else OpenItemStatus.OPEN
        if item.status != expected_status:
            problems.append(f"{label}: status {item.status} with {outstanding} outstanding")
        if outstanding != 0:
            open_signs.setdefault(getattr(item, book.partner_id), set()).add(1 if outstanding > 0 else -1)
    for partner_id, signs in sorted(open_signs.items()):
        if signs == {1, -1}:
            problems.append(f"{book.partner_field} {partner_id}: an open note was left beside open {name}s")
    stray = book.credit.objects.filter(
        Q(**{f"{book.note_field}__status": OpenItemStatus.CANCELLED})
        | Q(**{f"{book.item_field}__status": OpenItemStatus.CANCELLED}),
        cancelled_at__isnull=True,
    ).count()
    if stray:
        problems.append(f"{stray} active credit(s) on cancelled items")
    return problems


def check_documents_match_items(item_model, documents) -> list[str]:
    """Each posted document of ``documents`` ([(model, source type, sign)]) with a total has one
    open-or-settled item of exactly ``sign`` × its total; each cancelled one's item is
    cancelled."""
    problems = []
    name = item_model._meta.model_name
    for model, source_type, sign in documents:
        items = {item.source_id: item for item in item_model.objects.filter(source_type=source_type)}
        for document in model.objects.exclude(status="draft").only("pk", "number", "status", "total"):
            item = items.get(document.pk)
            if document.status == "posted" and document.total != 0:
                if item is None or item.status == OpenItemStatus.CANCELLED or item.amount != sign * document.total:
                    found = "none" if item is None else f"{item.amount} ({item.status})"
                    problems.append(f"{document.number}: total {document.total}, {name} {found}")
            elif document.status == "cancelled" and item is not None and item.status != OpenItemStatus.CANCELLED:
                problems.append(f"{document.number} is cancelled but its {name} is {item.status}")
    return problems
