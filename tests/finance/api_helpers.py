"""Shared set-up of the purchasing and finance API tests: a warehouse, a supplier with 30-day
terms, a product, and one user per role (each an APIClient; the user is ``client.user``)."""

import datetime
from decimal import Decimal

from apps.finance.models import Payable, SupplierPayment, SupplierPaymentAllocation
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturn,
)
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory

D = Decimal
DAY = datetime.date(2026, 11, 2)
ORDERS, RECEIPTS, RETURNS = "/api/v1/purchase-orders/", "/api/v1/purchase-receipts/", "/api/v1/purchase-returns/"
PAYABLES, PAYMENTS = "/api/v1/payables/", "/api/v1/supplier-payments/"


def make_world(api_as) -> dict:
    warehouse = WarehouseFactory(code="SH01")
    return {
        "warehouse": warehouse,
        "supplier": SupplierFactory(code="S-ACME", name="Acme 供应商", payment_terms_days=30),
        "product": ProductFactory(sku="P-100", purchase_price=D("9.00")),
        "buyer": api_as("purchasing"),
        "buyer2": api_as("purchasing"),
        "manager": api_as("management"),
        "clerk": api_as("warehouse", warehouses=[warehouse]),
        "finance": api_as("finance"),
    }


def ok(response, status=200) -> dict:
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    return response.json()


def refused(response, status, code=None) -> dict:
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


def draft_order(world, qty="100", price="10.00", client="buyer") -> dict:
    return ok(
        world[client].post(
            ORDERS,
            {
                "supplier": world["supplier"].pk,
                "warehouse": world["warehouse"].pk,
                "date": DAY.isoformat(),
                "lines": [{"product": world["product"].pk, "qty": qty, "unit_price": price, "tax_rate": "0.13"}],
            },
        ),
        201,
    )


def approved_order(world, qty="100", price="10.00") -> dict:
    order = draft_order(world, qty, price)
    ok(world["buyer"].post(f"{ORDERS}{order['id']}/submit/"))
    return ok(world["buyer2"].post(f"{ORDERS}{order['id']}/approve/"))


def draft_receipt(world, order, qty, day=DAY, client="clerk") -> dict:
    return ok(
        world[client].post(
            RECEIPTS,
            {
                "purchase_order": order["id"],
                "date": day.isoformat(),
                "lines": [{"purchase_order_line": order["lines"][0]["id"], "qty": str(qty)}],
            },
        ),
        201,
    )


def receive(world, order, qty, day=DAY) -> dict:
    receipt = draft_receipt(world, order, qty, day)
    return ok(world["clerk"].post(f"{RECEIPTS}{receipt['id']}/post/"))


def stock(world) -> tuple:
    row = StockBalance.objects.filter(product=world["product"], warehouse=world["warehouse"]).first()
    return (row.qty, row.value, row.ordered_qty) if row else (D(0), D(0), D(0))


def snapshot() -> dict:
    """Counts and sums that any write would change (for "a refusal changes nothing")."""
    return {
        "orders": list(PurchaseOrder.objects.order_by("id").values_list("id", "status", "total")),
        "receipts": list(PurchaseReceipt.objects.order_by("id").values_list("id", "status", "total")),
        "returns": list(PurchaseReturn.objects.order_by("id").values_list("id", "status", "total")),
        "order_lines": list(PurchaseOrderLine.objects.order_by("id").values_list("id", "qty", "received_qty")),
        "receipt_lines": list(PurchaseReceiptLine.objects.order_by("id").values_list("id", "qty", "returned_qty")),
        "payments": list(SupplierPayment.objects.order_by("id").values_list("id", "status", "amount")),
        "allocations": list(SupplierPaymentAllocation.objects.order_by("id").values_list("payable", "amount")),
        "entries": StockLedgerEntry.objects.count(),
        "balances": list(StockBalance.objects.order_by("id").values_list("qty", "value", "ordered_qty")),
        "payables": list(Payable.objects.order_by("id").values_list("amount", "paid", "credited", "status")),
    }
