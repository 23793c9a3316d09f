"""Reads of the audit trail: every model recorded by django-simple-history, who changed what
and from what to what. Used by the audit page and the History section of detail pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import CharField, Value
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import registered_models
from simple_history.utils import get_history_model_for_model

from .formatting import display_value

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}

# How the audit trail names records of models it does not own (e.g. Django's groups are
# departments, guardian's object permissions are warehouse scope). Apps register in ready().
_object_labels: dict[str, Any] = {}
_model_names: dict[str, tuple[Any, Any]] = {}


def register_labels(model_label: str, *, object_label=None, verbose_name=None, verbose_name_plural=None) -> None:
    """``object_label(obj) -> str`` names one record; the verbose names replace the model's."""
    if object_label is not None:
        _object_labels[model_label] = object_label
    if verbose_name is not None:
        _model_names[model_label] = (verbose_name, verbose_name_plural or verbose_name)


def label_of(obj) -> str:
    labeller = _object_labels.get(obj._meta.label_lower)
    return labeller(obj) if labeller else str(obj)


def model_name(model, *, plural: bool = False) -> str:
    names = _model_names.get(model._meta.label_lower)
    if names is None:
        names = (model._meta.verbose_name, model._meta.verbose_name_plural)
    return capfirst(str(names[1] if plural else names[0]))


def history_models() -> dict[str, type[models.Model]]:
    """``{"inventory.product": Product, ...}``: every model with a history, by label, sorted."""
    found = {}
    for model in registered_models.values():
        if hasattr(model._meta, "simple_history_manager_attribute"):
            found[model._meta.label_lower] = model
    return dict(sorted(found.items()))


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One history record as the pages show it."""

    record: Any
    model: type[models.Model]
    when: Any
    user: Any
    action: str
    action_label: str
    object_id: Any
    object_label: str
    changes: list[Change] = field(default_factory=list)


def _changes(record, previous) -> list[Change]:
    if previous is None or record.history_type != "~":
        return []
    delta = record.diff_against(previous, foreign_keys_are_objs=True)
    result = []
    for change in delta.changes:
        model_field = record.instance_type._meta.get_field(change.field)
        if model_field.many_to_many:
            old, new = _related_labels(model_field, change.old), _related_labels(model_field, change.new)
        else:
            old, new = display_value(model_field, change.old), display_value(model_field, change.new)
        result.append(Change(label=capfirst(str(model_field.verbose_name)), old=old, new=new))
    return result


def _related_labels(model_field, rows) -> str:
    """A many-to-many value of the history ([{"user": u, "group": g}, ...]) as "a, b"."""
    key = model_field.m2m_reverse_field_name()
    labels = sorted(label_of(row[key]) for row in rows or [] if row.get(key) is not None)
    return ", ".join(labels) or "—"


def _entry(record, previous) -> Entry:
    model = record.instance_type
    return Entry(
        record=record,
        model=model,
        when=record.history_date,
        user=record.history_user,
        action=record.history_type,
        action_label=str(ACTIONS.get(record.history_type, record.history_type)),
        object_id=getattr(record, model._meta.pk.attname),
        object_label=label_of(record.history_object),
        changes=_changes(record, previous),
    )


def object_history(obj: models.Model, *, limit: int = 100) -> list[Entry]:
    """The newest ``limit`` changes of one record, newest first, each with its field changes."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is None and record.history_type == "~":
            previous = record.prev_record
        entries.append(_entry(record, previous))
    return entries


def audit_rows(*, model_label: str | None = None, user_id: int | None = None):
    """A queryset of ``{"history_id", "history_date", "model_label"}`` over every history table
    (a UNION), newest first; turn a page of it into entries with :func:`audit_entries`."""
    querysets = []
    for label, model in history_models().items():
        if model_label and label != model_label:
            continue
        queryset = get_history_model_for_model(model).objects.order_by()  # no ORDER BY inside a UNION
        if user_id:
            queryset = queryset.filter(history_user_id=user_id)
        querysets.append(
            queryset.annotate(model_label=Value(label, output_field=CharField())).values(
                "history_id", "history_date", "model_label"
            )
        )
    if not querysets:
        return []
    combined = querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
    return combined.order_by("-history_date", "-history_id")


def audit_entries(rows) -> list[Entry]:
    """Entries for a page of :func:`audit_rows`, in the same order (one query per model, plus
    one per changed record to find what it was before)."""
    rows = list(rows)
    models_by_label = history_models()
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["model_label"], []).append(row["history_id"])
    records = {}
    for label, ids in wanted.items():
        history_model = get_history_model_for_model(models_by_label[label])
        for record in history_model.objects.filter(history_id__in=ids).select_related("history_user"):
            records[(label, record.history_id)] = record
    entries = []
    for row in rows:
        record = records.get((row["model_label"], row["history_id"]))
        if record is not None:
            previous = record.prev_record if record.history_type == "~" else None
            entries.append(_entry(record, previous))
    return entries
