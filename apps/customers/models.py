from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.fields import MoneyField, non_negative
from apps.core.partners import Partner


class Customer(Partner):
    code = models.CharField(
        _("code"), max_length=20, unique=True, error_messages={"unique": _("This customer code is already used.")}
    )
    credit_limit = MoneyField(
        _("credit limit"), null=True, blank=True, validators=non_negative(), help_text=_("Empty means no limit.")
    )
    grade = models.CharField(_("grade"), max_length=20, blank=True, default="")
    tax_number = models.CharField(_("tax number"), max_length=40, blank=True, default="")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("salesperson"),
    )

    history = HistoricalRecords(excluded_fields=["name_pinyin"])

    class Meta(Partner.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customers_customer_credit_limit_non_negative",
            )
        ]
