"""Write helpers shared by the master-data services of every app."""

from __future__ import annotations

from django.db import models, transaction
from pypinyin import Style, lazy_pinyin


def pinyin_index(text: str) -> str:
    """Full pinyin and initials of ``text`` for search, keeping Latin letters and digits:
    "矿泉水" -> "kuangquanshui kqs", "绿联 Type-C数据线" -> "lvliantypecshujuxian lltypecsjx"."""
    if not text:
        return ""
    full = _letters_and_digits(lazy_pinyin(text))
    initials = _letters_and_digits(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return f"{full} {initials}"[:400]


def _letters_and_digits(parts: list[str]) -> str:
    return "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())


@transaction.atomic
def record_save[M: models.Model](instance: M, *, user, fields: dict) -> M:
    """Set ``fields`` on ``instance``, validate it (field rules, constraints, uniqueness) and
    save it, recording ``user`` in the audit trail. Raises Django's ValidationError, which the
    API maps to 400 and forms show next to the field."""
    for name, value in fields.items():
        setattr(instance, name, value)
    if hasattr(instance, "name_pinyin"):
        instance.name_pinyin = pinyin_index(instance.name)
    instance.full_clean()
    instance._history_user = user
    instance.save()
    return instance


@transaction.atomic
def record_delete(instance: models.Model, *, user) -> None:
    """Delete an unused record; a record other records point at raises ProtectedError (409 in_use)."""
    instance._history_user = user
    instance.delete()
