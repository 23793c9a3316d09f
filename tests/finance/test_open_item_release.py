"""Cancelling a supplier payment makes what it paid owed again, and an open debit note of that
supplier then settles it: a partner never keeps an open note beside open items. Payables and
receivables share the engine (apps/finance/openitems.py); the receivables case is in
tests/sales/test_sales_flow.py and was found by tests/sales/test_sales_property.py."""

from decimal import Decimal

import pytest

from apps.finance import payables
from apps.finance import services as finance
from apps.finance.checks import check_payables
from apps.finance.models import Payable
from apps.purchasing import services as purchasing
from tests.factories import ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal


def test_a_cancelled_payment_is_settled_by_the_open_debit_note():
    """113.00 owed for a receipt, 13.00 paid; all of it returned: the debit note of 113.00
    settles the 100.00 still owed and stays open for 13.00. Cancelling the payment makes 13.00
    owed again, which the open debit note settles at once."""
    warehouse = WarehouseFactory()
    clerk = UserFactory(departments=["warehouse"], warehouses=[warehouse])
    cashier = UserFactory(departments=["finance"])
    product, supplier = ProductFactory(), SupplierFactory()
    receipt = purchasing.purchase_receipt_create(
        user=clerk,
        supplier=supplier,
        warehouse=warehouse,
        lines=[{"product": product, "qty": D(1), "unit_cost": D("100.00"), "tax_rate": D("0.13")}],
    )
    receipt = purchasing.purchase_receipt_post(receipt=receipt, user=clerk)
    payment = finance.supplier_payment_create(user=cashier, supplier=supplier, amount=D("13.00"))
    payment = finance.supplier_payment_post(payment=payment, user=cashier)
    returned = purchasing.purchase_return_create(
        user=clerk, purchase_receipt=receipt, lines=[{"purchase_receipt_line": receipt.lines.get(), "qty": D(1)}]
    )
    purchasing.purchase_return_post(purchase_return=returned, user=clerk)
    assert Payable.objects.get(amount__lt=0).outstanding == D("-13.00")

    finance.supplier_payment_cancel(payment=payment, user=cashier)

    assert [(p.amount, p.paid, p.outstanding, p.status) for p in Payable.objects.order_by("id")] == [
        (D("113.00"), D(0), D(0), "paid"),
        (D("-113.00"), D(0), D(0), "paid"),
    ]
    assert payables.supplier_balance(supplier.pk) == D(0)
    assert check_payables() == []
