from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.partners import Partner


class Supplier(Partner):
    code = models.CharField(
        _("code"), max_length=20, unique=True, error_messages={"unique": _("This supplier code is already used.")}
    )
    tax_number = models.CharField(_("tax number"), max_length=40, blank=True, default="")
    bank_account = models.CharField(_("bank account"), max_length=100, blank=True, default="")

    history = HistoricalRecords(excluded_fields=["name_pinyin"])

    class Meta(Partner.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
