from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person at the company. Departments are Django groups (apps/accounts/departments.py);
    warehouse scope is a django-guardian object permission on each warehouse."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True, default="")

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

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
