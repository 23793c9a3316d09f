"""The services' refusals read as plain sentences: quantities like 100 are written "100", not
"1E+2" (Decimal.normalize() alone writes round numbers in exponent form)."""

from decimal import Decimal

import pytest

from apps.core.errors import BusinessError
from apps.purchasing import services
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal


def test_over_receipt_and_over_return_sentences_write_round_numbers_plainly(make_user):
    warehouse = WarehouseFactory()
    product = ProductFactory(sku="SP0100")
    buyer, manager = make_user("purchasing"), make_user("management")
    clerk = make_user("warehouse", warehouses=[warehouse])
    order = services.purchase_order_create(
        user=buyer,
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[{"product": product, "qty": D(1000), "unit_price": D(1)}],
    )
    order = services.purchase_order_submit(order=order, user=buyer)
    order = services.purchase_order_approve(order=order, user=manager)
    line = order.lines.get()

    with pytest.raises(BusinessError) as over_receipt:
        services.purchase_receipt_create(
            user=clerk, purchase_order=order, lines=[{"purchase_order_line": line, "qty": D(1001)}]
        )
    receipt = services.purchase_receipt_create(
        user=clerk, purchase_order=order, lines=[{"purchase_order_line": line, "qty": D(60)}]
    )
    receipt = services.purchase_receipt_post(receipt=receipt, user=clerk)
    with pytest.raises(BusinessError) as over_return:
        services.purchase_return_create(
            user=clerk, purchase_receipt=receipt, lines=[{"purchase_receipt_line": receipt.lines.get(), "qty": D(70)}]
        )

    assert over_receipt.value.detail == (
        f"SP0100: 1,001 would be received, but order line 1 of {order.number} has only 1,000 left to receive "
        "(ordered 1,000, received 0)."
    )
    assert over_return.value.detail == (
        f"SP0100: 70 would be returned, but line 1 of {receipt.number} has only 60 left to return "
        "(received 60, returned 0)."
    )
