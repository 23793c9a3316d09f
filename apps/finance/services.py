"""Writes of finance documents: supplier payments (付款单). Each service is one transaction;
the payables themselves change only through apps.finance.payables."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.documents import lock, require_status, set_status
from apps.core.fields import money
from apps.core.numbering import next_number
from apps.suppliers.models import Supplier

from . import payables
from .models import CashAccount, Payable, PaymentStatus, SupplierPayment, SupplierPaymentAllocation

DRAFT, POSTED, CANCELLED = PaymentStatus.DRAFT, PaymentStatus.POSTED, PaymentStatus.CANCELLED


def default_cash_account() -> CashAccount | None:
    return CashAccount.objects.filter(is_default=True, is_active=True).first()


def _check_payment(*, supplier: Supplier, amount, account: CashAccount | None, allocations: list[dict]) -> CashAccount:
    errors: dict[str, list[str]] = {}
    if amount is not None and money(amount) <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    if account is None:
        account = default_cash_account()
        if account is None:
            errors["account"] = [_("Choose an account: there is no default cash/bank account.")]
    elif not account.is_active:
        errors["account"] = [_("This account is inactive.")]
    lines, seen, total = [], set(), Decimal(0)
    for number, allocation in enumerate(allocations, start=1):
        payable: Payable = allocation["payable"]
        share = money(allocation["amount"])
        if payable.supplier_id != supplier.pk:
            lines.append(
                _("Line %(line)s: %(number)s is not a payable of this supplier.")
                % {"line": number, "number": payable.source_number}
            )
        if share <= 0:
            lines.append(_("Line %(line)s: the amount must be more than zero.") % {"line": number})
        if payable.pk in seen:
            lines.append(_("Line %(line)s: this payable is already allocated above.") % {"line": number})
        seen.add(payable.pk)
        total += share
    if amount is not None and money(amount) > 0 and total > money(amount):
        lines.append(
            _("The allocations add up to %(total)s, more than the amount of %(amount)s.")
            % {"total": total, "amount": money(amount)}
        )
    if lines:
        errors["allocations"] = lines
    if errors:
        raise ValidationError(errors)
    return account


def _write_allocations(payment: SupplierPayment, allocations: list[dict]) -> None:
    payment.allocations.all().delete()
    SupplierPaymentAllocation.objects.bulk_create(
        SupplierPaymentAllocation(payment=payment, payable=a["payable"], amount=money(a["amount"])) for a in allocations
    )


@transaction.atomic
def supplier_payment_create(
    *,
    user,
    supplier: Supplier,
    amount: Decimal,
    account: CashAccount | None = None,
    allocations: list[dict] | None = None,
    date=None,
    note: str = "",
    reference: str = "",
) -> SupplierPayment:
    """A draft payment (PAY-<year>-<n>) of ``amount`` to ``supplier`` from ``account`` (the
    default account when None), with requested ``allocations`` ({payable, amount}); what they
    leave is allocated oldest first at posting. Refuses (400) a payable of another supplier and
    allocations adding up to more than the amount."""
    allocations = allocations or []
    account = _check_payment(supplier=supplier, amount=amount, account=account, allocations=allocations)
    payment = SupplierPayment(
        created_by=user, supplier=supplier, amount=money(amount), account=account, note=note, reference=reference
    )
    if date is not None:
        payment.date = date
    payment.number = next_number(prefix=SupplierPayment.number_prefix, date=payment.date)
    payment.full_clean(exclude=["created_by"])
    payment._history_user = user
    payment.save()
    _write_allocations(payment, allocations)
    return payment


@transaction.atomic
def supplier_payment_update(
    *,
    payment: SupplierPayment,
    user,
    supplier: Supplier | None = None,
    amount: Decimal | None = None,
    account: CashAccount | None = None,
    allocations: list[dict] | None = None,
    date=None,
    note: str | None = None,
    reference: str | None = None,
) -> SupplierPayment:
    """Change a draft payment (fields left None stay; ``allocations`` given replace the
    requested ones). Anything but a draft is 409 ``invalid_state``."""
    payment = lock(payment)
    require_status(payment, DRAFT, action=_("edit"))
    fields = {"supplier": supplier, "amount": amount, "date": date, "note": note, "reference": reference}
    for name, value in fields.items():
        if value is not None:
            setattr(payment, name, money(value) if name == "amount" else value)
    if allocations is None:
        allocations = [
            {"payable": a.payable, "amount": a.amount} for a in payment.allocations.select_related("payable")
        ]
        keep = True
    else:
        keep = False
    payment.account = _check_payment(
        supplier=payment.supplier, amount=payment.amount, account=account or payment.account, allocations=allocations
    )
    payment.full_clean(exclude=["created_by"])
    payment._history_user = user
    payment.save()
    if not keep:
        _write_allocations(payment, allocations)
    return payment


@transaction.atomic
def supplier_payment_post(*, payment: SupplierPayment, user) -> SupplierPayment:
    """Post a draft: allocate it (the requested allocations, the rest oldest due first) and
    settle those payables. Refused with 409 ``over_allocation`` (nothing written, still a draft)
    when it pays more than a payable's outstanding or more than the supplier is owed. Locks the
    payment, then the supplier and its open payables. Posting a posted payment changes nothing."""
    payment = lock(payment)
    if payment.status == POSTED:
        return payment
    require_status(payment, DRAFT, action=_("be posted"))
    requested = [(a.payable_id, a.amount) for a in payment.allocations.order_by("id")]
    result = payables.allocate(supplier_id=payment.supplier_id, amount=payment.amount, requested=requested)
    payment.allocations.all().delete()
    SupplierPaymentAllocation.objects.bulk_create(
        SupplierPaymentAllocation(payment=payment, payable=item, amount=share) for item, share in result
    )
    return set_status(payment, POSTED, user=user)


@transaction.atomic
def supplier_payment_cancel(*, payment: SupplierPayment, user) -> SupplierPayment:
    """Cancel: a draft just becomes cancelled; a posted payment's allocations are undone (its
    payables owe those amounts again); a cancelled payment is 409 ``invalid_state``."""
    payment = lock(payment)
    require_status(payment, DRAFT, POSTED, action=_("be cancelled"))
    if payment.status == POSTED:
        payables.release(list(payment.allocations.select_related("payment")))
    return set_status(payment, CANCELLED, user=user)
