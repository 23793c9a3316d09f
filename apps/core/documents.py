"""The mechanics every business document shares (DESIGN.md, "Documents"): create a draft with
its lines and a number, edit a draft, lock a document for an action, check and move its status.

A document app's services call these and add their own rules; for example::

    @transaction.atomic
    def stock_adjustment_post(*, adjustment, user):
        adjustment = lock(adjustment)
        if adjustment.status == DocumentStatus.POSTED:
            return adjustment                   # posting twice does nothing twice
        require_status(adjustment, DocumentStatus.DRAFT, action=_("post"))
        ledger.post(...)
        return set_status(adjustment, DocumentStatus.POSTED, user=user)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import BusinessError
from .models import Document, DocumentStatus
from .numbering import next_number


@transaction.atomic
def document_create[D: Document](*, model: type[D], user, lines: list[dict], **header) -> D:
    """A new draft of ``model`` with ``lines`` (dicts of line fields), numbered in this
    transaction. Field errors raise ValidationError (``{"lines": [...]}`` for the lines)."""
    document = model(created_by=user, status=DocumentStatus.DRAFT, **header)
    document.number = next_number(prefix=model.number_prefix, date=document.date)
    document.full_clean(exclude=["created_by"])
    document._history_user = user
    document.save()
    _replace_lines(document, lines)
    return document


@transaction.atomic
def document_update[D: Document](*, document: D, user, lines: list[dict] | None = None, **header) -> D:
    """Change a draft's header and, when ``lines`` is given, replace its lines. Anything but a
    draft is refused with 409 ``invalid_state``."""
    document = lock(document)
    require_status(document, DocumentStatus.DRAFT, action=_("edit"))
    for name, value in header.items():
        setattr(document, name, value)
    document.full_clean(exclude=["created_by"])
    document._history_user = user
    document.save()
    if lines is not None:
        _replace_lines(document, lines)
    return document


def lock[D: Document](document: D) -> D:
    """The document re-read with its row locked until the transaction ends: actions on one
    document run one at a time and see each other's results."""
    return type(document).objects.select_for_update().get(pk=document.pk)


def require_status(document: Document, *allowed: str, action: str) -> None:
    if document.status not in allowed:
        raise BusinessError(
            BusinessError.INVALID_STATE,
            _("%(number)s is %(status)s: it cannot %(action)s.")
            % {"number": document.number, "status": document.get_status_display(), "action": action},
        )


def set_status[D: Document](document: D, status: str, *, user) -> D:
    document.status = status
    document._history_user = user
    document.save(update_fields=["status", "updated_at"])
    return document


def _replace_lines(document: Document, lines: list[dict]) -> None:
    if not lines:
        raise ValidationError({"lines": [_("A document needs at least one line.")]})
    related = document.lines
    related.all().delete()
    objects, errors = [], []
    for number, fields in enumerate(lines, start=1):
        line = related.model(line_no=number, **{related.field.name: document}, **fields)
        try:
            line.full_clean(exclude=[related.field.name])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                label = "" if field == "__all__" else f"{field}: "
                errors.extend(
                    _("Line %(line)s: %(message)s") % {"line": number, "message": f"{label}{m}"} for m in messages
                )
        objects.append(line)
    if errors:
        raise ValidationError({"lines": errors})
    related.model.objects.bulk_create(objects)
