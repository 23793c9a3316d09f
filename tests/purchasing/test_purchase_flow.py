"""The purchasing loop through the services, with the issue's numbers: order 100 @ 10.00 with
13% VAT → approve → receive 60 → receive 40 → received; payable 1,130.00 due after the terms;
pay 500 → 630.00 outstanding; return 10 → stock, value and payable right."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.errors import BusinessError
from apps.finance import services as finance
from apps.finance.models import Payable
from apps.inventory.models import StockBalance
from apps.purchasing import services
from apps.purchasing.models import PurchaseOrder
from apps.suppliers.models import SupplierProduct
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def world(make_user):
    warehouse = WarehouseFactory()
    return {
        "warehouse": warehouse,
        "supplier": SupplierFactory(payment_terms_days=30),
        "product": ProductFactory(purchase_price=D("9.00")),
        "buyer": make_user("purchasing"),
        "manager": make_user("management"),
        "clerk": make_user("warehouse", warehouses=[warehouse]),
        "finance": make_user("finance"),
    }


def balance(product, warehouse):
    row = StockBalance.objects.get(product=product, warehouse=warehouse)
    return row.qty, row.value, row.ordered_qty


def approved_order(world, qty="100", price="10.00"):
    order = services.purchase_order_create(
        user=world["buyer"],
        supplier=world["supplier"],
        warehouse=world["warehouse"],
        date=DAY,
        lines=[{"product": world["product"], "qty": D(qty), "unit_price": D(price), "tax_rate": D("0.13")}],
    )
    order = services.purchase_order_submit(order=order, user=world["buyer"])
    return services.purchase_order_approve(order=order, user=world["manager"])


def receive(world, order, qty, day=DAY):
    line = order.lines.get()
    receipt = services.purchase_receipt_create(
        user=world["clerk"],
        purchase_order=order,
        date=day,
        lines=[{"purchase_order_line": line, "qty": D(qty)}],
    )
    return services.purchase_receipt_post(receipt=receipt, user=world["clerk"])


def test_the_whole_loop_to_the_cent(world):
    product, warehouse, supplier = world["product"], world["warehouse"], world["supplier"]
    order = approved_order(world)
    assert (order.status, order.total_net, order.total_tax, order.total) == (
        "approved",
        D("1000.00"),
        D("130.00"),
        D("1130.00"),
    )
    assert balance(product, warehouse) == (D(0), D(0), D(100))

    first = receive(world, order, "60")
    order.refresh_from_db()
    assert order.status == "partially_received"
    assert order.lines.get().received_qty == D(60)
    assert balance(product, warehouse) == (D(60), D("600.00"), D(40))
    assert first.total == D("678.00")

    second = receive(world, order, "40", day=DAY + datetime.timedelta(days=1))
    order.refresh_from_db()
    assert order.status == "received"
    assert balance(product, warehouse) == (D(100), D("1000.00"), D(0))

    items = list(Payable.objects.filter(supplier=supplier).order_by("id"))
    assert [(p.source_number, p.amount, p.due_date) for p in items] == [
        (first.number, D("678.00"), DAY + datetime.timedelta(days=30)),
        (second.number, D("452.00"), DAY + datetime.timedelta(days=31)),
    ]
    assert sum(p.amount for p in items) == D("1130.00")
    # The supplier's last price is remembered for planning.
    assert SupplierProduct.objects.get(supplier=supplier, product=product).last_price == D("10.00")

    payment = finance.supplier_payment_create(user=world["finance"], supplier=supplier, amount=D("500"), date=DAY)
    payment = finance.supplier_payment_post(payment=payment, user=world["finance"])
    assert [(a.payable.source_number, a.amount) for a in payment.allocations.order_by("id")] == [
        (first.number, D("500.00"))
    ]
    items = list(Payable.objects.filter(supplier=supplier).order_by("id"))
    assert [(p.outstanding, p.status) for p in items] == [(D("178.00"), "open"), (D("452.00"), "open")]
    assert sum(p.outstanding for p in items) == D("630.00")

    returned = services.purchase_return_create(
        user=world["clerk"],
        purchase_receipt=first,
        date=DAY + datetime.timedelta(days=2),
        lines=[{"purchase_receipt_line": first.lines.get(), "qty": D(10)}],
    )
    returned = services.purchase_return_post(purchase_return=returned, user=world["clerk"])
    assert returned.total == D("113.00")
    assert balance(product, warehouse) == (D(90), D("900.00"), D(0))
    assert first.lines.get().returned_qty == D(10)
    items = {p.source_number: p for p in Payable.objects.filter(supplier=supplier)}
    # The debit note settles the returned receipt's payable first.
    assert items[first.number].outstanding == D("65.00")
    assert items[returned.number].amount == D("-113.00")
    assert items[returned.number].status == "paid"
    assert sum(p.outstanding for p in items.values()) == D("517.00")


def test_over_receipt_is_refused_and_changes_nothing(world):
    order = approved_order(world)
    receive(world, order, "60")
    line = order.lines.get()
    with pytest.raises(BusinessError) as refused:
        services.purchase_receipt_create(
            user=world["clerk"], purchase_order=order, lines=[{"purchase_order_line": line, "qty": D(41)}]
        )
    assert refused.value.code == "over_receipt"
    assert balance(world["product"], world["warehouse"]) == (D(60), D("600.00"), D(40))


def test_tolerance_allows_a_little_more(world, settings):
    settings.JXC_RECEIPT_TOLERANCE = "0.05"
    order = approved_order(world)
    receive(world, order, "105")
    order.refresh_from_db()
    assert order.status == "received"
    # At most what was open stops counting as ordered.
    assert balance(world["product"], world["warehouse"]) == (D(105), D("1050.00"), D(0))


def test_self_approval_and_threshold(world, settings):
    order = services.purchase_order_create(
        user=world["buyer"],
        supplier=world["supplier"],
        warehouse=world["warehouse"],
        lines=[{"product": world["product"], "qty": D(10), "unit_price": D(10)}],
    )
    services.purchase_order_submit(order=order, user=world["buyer"])
    with pytest.raises(BusinessError) as refused:
        services.purchase_order_approve(order=order, user=world["buyer"])
    assert refused.value.code == "self_approval"
    settings.JXC_PO_APPROVAL_THRESHOLD = "100"
    other_buyer = world["buyer"].__class__.objects.create(username="buyer2")
    other_buyer.groups.set(world["buyer"].groups.all())
    with pytest.raises(PermissionDenied):
        services.purchase_order_approve(order=PurchaseOrder.objects.get(pk=order.pk), user=other_buyer)
    order.refresh_from_db()
    assert order.status == "submitted"
    order = services.purchase_order_approve(order=order, user=world["manager"])
    assert order.status == "approved"
    assert order.approved_by == world["manager"]


def test_close_releases_what_will_not_come_and_cancel_refused_after_receipts(world):
    order = approved_order(world)
    receive(world, order, "30")
    with pytest.raises(BusinessError) as refused:
        services.purchase_order_cancel(order=order, user=world["buyer"])
    assert refused.value.code == "invalid_state"
    order = services.purchase_order_close(order=order, user=world["buyer"], reason="supplier out of stock")
    assert order.status == "closed"
    assert balance(world["product"], world["warehouse"]) == (D(30), D("300.00"), D(0))
    with pytest.raises(BusinessError):
        receive(world, order, "1")


def test_receipt_cancel_reverses_stock_order_and_payable(world):
    order = approved_order(world)
    receipt = receive(world, order, "60")
    services.purchase_receipt_cancel(receipt=receipt, user=world["clerk"])
    order.refresh_from_db()
    assert order.status == "approved"
    assert balance(world["product"], world["warehouse"]) == (D(0), D("0.00"), D(100))
    assert Payable.objects.get(source_number=receipt.number).status == "cancelled"


def test_receipt_cancel_refused_when_paid(world):
    order = approved_order(world)
    receipt = receive(world, order, "60")
    payment = finance.supplier_payment_create(user=world["finance"], supplier=world["supplier"], amount=D("100"))
    finance.supplier_payment_post(payment=payment, user=world["finance"])
    with pytest.raises(BusinessError) as refused:
        services.purchase_receipt_cancel(receipt=receipt, user=world["clerk"])
    assert refused.value.code == "invalid_state"
    assert balance(world["product"], world["warehouse"]) == (D(60), D("600.00"), D(40))


def test_paying_more_than_owed_is_refused(world):
    order = approved_order(world)
    receive(world, order, "10")  # 113.00 owed
    payment = finance.supplier_payment_create(user=world["finance"], supplier=world["supplier"], amount=D("113.01"))
    with pytest.raises(BusinessError) as refused:
        finance.supplier_payment_post(payment=payment, user=world["finance"])
    assert refused.value.code == "over_allocation"
    payment.refresh_from_db()
    assert payment.status == "draft"
    assert Payable.objects.get().paid == D(0)


def test_returning_more_than_received_is_refused(world):
    order = approved_order(world)
    receipt = receive(world, order, "10")
    with pytest.raises(BusinessError) as refused:
        services.purchase_return_create(
            user=world["clerk"],
            purchase_receipt=receipt,
            lines=[{"purchase_receipt_line": receipt.lines.get(), "qty": D(11)}],
        )
    assert refused.value.code == "over_return"


def test_receiving_against_a_draft_order_is_refused(world):
    order = services.purchase_order_create(
        user=world["buyer"],
        supplier=world["supplier"],
        warehouse=world["warehouse"],
        lines=[{"product": world["product"], "qty": D(10), "unit_price": D(10)}],
    )
    with pytest.raises(BusinessError) as refused:
        services.purchase_receipt_create(user=world["clerk"], purchase_order=order)
    assert refused.value.code == "invalid_state"


def test_free_return_goes_out_at_current_cost_and_leaves_a_debit_note(world):
    order = approved_order(world)
    receive(world, order, "10")  # 113.00 owed
    services.purchase_order_close(order=order, user=world["buyer"])
    document = services.purchase_return_create(
        user=world["clerk"],
        supplier=world["supplier"],
        warehouse=world["warehouse"],
        lines=[{"product": world["product"], "qty": D(2)}],
    )
    document = services.purchase_return_post(purchase_return=document, user=world["clerk"])
    assert document.total == D("22.60")
    assert balance(world["product"], world["warehouse"])[:2] == (D(8), D("80.00"))
    owed = sum(p.outstanding for p in Payable.objects.exclude(status="cancelled"))
    assert owed == D("90.40")
    services.purchase_return_cancel(purchase_return=document, user=world["clerk"])
    owed = sum(p.outstanding for p in Payable.objects.exclude(status="cancelled"))
    assert owed == D("113.00")
    assert balance(world["product"], world["warehouse"])[:2] == (D(10), D("100.00"))


def test_plan_to_orders_groups_by_preferred_supplier(world):
    other = SupplierFactory()
    second = ProductFactory(purchase_price=D("5.00"))
    SupplierProduct.objects.create(supplier=world["supplier"], product=world["product"], is_preferred=True)
    SupplierProduct.objects.create(supplier=other, product=second, is_preferred=True, last_price=D("4.50"))
    orders = services.purchase_orders_from_plan(
        user=world["buyer"],
        lines=[
            {"product": world["product"], "warehouse": world["warehouse"], "qty": D(20)},
            {"product": second, "warehouse": world["warehouse"], "qty": D(8)},
            {"product": second, "warehouse": world["warehouse"], "qty": D(0)},
        ],
    )
    assert sorted((o.supplier_id, o.status, o.total_net) for o in orders) == sorted(
        [(world["supplier"].pk, "draft", D("180.00")), (other.pk, "draft", D("36.00"))]
    )


def test_lines_must_match_their_order(world):
    order = approved_order(world)
    other_product = ProductFactory()
    with pytest.raises(ValidationError) as refused:
        services.purchase_receipt_create(
            user=world["clerk"],
            purchase_order=order,
            lines=[{"purchase_order_line": order.lines.get(), "product": other_product, "qty": D(1)}],
        )
    assert "lines" in refused.value.message_dict


def test_clerk_outside_the_warehouse_gets_403_and_nothing_changes(world, make_user):
    order = approved_order(world)
    stranger = make_user("warehouse", warehouses=[WarehouseFactory()])
    with pytest.raises(PermissionDenied):
        services.purchase_receipt_create(user=stranger, purchase_order=order)
    assert order.receipts.count() == 0
