"""Writes for users: departments (groups), warehouse scope (guardian), passwords."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.inventory.models import Warehouse

from .departments import DEPARTMENTS, IT_ADMIN
from .models import User
from .selectors import OPERATE_WAREHOUSE, assigned_warehouses

_PROFILE_FIELDS = ("username", "full_name", "email", "is_active")


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    departments: list[str] | None = None,
    warehouses: list[Warehouse] | None = None,
    full_name: str = "",
    email: str = "",
    is_active: bool = True,
) -> User:
    """Create a user in ``departments`` operating ``warehouses``. Refuses a weak password."""
    user = User(username=username, full_name=full_name, email=email, is_active=is_active)
    _set_password(user, password)
    user._history_user = actor
    user.full_clean(exclude=["password"])
    user.save()
    _set_departments(user, departments or [])
    _set_warehouses(user, warehouses or [])
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    actor,
    password: str | None = None,
    departments: list[str] | None = None,
    warehouses: list[Warehouse] | None = None,
    **profile,
) -> User:
    changed = bool(password)
    for name, value in profile.items():
        if name not in _PROFILE_FIELDS:
            raise TypeError(f"user_update() got an unexpected field {name!r}")
        changed = changed or getattr(user, name) != value
        setattr(user, name, value)
    if password:
        _set_password(user, password)
    user.full_clean(exclude=["password"])
    if changed:  # an unchanged profile writes nothing (and adds no empty audit entry)
        user._history_user = actor
        user.save()
    if departments is not None:
        _set_departments(user, departments)
    if warehouses is not None:
        _set_warehouses(user, warehouses)
    return user


def _set_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)


def _set_departments(user: User, departments: list[str]) -> None:
    unknown = sorted(set(departments) - set(DEPARTMENTS))
    if unknown:
        raise ValidationError({"departments": [_("Unknown department: %(name)s") % {"name": name} for name in unknown]})
    user.groups.set(Group.objects.filter(name__in=departments))
    # Django admin is the IT admin's tool.
    is_staff = IT_ADMIN in departments or user.is_superuser
    if user.is_staff != is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=is_staff)
        user.is_staff = is_staff
    user._jxc_departments = sorted(departments)


def _set_warehouses(user: User, warehouses: list[Warehouse]) -> None:
    wanted = {w.pk: w for w in warehouses}
    current = {w.pk: w for w in assigned_warehouses(user)}
    for pk in current.keys() - wanted.keys():
        remove_perm(OPERATE_WAREHOUSE, user, current[pk])
    for pk in wanted.keys() - current.keys():
        assign_perm(OPERATE_WAREHOUSE, user, wanted[pk])
