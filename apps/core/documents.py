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

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import UniqueConstraint
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
    document run one at a time and see each other's results. FOR NO KEY UPDATE: rows written
    elsewhere that point at it (their foreign-key checks take FOR KEY SHARE at commit) do not
    wait for it, so no deadlock forms around a document two postings touch."""
    return type(document).objects.select_for_update(no_key=True).get(pk=document.pk)


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
    """Validate and write ``lines`` in a few queries whatever their number: field rules and
    ``clean()`` per line in Python, each foreign key checked once for all lines, unique
    constraints checked among the lines. (Check constraints are the services' rules first and
    the database's last word.)"""
    if not lines:
        raise ValidationError({"lines": [_("A document needs at least one line.")]})
    related = document.lines
    model, parent = related.model, related.field.name
    foreign_keys = [f for f in model._meta.concrete_fields if f.is_relation and f.name != parent]
    related.all().delete()
    objects, errors = [], []

    def refuse(number, field, messages):
        label = "" if field == NON_FIELD_ERRORS else f"{field}: "
        errors.extend(_("Line %(line)s: %(message)s") % {"line": number, "message": f"{label}{m}"} for m in messages)

    for number, fields in enumerate(lines, start=1):
        line = model(line_no=number, **{parent: document}, **fields)
        try:
            line.full_clean(
                exclude=[parent, *(f.name for f in foreign_keys)], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                refuse(number, field, messages)
        objects.append(line)
    for field in foreign_keys:
        wanted = {getattr(line, field.attname) for line in objects} - {None}
        found = set(field.related_model._base_manager.filter(pk__in=wanted).values_list("pk", flat=True))
        for number, line in enumerate(objects, start=1):
            value = getattr(line, field.attname)
            if value is None and not field.null:
                refuse(number, field.name, [str(field.error_messages["null"])])
            elif value is not None and value not in found:
                refuse(number, field.name, [_("%(value)s does not exist.") % {"value": value}])
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and parent in constraint.fields and constraint.condition is None:
            others = [model._meta.get_field(name).attname for name in constraint.fields if name != parent]
            seen: set[tuple] = set()
            for number, line in enumerate(objects, start=1):
                key = tuple(getattr(line, name) for name in others)
                if key in seen:
                    refuse(number, NON_FIELD_ERRORS, [_("This line repeats an earlier one.")])
                seen.add(key)
    if errors:
        raise ValidationError({"lines": errors})
    model.objects.bulk_create(objects)


def given_fields(**fields) -> dict:
    """The header fields a caller actually gave (None means "leave as it is")."""
    return {name: value for name, value in fields.items() if value is not None}


def refuse_lines(errors: list[str]) -> None:
    """400 ``{"lines": errors}`` when there are any."""
    if errors:
        raise ValidationError({"lines": errors})


def require_fields(**fields) -> None:
    """400 "This field is required." for each of ``fields`` that is None."""
    missing = {name: [_("This field is required.")] for name, value in fields.items() if value is None}
    if missing:
        raise ValidationError(missing)


def check_same_as(source: Document, **fields) -> None:
    """400 for each given field (not None) that differs from ``source``'s: a document made
    against another keeps its partner and warehouse."""
    errors = {}
    for name, value in fields.items():
        expected = getattr(source, name)
        if value is not None and value != expected:
            errors[name] = [
                _("Must be the same as on %(number)s (%(value)s).") % {"number": source.number, "value": expected}
            ]
    if errors:
        raise ValidationError(errors)


def lines_against(
    source: Document | None,
    lines: list[dict] | None,
    *,
    ref: str,
    copy: dict[str, str],
    force: dict[str, str] | None = None,
    required: bool = False,
) -> list[dict] | None:
    """Lines of a document made against ``source`` (a delivery against its order, a return
    against its delivery), each checked against the ``ref`` line it names: that line must be on
    ``source`` and the product must be its. The fields of ``copy`` ({line field: source line
    field}) default to the source line's; those of ``force`` are always the source line's (a
    return goes back at what it came in at). ``required``: against a source, every line must
    name one. 400 ``{"lines": [...]}`` on any mismatch."""
    if lines is None:
        return None
    result, errors = [], []
    for number, line in enumerate(lines, start=1):
        line = dict(line)
        source_line = line.get(ref)
        if source_line is not None:
            if source is None or source_line.document_id != source.pk:
                errors.append(
                    _("Line %(line)s: the line it refers to is not on %(number)s.")
                    % {"line": number, "number": source.number if source is not None else "—"}
                )
            elif line.get("product") is not None and line["product"].pk != source_line.product_id:
                errors.append(
                    _("Line %(line)s: the product differs from the line it refers to (%(sku)s).")
                    % {"line": number, "sku": source_line.product.sku}
                )
            else:
                line.setdefault("product", source_line.product)
                for name, source_name in copy.items():
                    if line.get(name) is None:
                        line[name] = getattr(source_line, source_name)
                for name, source_name in (force or {}).items():
                    line[name] = getattr(source_line, source_name)
        elif required and source is not None:
            errors.append(
                _("Line %(line)s: name the line of %(number)s it returns.") % {"line": number, "number": source.number}
            )
        result.append(line)
    refuse_lines(errors)
    return result


def qty_by_source_line(lines, ref: str) -> dict[int, Decimal]:
    """{source line id: quantity} of ``lines`` (saved lines or line dicts) that name a ``ref``
    line: what a document takes from each line of the document it is against."""
    result: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        source_line, qty = (
            (line.get(ref), line.get("qty")) if isinstance(line, dict) else (getattr(line, ref), line.qty)
        )
        if source_line is not None and qty is not None:
            result[source_line.pk] += Decimal(qty)
    return result
