from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission
from simple_history import register
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person at the company. Departments are Django groups (apps/accounts/departments.py);
    warehouse scope is a django-guardian object permission on each warehouse."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True, default="")
    # A user's departments are Django groups (apps/accounts/departments.py); named as such.
    groups = models.ManyToManyField(
        Group, verbose_name=_("departments"), blank=True, related_name="user_set", related_query_name="user"
    )

    # Departments are the groups: their changes are audited with the user.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [("view_audit_trail", _("Can view the audit trail"))]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


# Warehouse scope is a guardian object permission per user and warehouse: audit its changes too.
register(UserObjectPermission, app=__package__, table_name="accounts_historicaluserobjectpermission")
