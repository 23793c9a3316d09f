"""Shipping in the browser: a clerk picks a confirmed sales order on the shipping screen, scans
the goods as they are picked (barcode + Enter, as a scanner types; a product not on the order is
refused), types a quantity, posts; the delivery note (送货单) prints with the customer, the
totals and the signature spaces. Screenshots of the editor and the note are kept."""

from decimal import Decimal

import pytest

from apps.inventory.models import StockBalance
from apps.sales import services
from apps.sales.models import Delivery
from tests.factories import CustomerFactory, ProductFactory, UserFactory, WarehouseFactory
from tests.sales.support import stock_in

from .conftest import screenshot
from .test_purchasing_flow import open_as, scan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = Decimal
WATER, COLA, TEA = "6921168509256", "6901939621608", "6921168558049"


def test_a_clerk_scans_an_order_out_and_prints_the_delivery_note(new_page):
    warehouse = WarehouseFactory(code="SH01", name="上海总仓")
    water = ProductFactory(
        sku="SP000001", name="农夫山泉 饮用天然水", spec="550ml×24", barcode=WATER, sale_price=D("36.00")
    )
    cola = ProductFactory(sku="SP000002", name="可口可乐", spec="330ml×24", barcode=COLA, sale_price=D("52.00"))
    tea = ProductFactory(sku="SP000003", name="东方树叶 绿茶", barcode=TEA)
    boss = UserFactory(username="boss", full_name="张经理", departments=["management"])
    seller = UserFactory(username="seller", full_name="赵销售", departments=["sales"])
    UserFactory(username="clerk", full_name="王仓管", departments=["warehouse"], warehouses=[warehouse])
    for product in (water, cola, tea):
        stock_in(product, warehouse, "100", "20.00", user=boss)
    customer = CustomerFactory(
        code="C0001",
        name="华联超市（张江店）",
        address="上海市浦东新区张江路 88 号",
        contact="王经理",
        phone="021-5080 1234",
        salesperson=seller,
    )
    order = services.sales_order_create(
        user=seller,
        customer=customer,
        warehouse=warehouse,
        customer_reference="HL-20261102",
        lines=[
            {"product": water, "qty": D(10), "unit_price": D("36.00"), "tax_rate": D("0.13")},
            {"product": cola, "qty": D(24), "unit_price": D("52.00"), "tax_rate": D("0.13")},
        ],
    )
    order = services.sales_order_confirm(order=order, user=seller)

    page = open_as(new_page, "clerk")
    page.goto("/sales/deliveries/new/")
    page.click(f"tr:has-text('{order.number}') >> text=Scan")
    page.wait_for_selector("#lines .open-qty")
    assert page.evaluate("document.activeElement.id") == "scan"
    for qty in ("1", "2", "3"):
        scan(page, WATER, water.pk, qty)
    page.fill("#scan", TEA)
    page.press("#scan", "Enter")
    page.wait_for_selector(f".grid-message:has-text('SP000003 东方树叶 绿茶 is not on {order.number}')")
    cola_qty = page.locator(f"#lines tr[data-product='{cola.pk}'] input[name=line-qty]")
    cola_qty.fill("20")  # typing sets the quantity; the totals follow at once
    # 3 × 36.00 + 20 × 52.00 = 1,148.00 net, 149.24 VAT
    page.wait_for_function("document.querySelector('.doc-totals [data-total=total]').textContent === '¥1,297.24'")
    screenshot(page, "delivery-editor")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".page-head .badge-posted")

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.total) == ("posted", D("1297.24"))
    assert StockBalance.objects.get(product=cola, warehouse=warehouse).reserved_qty == D(4)

    page.goto(f"/sales/deliveries/{delivery.pk}/print/")
    page.wait_for_selector(".sheet .signatures")
    body = page.inner_text(".sheet")
    for expected in (
        "Delivery note",
        delivery.number,
        order.number,
        "华联超市（张江店）",
        "021-5080 1234",
        "¥1,297.24",
    ):
        assert expected in body
    screenshot(page, "delivery-note")


def test_customer_service_exchanges_goods_from_the_deliverys_page(new_page):
    warehouse = WarehouseFactory(code="SH01", name="上海总仓")
    water = ProductFactory(sku="SP000001", name="农夫山泉 饮用天然水", barcode=WATER, sale_price=D("36.00"))
    boss = UserFactory(username="boss", full_name="张经理", departments=["management"])
    UserFactory(username="service", full_name="孙客服", departments=["customer_service"])
    stock_in(water, warehouse, "100", "20.00", user=boss)
    customer = CustomerFactory(code="C0001", name="华联超市（张江店）")
    delivery = services.delivery_create(
        user=boss,
        customer=customer,
        warehouse=warehouse,
        lines=[{"product": water, "qty": D(10), "unit_price": D("36.00"), "tax_rate": D("0.13")}],
    )
    delivery = services.delivery_post(delivery=delivery, user=boss)

    page = open_as(new_page, "service")
    page.goto(f"/sales/deliveries/{delivery.pk}/")
    page.click("text=Return goods")
    page.wait_for_selector("#lines .open-qty")
    page.locator(f"#lines tr[data-product='{water.pk}'] input[name=line-qty]").fill("2")
    page.select_option("#id_reason", "defective")
    page.fill("#id_reason_note", "瓶盖漏水")
    page.check("#id_is_exchange")
    page.wait_for_function("document.querySelector('.doc-totals [data-total=total]').textContent === '¥81.36'")
    page.click("button[name=_action][value=post]")
    page.wait_for_selector(".page-head .badge-posted")

    replacement = Delivery.objects.get(replaces__isnull=False)
    assert (replacement.status, replacement.total) == ("draft", D("81.36"))
    assert page.locator(f"a[href='/sales/deliveries/{replacement.pk}/']").count() >= 1
    assert StockBalance.objects.get(product=water, warehouse=warehouse).qty == D(92)
    screenshot(page, "delivery-return-exchange")
