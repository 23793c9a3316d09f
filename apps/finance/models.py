"""Finance: open items owed to suppliers (payables) and by customers (receivables), supplier
payments and customer receipts, and the cash and bank accounts money moves through.

An open item is written by the document that creates the debt (a posted purchase receipt: a
payable; a posted purchase return: a negative payable, i.e. a debit note) and settled by
payments and by credits from negative items. ``outstanding = amount − paid − credited``; the
item is ``paid`` when nothing is outstanding. A cancelled source document cancels its item.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.fields import MoneyField, non_negative
from apps.core.models import Document, DocumentStatus


class CashAccount(models.Model):
    """结算账户: a till or a bank account that payments leave from and receipts go into."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank")

    code = models.CharField(
        _("code"), max_length=20, unique=True, error_messages={"unique": _("This account code is already used.")}
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.BANK)
    opening_balance = MoneyField(_("opening balance"), default=0)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used by receipts and payments that name no account.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cash/bank account")
        verbose_name_plural = _("cash/bank accounts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="finance_one_default_cash_account"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class OpenItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class OpenItem(models.Model):
    """An open item: what one document makes a partner owe (or be owed: a negative note).
    Subclasses add the partner. Written only by apps.finance.openitems (through payables.py /
    receivables.py)."""

    source_type = models.CharField(_("source type"), max_length=32)
    source_id = models.PositiveBigIntegerField(_("source id"))
    source_number = models.CharField(_("source number"), max_length=32, db_index=True)
    date = models.DateField(_("date"), db_index=True)
    due_date = models.DateField(_("due date"), db_index=True)
    amount = MoneyField(_("amount"))
    paid = MoneyField(_("paid"), default=0, help_text=_("Settled by payments or receipts."))
    credited = MoneyField(_("credited"), default=0, help_text=_("Settled by returns; negative on a note."))
    status = models.CharField(
        _("status"), max_length=12, choices=OpenItemStatus.choices, default=OpenItemStatus.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["due_date", "id"]

    def __str__(self):
        return f"{self.source_number}: {self.amount}"

    @property
    def outstanding(self):
        return self.amount - self.paid - self.credited


class Payable(OpenItem):
    """应付: what we owe a supplier for one document (a debit note from a return is negative)."""

    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="payables", verbose_name=_("supplier")
    )

    class Meta(OpenItem.Meta):
        verbose_name = _("payable")
        verbose_name_plural = _("payables")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="finance_payable_one_per_source"),
            models.CheckConstraint(condition=~Q(amount=0), name="finance_payable_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["supplier", "status", "due_date"], name="finance_payable_open_idx")]


class Receivable(OpenItem):
    """应收: what a customer owes us for one delivery (a credit note from a return is negative)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="receivables", verbose_name=_("customer")
    )

    class Meta(OpenItem.Meta):
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="finance_receivable_one_per_source"),
            models.CheckConstraint(condition=~Q(amount=0), name="finance_receivable_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["customer", "status", "due_date"], name="finance_receivable_open_idx")]


class PayableCredit(models.Model):
    """A debit note (negative payable) applied to a payable: ``amount`` of the first settles as
    much of the second. Kept when undone, with ``cancelled_at`` set."""

    debit_note = models.ForeignKey(Payable, on_delete=models.PROTECT, related_name="credits_given")
    payable = models.ForeignKey(Payable, on_delete=models.PROTECT, related_name="credits_received")
    amount = MoneyField(_("amount"), validators=non_negative())
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("debit note applied")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_credit_amount_positive")]


class PaymentStatus(models.TextChoices):
    DRAFT = DocumentStatus.DRAFT.value, DocumentStatus.DRAFT.label
    POSTED = DocumentStatus.POSTED.value, DocumentStatus.POSTED.label
    CANCELLED = DocumentStatus.CANCELLED.value, DocumentStatus.CANCELLED.label


class SupplierPayment(Document):
    """付款单: money paid to a supplier from a cash/bank account, allocated to its payables
    (explicitly, the rest oldest first). Posting settles them; cancelling undoes that."""

    number_prefix = "PAY"

    status = models.CharField(
        _("status"), max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT, db_index=True
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="payments", verbose_name=_("supplier")
    )
    amount = MoneyField(_("amount"))
    account = models.ForeignKey(
        CashAccount, on_delete=models.PROTECT, related_name="supplier_payments", verbose_name=_("account")
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True, default="")

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("supplier payment")
        verbose_name_plural = _("supplier payments")
        permissions = [("post_supplierpayment", _("Can post and cancel supplier payments"))]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_payment_amount_positive")]


class SupplierPaymentAllocation(models.Model):
    """How much of a payment settles one payable. Requested ones are written with the draft;
    posting completes them (the rest oldest first)."""

    payment = models.ForeignKey(SupplierPayment, on_delete=models.CASCADE, related_name="allocations")
    payable = models.ForeignKey(
        Payable, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("payable")
    )
    amount = MoneyField(_("amount"))

    class Meta:
        verbose_name = _("payment allocation")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_allocation_amount_positive"),
            models.UniqueConstraint(fields=["payment", "payable"], name="finance_allocation_one_per_payable"),
        ]


class ReceivableCredit(models.Model):
    """A credit note (negative receivable, from a sales return) applied to a receivable. Kept
    when undone, with ``cancelled_at`` set."""

    credit_note = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="credits_given")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="credits_received")
    amount = MoneyField(_("amount"), validators=non_negative())
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit note applied")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_receivable_credit_amount_positive")
        ]


class CustomerReceipt(Document):
    """收款单: money received from a customer into a cash/bank account, allocated to its
    receivables (explicitly, the rest oldest first). Posting settles them; cancelling undoes that."""

    number_prefix = "RC"

    status = models.CharField(
        _("status"), max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT, db_index=True
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="receipts", verbose_name=_("customer")
    )
    amount = MoneyField(_("amount"))
    account = models.ForeignKey(
        CashAccount, on_delete=models.PROTECT, related_name="customer_receipts", verbose_name=_("account")
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True, default="")

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("customer receipt")
        verbose_name_plural = _("customer receipts")
        permissions = [("post_customerreceipt", _("Can post and cancel customer receipts"))]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_receipt_amount_positive")]


class CustomerReceiptAllocation(models.Model):
    """How much of a customer receipt settles one receivable."""

    receipt = models.ForeignKey(CustomerReceipt, on_delete=models.CASCADE, related_name="allocations")
    receivable = models.ForeignKey(
        Receivable, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("receivable")
    )
    amount = MoneyField(_("amount"))

    class Meta:
        verbose_name = _("receipt allocation")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_receipt_allocation_amount_positive"),
            models.UniqueConstraint(fields=["receipt", "receivable"], name="finance_receipt_allocation_one_per_item"),
        ]
