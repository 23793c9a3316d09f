"""Threads on purchasing and payables through the API, real PostgreSQL transactions: two
receipts racing for one order line never receive more than it ordered; two payments racing for
the last 100 owed never pay more than is owed; one receipt posted from many threads books once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from apps.finance import services as finance
from apps.finance.models import Payable, SupplierPayment
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.purchasing import services
from apps.purchasing.models import PurchaseOrderLine, PurchaseReceipt
from tests.factories import ProductFactory, SupplierFactory, UserFactory, WarehouseFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

D = Decimal


def run_threads(work, threads):
    """Start ``threads`` threads on ``work(index)`` at the same moment; return their results
    (or exceptions) in thread order."""
    barrier = threading.Barrier(threads)
    results: list = [None] * threads

    def body(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # handed to the test's thread
            results[index] = exc
        finally:
            connection.close()

    started = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in started)
    return results


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    warehouse = WarehouseFactory(code="SH01")
    buyer = UserFactory(departments=["purchasing"])
    manager = UserFactory(departments=["management"])
    product = ProductFactory(sku="P-1")
    supplier = SupplierFactory(payment_terms_days=30)
    order = services.purchase_order_create(
        user=buyer,
        supplier=supplier,
        warehouse=warehouse,
        lines=[{"product": product, "qty": D(100), "unit_price": D(10), "tax_rate": D("0.13")}],
    )
    order = services.purchase_order_submit(order=order, user=buyer)
    order = services.purchase_order_approve(order=order, user=manager)
    return {
        "warehouse": warehouse,
        "product": product,
        "supplier": supplier,
        "order": order,
        "clerks": [UserFactory(departments=["warehouse"], warehouses=[warehouse]) for _ in range(2)],
        "finance": [UserFactory(departments=["finance"]) for _ in range(2)],
    }


def test_two_receipts_racing_for_one_order_line_receive_it_once(world):
    order, clerks = world["order"], world["clerks"]
    line = order.lines.get()
    drafts = [
        services.purchase_receipt_create(
            user=clerk, purchase_order=order, lines=[{"purchase_order_line": line, "qty": D(60)}]
        )
        for clerk in clerks
    ]

    responses = run_threads(
        lambda i: client_for(clerks[i]).post(f"/api/v1/purchase-receipts/{drafts[i].pk}/post/"), threads=2
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert (refused.json()["code"], refused.json()["received"]) == ("over_receipt", "60.0000")
    assert sorted(PurchaseReceipt.objects.values_list("status", flat=True)) == ["draft", "posted"]
    line.refresh_from_db()
    assert line.received_qty == D(60)
    balance = StockBalance.objects.get(product=world["product"], warehouse=world["warehouse"])
    assert (balance.qty, balance.value, balance.ordered_qty) == (D(60), D("600.00"), D(40))
    assert StockLedgerEntry.objects.filter(source_type="purchase_receipt").count() == 1
    assert list(Payable.objects.values_list("amount", flat=True)) == [D("678.00")]
    order.refresh_from_db()
    assert order.status == "partially_received"


def test_one_receipt_posted_from_many_threads_books_once(world):
    clerk = world["clerks"][0]
    receipt = services.purchase_receipt_create(user=clerk, purchase_order=world["order"])  # all 100

    responses = run_threads(
        lambda _i: client_for(clerk).post(f"/api/v1/purchase-receipts/{receipt.pk}/post/"), threads=6
    )

    assert [r.status_code for r in responses] == [200] * 6
    assert {r.json()["status"] for r in responses} == {"posted"}
    assert StockLedgerEntry.objects.filter(source_type="purchase_receipt").count() == 1
    assert PurchaseOrderLine.objects.get().received_qty == D(100)
    assert list(Payable.objects.values_list("amount", flat=True)) == [D("1130.00")]
    balance = StockBalance.objects.get(product=world["product"], warehouse=world["warehouse"])
    assert (balance.qty, balance.value, balance.ordered_qty) == (D(100), D("1000.00"), D(0))


def test_two_payments_racing_for_the_last_100_owed_pay_it_once(world):
    clerk, people = world["clerks"][0], world["finance"]
    receipt = services.purchase_receipt_create(user=clerk, purchase_order=world["order"])
    services.purchase_receipt_post(receipt=receipt, user=clerk)  # 1,130.00 owed
    earlier = finance.supplier_payment_create(user=people[0], supplier=world["supplier"], amount=D("1030"))
    finance.supplier_payment_post(payment=earlier, user=people[0])
    drafts = [
        finance.supplier_payment_create(user=person, supplier=world["supplier"], amount=D(100)) for person in people
    ]

    responses = run_threads(
        lambda i: client_for(people[i]).post(f"/api/v1/supplier-payments/{drafts[i].pk}/post/"), threads=2
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert (refused.json()["code"], refused.json()["owed"]) == ("over_allocation", "0.00")
    assert sorted(SupplierPayment.objects.values_list("status", flat=True)) == ["draft", "posted", "posted"]
    payable = Payable.objects.get()
    assert (payable.amount, payable.paid, payable.outstanding, payable.status) == (
        D("1130.00"),
        D("1130.00"),
        D("0.00"),
        "paid",
    )
    allocated = SupplierPayment.objects.filter(status="posted").aggregate(total=Sum("allocations__amount"))["total"]
    assert allocated == payable.paid
