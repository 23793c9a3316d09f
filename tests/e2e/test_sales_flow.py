"""The sales loop in the browser, with exact numbers: a salesperson enters an order by scanning
barcodes and confirms it (the stock is reserved); a clerk ships it from the shipping screen;
customer service takes one item back; finance records the customer's receipt; the customer's
statement shows the delivery, the return and the receipt with the running balance."""

import datetime
from decimal import Decimal

import pytest

from apps.finance.models import CustomerReceipt, Receivable
from apps.inventory.models import StockBalance
from apps.sales.models import Delivery, SalesOrder, SalesReturn
from tests.factories import CustomerFactory, ProductFactory, UserFactory, WarehouseFactory
from tests.sales.support import stock_in

from .conftest import screenshot
from .test_purchasing_flow import open_as, scan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = Decimal
WATER, COLA = "6921168509256", "6901939621608"


def test_order_deliver_return_receive_and_the_statement(new_page):
    warehouse = WarehouseFactory(code="SH01", name="上海总仓")
    water = ProductFactory(sku="SP000001", name="农夫山泉 饮用天然水", barcode=WATER, sale_price=D("36.00"))
    cola = ProductFactory(sku="SP000002", name="可口可乐", barcode=COLA, sale_price=D("52.00"))
    boss = UserFactory(username="boss", full_name="张经理", departments=["management"])
    seller = UserFactory(username="seller", full_name="赵销售", departments=["sales"])
    UserFactory(username="clerk", full_name="王仓管", departments=["warehouse"], warehouses=[warehouse])
    UserFactory(username="service", full_name="孙客服", departments=["customer_service"])
    UserFactory(username="cashier", full_name="钱财务", departments=["finance"])
    for product in (water, cola):
        stock_in(product, warehouse, "20", "20.00", user=boss)
    customer = CustomerFactory(code="C0001", name="华联超市（张江店）", salesperson=seller, payment_terms_days=30)

    # --- the salesperson enters the order by scanning and confirms it ---------------------------
    page = open_as(new_page, "seller")
    page.goto("/sales/orders/new/")
    page.select_option("#id_customer", str(customer.pk))
    page.select_option("#id_warehouse", str(warehouse.pk))
    for qty in ("1", "2", "3"):
        scan(page, WATER, water.pk, qty)
    scan(page, COLA, cola.pk, "1")
    # 3 × 36.00 + 1 × 52.00 = 160.00 net, 20.80 VAT
    page.wait_for_function("document.querySelector('.doc-totals [data-total=total]').textContent === '¥180.80'")
    screenshot(page, "sales-e2e-order")
    page.click("button[name=_action][value=confirm]")
    page.wait_for_selector(".page-head .badge-confirmed")
    order = SalesOrder.objects.get()
    assert (order.status, order.total) == ("confirmed", D("180.80"))
    assert StockBalance.objects.get(product=water, warehouse=warehouse).reserved_qty == D(3)

    # --- the clerk ships it ---------------------------------------------------------------------
    page = open_as(new_page, "clerk")
    page.goto(f"/sales/deliveries/new/?sales_order={order.pk}")
    page.wait_for_selector("#lines .open-qty")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".page-head .badge-posted")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.total) == ("posted", D("180.80"))
    assert StockBalance.objects.get(product=water, warehouse=warehouse).qty == D(17)
    assert StockBalance.objects.get(product=water, warehouse=warehouse).reserved_qty == D(0)
    assert Receivable.objects.get(source_number=delivery.number).amount == D("180.80")

    # --- customer service takes one bottle of water back ----------------------------------------
    page = open_as(new_page, "service")
    page.goto(f"/sales/deliveries/{delivery.pk}/")
    page.click("text=Return goods")
    page.wait_for_selector("#lines .open-qty")
    page.locator(f"#lines tr[data-product='{water.pk}'] input[name=line-qty]").fill("1")
    page.select_option("#id_reason", "defective")
    page.wait_for_function("document.querySelector('.doc-totals [data-total=total]').textContent === '¥40.68'")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".page-head .badge-posted")
    sales_return = SalesReturn.objects.get()
    assert (sales_return.status, sales_return.total) == ("posted", D("40.68"))  # 36.00 × 1.13
    assert StockBalance.objects.get(product=water, warehouse=warehouse).qty == D(18)

    # --- finance records the receipt (oldest first) -----------------------------------------------
    page = open_as(new_page, "cashier")
    page.goto(f"/finance/receipts/new/?customer={customer.pk}")
    page.fill("#id_amount", "100")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".page-head .badge-posted")
    receipt = CustomerReceipt.objects.get()
    assert (receipt.status, receipt.amount) == ("posted", D("100.00"))
    item = Receivable.objects.get(source_number=delivery.number)
    assert item.outstanding == D("40.12")  # 180.80 − 40.68 − 100.00

    # --- the statement shows it all -------------------------------------------------------------
    today = datetime.date.today()
    page.goto(f"/customers/{customer.pk}/statement/?date_from={today.replace(day=1)}&date_to={today}")
    body = page.inner_text("main")  # running balance 180.80 → 140.12 → 40.12; credits 140.68
    for expected in (delivery.number, sales_return.number, receipt.number, "¥180.80", "¥140.12", "¥140.68", "¥40.12"):
        assert expected in body
    screenshot(page, "sales-e2e-statement")
