"""Finance: open items owed to suppliers (payables) and by customers (receivables), supplier
payments and customer receipts, and the cash and bank accounts money moves through.

An open item is written by the document that creates the debt (a posted purchase receipt: a
payable; a posted purchase return: a negative payable, i.e. a debit note) and settled by
payments and by credits from negative items. ``outstanding = amount − paid − credited``; the
item is ``paid`` when nothing is outstanding. A cancelled source document cancels its item.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core.fields import MoneyField, non_negative
from apps.core.models import Document, DocumentLine, DocumentStatus


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
    opening_date = models.DateField(
        _("opening date"), default=timezone.localdate, help_text=_("The day the opening balance is booked on.")
    )
    balance = MoneyField(_("balance"), default=0, editable=False)
    ledger_account = models.ForeignKey(
        "finance.Account",
        on_delete=models.PROTECT,
        related_name="cash_accounts",
        verbose_name=_("ledger account"),
        null=True,
        blank=True,
        help_text=_("The account in the chart its money is booked to (empty: 1001 cash or 1002 bank by kind)."),
    )
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


# --- The general ledger: chart of accounts, journal entries, periods -----------------------


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    COST = "cost", _("Cost")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


DEBIT_NATURE = frozenset({AccountKind.ASSET, AccountKind.COST, AccountKind.EXPENSE})


class Account(models.Model):
    """科目: an account of the chart (小企业会计准则 codes: 1001 库存现金, 2202 应付账款 ...).
    A sub-account's code extends its parent's ("2221.01" under "2221"). Finance adds and
    renames accounts; an account with journal lines is never deleted (deactivate it)."""

    code = models.CharField(
        _("code"), max_length=20, unique=True, error_messages={"unique": _("This account code is already used.")}
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=12, choices=AccountKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        permissions = [("view_statements", _("Can read the financial statements and the books check"))]

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The name in the user's language: the English name when English is active and set."""
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def debit_nature(self) -> bool:
        """Assets, costs and expenses grow on the debit side; the others on the credit side."""
        return self.kind in DEBIT_NATURE


class JournalStatus(models.TextChoices):
    DRAFT = DocumentStatus.DRAFT.value, DocumentStatus.DRAFT.label
    POSTED = DocumentStatus.POSTED.value, DocumentStatus.POSTED.label


class JournalEntry(Document):
    """凭证: a balanced set of debits and credits on one date. Written posted by every posting
    service (``source_*`` name the document) and reversed by a new entry when the document is
    cancelled; finance also writes manual entries (drafts until posted). A posted entry is
    never edited: it is reversed."""

    number_prefix = "JE"

    status = models.CharField(
        _("status"), max_length=24, choices=JournalStatus.choices, default=JournalStatus.DRAFT, db_index=True
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True, default="")
    source_type = models.CharField(_("source type"), max_length=32, blank=True, default="", db_index=True)
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source_number = models.CharField(_("source number"), max_length=32, blank=True, default="", db_index=True)
    reversal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reversal of"),
    )
    total = MoneyField(_("total"), default=0, editable=False, help_text=_("The sum of the debits (= the credits)."))
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        permissions = [("post_journalentry", _("Can post and reverse manual journal entries"))]
        indexes = [models.Index(fields=["source_type", "source_id"], name="finance_je_source_idx")]

    @property
    def is_manual(self) -> bool:
        return not self.source_type


class JournalLine(models.Model):
    """One debit or credit of an entry (exactly one of the two is non-zero)."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"), default=0)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="journal_lines", verbose_name=_("account")
    )
    debit = MoneyField(_("debit"), default=0)
    credit = MoneyField(_("credit"), default=0)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("journal line")
        ordering = ["line_no", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0)),
                name="finance_journal_line_one_side",
            )
        ]
        indexes = [models.Index(fields=["account", "entry"], name="finance_jl_account_idx")]

    @property
    def amount(self):
        """Signed: a debit is positive, a credit negative."""
        return self.debit - self.credit


class Period(models.Model):
    """One month of the books (月份). A closed month refuses every posting dated in it; the
    row is created when the month is first closed (a month without a row is open). Closing and reopening are recorded as
    :class:`PeriodEvent` rows."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-month"]
        permissions = [
            ("close_period", _("Can close a period")),
            ("reopen_period", _("Can reopen a closed period")),
        ]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class PeriodEvent(models.Model):
    """A close or a reopen of a period: who, when and (for a reopen) why."""

    class Action(models.TextChoices):
        CLOSE = "close", pgettext_lazy("period", "Closed")
        REOPEN = "reopen", _("Reopened")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="events", verbose_name=_("period"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("period event")
        ordering = ["-at", "-id"]


# --- Money in and out of the cash/bank accounts ---------------------------------------------


class CashMovement(models.Model):
    """资金流水: one movement of money in (positive) or out (negative) of a cash/bank account,
    with the account's balance after it. Written only by apps.finance.cash."""

    account = models.ForeignKey(
        CashAccount, on_delete=models.PROTECT, related_name="movements", verbose_name=_("account")
    )
    date = models.DateField(_("date"), db_index=True)
    amount = MoneyField(_("amount"))
    balance_after = MoneyField(_("balance after"))
    source_type = models.CharField(_("source type"), max_length=32)
    source_id = models.PositiveBigIntegerField(_("source id"))
    source_number = models.CharField(_("source number"), max_length=32, db_index=True)
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True, default="")
    reversal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cash movement")
        verbose_name_plural = _("cash movements")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="finance_cash_movement_not_zero")]
        indexes = [
            models.Index(fields=["account", "date", "id"], name="finance_cash_mv_account_idx"),
            models.Index(fields=["source_type", "source_id"], name="finance_cash_mv_source_idx"),
        ]


class CashTransfer(Document):
    """资金调拨: money moved between two of our own cash/bank accounts."""

    number_prefix = "CT"

    status = models.CharField(
        _("status"), max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT, db_index=True
    )
    from_account = models.ForeignKey(
        CashAccount, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from account")
    )
    to_account = models.ForeignKey(
        CashAccount, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to account")
    )
    amount = MoneyField(_("amount"))

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("cash transfer")
        verbose_name_plural = _("cash transfers")
        permissions = [("post_cashtransfer", _("Can post and cancel cash transfers"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_cash_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(from_account=models.F("to_account")), name="finance_cash_transfer_two_accounts"
            ),
        ]


class MoneyKind(models.TextChoices):
    INCOME = "income", _("Other income")
    EXPENSE = "expense", _("Other expense")


class MoneyCategory(models.Model):
    """A kind of other income or expense (rent, wages, freight ...) and the account it books to."""

    kind = models.CharField(_("kind"), max_length=8, choices=MoneyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("income/expense category")
        verbose_name_plural = _("income/expense categories")
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="finance_money_category_unique_name")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class MoneyDocument(Document):
    """收入单 / 支出单: other income into, or an expense paid from, a cash/bank account (rent,
    wages, freight ...), one line per category."""

    number_prefix = "OM"  # replaced by OI / OE by kind

    status = models.CharField(
        _("status"), max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT, db_index=True
    )
    kind = models.CharField(_("kind"), max_length=8, choices=MoneyKind.choices)
    account = models.ForeignKey(
        CashAccount, on_delete=models.PROTECT, related_name="money_documents", verbose_name=_("account")
    )
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True, default="")
    total = MoneyField(_("total"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = _("income/expense document")
        verbose_name_plural = _("income/expense documents")
        permissions = [("post_moneydocument", _("Can post and cancel income and expense documents"))]


class MoneyLine(DocumentLine):
    document = models.ForeignKey(MoneyDocument, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(MoneyCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    amount = MoneyField(_("amount"))
    description = models.CharField(_("description"), max_length=200, blank=True, default="")

    class Meta(DocumentLine.Meta):
        verbose_name = _("income/expense line")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_money_line_amount_positive")]
