"""Fields shared by the business partners (suppliers and customers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Partner(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact"), max_length=100, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    address = models.CharField(_("address"), max_length=255, blank=True, default="")
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    name_pinyin = models.CharField(max_length=400, blank=True, default="", editable=False)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"
