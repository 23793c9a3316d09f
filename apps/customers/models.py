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


class CustomerContact(models.Model):
    """联系人: a person at the customer (buyer, receiving, accounts payable)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=60, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]

    def __str__(self):
        return self.name


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Complaint(models.Model):
    """客诉/反馈: a complaint or feedback ticket from a customer, optionally about one of its
    documents (order, delivery, return): open → in progress → resolved → closed (a resolved
    ticket can be reopened). Every change is kept in its notes."""

    class Category(models.TextChoices):
        QUALITY = "quality", _("Product quality")
        DELIVERY = "delivery", _("Delivery")
        SERVICE = "service", _("Service")
        BILLING = "billing", _("Billing")
        FEEDBACK = "feedback", _("Feedback / suggestion")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    number_prefix = "CMP"

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("customer")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="", max_length=4000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    document_number = models.CharField(
        _("document"), max_length=32, blank=True, default="", help_text=_("A sales order, delivery or return number.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
        verbose_name=_("assignee"),
    )
    resolution = models.TextField(_("resolution"), blank=True, default="", max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.number} {self.subject}"


class ComplaintNote(models.Model):
    """One entry of a ticket's history: a note, and the status change it came with, if any."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), blank=True, default="", max_length=4000)
    status_from = models.CharField(_("from"), max_length=20, blank=True, default="", choices=ComplaintStatus.choices)
    status_to = models.CharField(_("to"), max_length=20, blank=True, default="", choices=ComplaintStatus.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint note")
        ordering = ["created_at", "id"]
