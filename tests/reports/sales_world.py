"""The sales the sales-report tests read, written through the services (tests/sales/support.py).

The issue's loop: stock of SP0001 20 @ 50.00; KH001 (salesperson wang) orders 15 @ 80.00 with
13% VAT, delivered 10 on 2026-11-02 and 5 on 2026-11-03; 3 come back on 2026-11-04 against the
first delivery. So SP0001 sold 12: net 960.00, VAT 124.80, amount 1,084.80; cost 600.00, gross
profit 360.00, margin 37.5%.

Besides: KH002 (salesperson li) takes 2 of SP0002 @ 100.00 (cost 30.00) on 2026-12-03: net
200.00, VAT 26.00, cost 60.00. Never counted: a draft delivery and a delivery posted then
cancelled.
"""

import datetime

from apps.sales import services
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.sales.support import D, confirmed, deliver, deliver_direct, give_back, stock_in

NOV_2, NOV_3, NOV_4 = datetime.date(2026, 11, 2), datetime.date(2026, 11, 3), datetime.date(2026, 11, 4)
DEC_3 = datetime.date(2026, 12, 3)
YEAR = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


def sales_world(make_user) -> dict:
    warehouse = WarehouseFactory(code="SH01")
    manager = make_user("management")
    clerk = make_user("warehouse", warehouses=[warehouse])
    wang = make_user("sales", username="wang", full_name="王磊")
    li = make_user("sales", username="li", full_name="李娜")
    water = ProductFactory(sku="SP0001", name="矿泉水")
    cola = ProductFactory(sku="SP0002", name="可乐")
    stock_in(water, warehouse, "20", "50.00", user=manager, day=datetime.date(2026, 11, 1))
    stock_in(cola, warehouse, "10", "30.00", user=manager, day=datetime.date(2026, 11, 1))
    kh1 = CustomerFactory(code="KH001", name="上海华联超市", salesperson=wang, payment_terms_days=30, credit_limit=None)
    kh2 = CustomerFactory(code="KH002", name="苏州美家便利", salesperson=li, payment_terms_days=30, credit_limit=None)

    order = confirmed(user=wang, customer=kh1, warehouse=warehouse, lines=[(water, "15", "80.00")], day=NOV_2)
    line = order.lines.get()
    first = deliver(order, user=clerk, quantities={line: "10"}, day=NOV_2)
    deliver(order, user=clerk, quantities={line: "5"}, day=NOV_3)
    give_back(first, user=make_user("customer_service"), quantities={first.lines.get(): "3"}, day=NOV_4,
              reason="defective")  # fmt: skip

    deliver_direct(user=clerk, customer=kh2, warehouse=warehouse, lines=[(cola, "2", "100.00")], day=DEC_3)
    cancelled = deliver_direct(user=clerk, customer=kh2, warehouse=warehouse, lines=[(cola, "1", "100.00")], day=DEC_3)
    services.delivery_cancel(delivery=cancelled, user=clerk)
    services.delivery_create(
        user=clerk,
        customer=kh2,
        warehouse=warehouse,
        date=DEC_3,
        lines=[{"product": cola, "qty": D(4), "unit_price": D("100.00"), "tax_rate": D("0.13")}],
    )
    return {"warehouse": warehouse, "wang": wang, "li": li, "water": water, "cola": cola, "kh1": kh1, "kh2": kh2}
