"""Building purchasing documents through the services, for the report tests."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from apps.finance import services as finance
from apps.purchasing import services

D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def order(buyer, approver, supplier, warehouse, lines, *, date=None, expected_date=None):
    """An approved purchase order of ``lines`` [(product, qty, price)] at 13% VAT."""
    document = services.purchase_order_create(
        user=buyer,
        supplier=supplier,
        warehouse=warehouse,
        date=date,
        expected_date=expected_date,
        lines=[{"product": p, "qty": D(q), "unit_price": D(price), "tax_rate": D("0.13")} for p, q, price in lines],
    )
    services.purchase_order_submit(order=document, user=buyer)
    return services.purchase_order_approve(order=document, user=approver)


def receive(clerk, purchase_order, quantities, *, date):
    """Post a receipt against ``purchase_order``: ``quantities`` per order line (in line order)."""
    lines = [
        {"purchase_order_line": line, "qty": D(qty)}
        for line, qty in zip(purchase_order.lines.order_by("line_no", "id"), quantities, strict=True)
        if qty
    ]
    receipt = services.purchase_receipt_create(user=clerk, purchase_order=purchase_order, date=date, lines=lines)
    return services.purchase_receipt_post(receipt=receipt, user=clerk)


def free_receipt(clerk, supplier, warehouse, lines, *, date, tax_rate="0.13"):
    """Post a receipt without an order: ``lines`` [(product, qty, unit_cost)]."""
    receipt = services.purchase_receipt_create(
        user=clerk,
        supplier=supplier,
        warehouse=warehouse,
        date=date,
        lines=[{"product": p, "qty": D(q), "unit_cost": D(c), "tax_rate": D(tax_rate)} for p, q, c in lines],
    )
    return services.purchase_receipt_post(receipt=receipt, user=clerk)


def return_goods(clerk, receipt, quantities, *, date):
    """Post a return against ``receipt``: ``quantities`` per receipt line (in line order)."""
    lines = [
        {"purchase_receipt_line": line, "qty": D(qty)}
        for line, qty in zip(receipt.lines.order_by("line_no", "id"), quantities, strict=True)
        if qty
    ]
    document = services.purchase_return_create(user=clerk, purchase_receipt=receipt, date=date, lines=lines)
    return services.purchase_return_post(purchase_return=document, user=clerk)


def pay(user, supplier, amount, *, date):
    payment = finance.supplier_payment_create(user=user, supplier=supplier, amount=D(amount), date=date)
    return finance.supplier_payment_post(payment=payment, user=user)


def days_ago(n: int) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() - datetime.timedelta(days=n)


def read_xlsx(response):
    """(header, rows) of the only sheet of an .xlsx response."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 1
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    return rows[0], rows[1:]


def same_rows(json_rows, sheet_rows, keys):
    """Whether the sheet's rows hold the JSON rows' values for ``keys`` (numbers compared as
    Decimals, empty cells as None/"")."""
    assert len(sheet_rows) == len(json_rows), (len(sheet_rows), len(json_rows))
    for json_row, sheet_row in zip(json_rows, sheet_rows, strict=True):
        for index, key in enumerate(keys):
            expected, cell = json_row[key], sheet_row[index]
            if expected is None or expected == "":
                assert cell in (None, ""), (key, cell)
            elif isinstance(expected, bool):
                assert cell == expected, (key, cell)
            elif isinstance(expected, (int, float)) or _is_number(expected):
                assert D(str(cell)) == D(str(expected)), (key, cell, expected)
            else:
                assert str(cell) == str(expected), (key, cell, expected)
    return True


def _is_number(text) -> bool:
    try:
        D(text)
    except Exception:
        return False
    return isinstance(text, str) and any(ch.isdigit() for ch in text) and "-" not in text[1:]
