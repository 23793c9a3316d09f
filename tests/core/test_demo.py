"""The demo company (apps/core/demo.py, ``manage.py load_demo``)."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from apps.accounts.models import User
from apps.accounts.selectors import assigned_warehouses
from apps.core.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoConflict,
    credit_code,
    ean13_check_digit,
    is_valid_ean13,
    load_demo,
    partner_rows,
    product_rows,
)
from apps.customers.models import Complaint, Customer, CustomerContact
from apps.finance.models import (
    CashAccount,
    CashTransfer,
    CustomerReceipt,
    JournalEntry,
    MoneyDocument,
    Payable,
    Receivable,
    SupplierPayment,
)
from apps.inventory.models import Category, Product, StockBalance, StockLedgerEntry, Unit, Warehouse
from apps.purchasing.models import PurchaseOrder, PurchaseReceipt, PurchaseReturn
from apps.sales.models import Delivery, Quotation, SalesOrder, SalesReturn
from apps.suppliers.models import Supplier, SupplierProduct
from tests.factories import SupplierFactory


def _snapshot():
    models = [Warehouse, Unit, Category, Product, Supplier, Customer, User, SupplierProduct]
    models += [PurchaseOrder, PurchaseReceipt, PurchaseReturn, SupplierPayment, CashAccount]
    models += [Quotation, SalesOrder, Delivery, SalesReturn, CustomerReceipt]
    models += [MoneyDocument, CashTransfer, JournalEntry]
    counts = {model.__name__: model.objects.count() for model in models}
    counts.update({f"history {model.__name__}": get_history_model_for_model(model).objects.count() for model in models})
    counts["payables"] = list(Payable.objects.order_by("id").values_list("amount", "paid", "credited", "status"))
    counts["receivables"] = list(Receivable.objects.order_by("id").values_list("amount", "paid", "credited", "status"))
    counts["contacts"] = CustomerContact.objects.count()
    counts["complaints"] = list(Complaint.objects.order_by("id").values_list("status", flat=True))
    counts["ledger entries"] = StockLedgerEntry.objects.count()
    return counts


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo company, loaded once for a test class and rolled back after it (each test runs
    in a savepoint inside this transaction). Its report files go to a temporary directory."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"),
        ),
        transaction.atomic(),
    ):
        result = load_demo()
        yield result
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestLoadedDemo:
    def test_load_gives_the_demo_company(self, demo):
        assert demo.created
        assert sorted(Warehouse.objects.values_list("code", flat=True)) == ["HZ01", "SH01", "SZ01"]
        assert Product.objects.count() >= 300
        assert Supplier.objects.count() == 30
        assert Customer.objects.count() == 60
        assert User.objects.count() == 7
        assert demo.counts["products"] == Product.objects.count()

    def test_one_user_per_department_with_the_demo_password(self, demo):
        assert len(DEMO_USERS) == 7
        for username, department, full_name in DEMO_USERS:
            user = User.objects.get(username=username)
            assert list(user.groups.values_list("name", flat=True)) == [department]
            assert user.full_name == full_name
            assert user.check_password(DEMO_PASSWORD)
            assert user.is_staff == (department == "it_admin")
            assert not user.is_superuser
        assert {d for _u, d, _n in DEMO_USERS} == {
            "warehouse",
            "purchasing",
            "sales",
            "finance",
            "customer_service",
            "management",
            "it_admin",
        }

    def test_only_the_warehouse_clerk_is_assigned_warehouses(self, demo):
        for username, _department, _name in DEMO_USERS:
            codes = sorted(assigned_warehouses(User.objects.get(username=username)).values_list("code", flat=True))
            assert codes == (["SH01", "SZ01"] if username == "warehouse" else [])

    def test_barcodes_are_unique_valid_ean13_from_china(self, demo):
        barcodes = list(Product.objects.exclude(barcode=None).values_list("barcode", flat=True))
        assert len(barcodes) >= 300
        assert len(barcodes) == len(set(barcodes))
        for barcode in barcodes:
            assert is_valid_ean13(barcode), barcode
            assert barcode.startswith("69")
        # Only goods sold loose (by weight or length) have none.
        assert set(Product.objects.filter(barcode=None).values_list("unit__name", flat=True)) <= {"千克", "米"}

    def test_prices_taxes_and_stock_levels(self, demo):
        products = list(Product.objects.select_related("category__parent", "unit"))
        for product in products:
            assert product.sale_price > product.purchase_price > 0, product
            markup = product.sale_price / product.purchase_price - 1
            assert Decimal("0.15") <= markup <= Decimal("0.45"), product
            assert product.tax_rate in (Decimal("0.13"), Decimal("0.09"))
            assert product.max_stock >= product.safety_stock > 0
            assert product.reorder_qty > 0
            assert product.sku.startswith("SP") and len(product.sku) == 8
            assert product.category.parent is not None  # products sit in the second level
            assert product.category.parent.parent is None
            assert product.name_pinyin
        reduced = [p for p in products if p.tax_rate == Decimal("0.09")]
        assert 0 < len(reduced) < len(products) / 5
        assert 0 < sum(p.valuation_method == "fifo" for p in products) <= 15
        assert 0 < sum(not p.is_active for p in products) <= 10
        assert Unit.objects.get(name="千克").decimals == 3
        assert Unit.objects.get(name="米").decimals == 2

    def test_partners(self, demo):
        sales = User.objects.get(username="sales")
        customers = list(Customer.objects.all())
        assert {c.grade for c in customers} == {"A", "B", "C"}
        assert any(c.credit_limit is None for c in customers)
        assert any(c.credit_limit is not None for c in customers)
        assert sum(c.salesperson_id == sales.pk for c in customers) >= 45
        assert all(c.salesperson_id in (None, sales.pk) for c in customers)
        partners = customers + list(Supplier.objects.all())
        assert len({p.name for p in partners}) == 90
        for partner in partners:
            assert partner.payment_terms_days in (0, 15, 30, 45, 60)
            assert len(partner.phone) == 11 and partner.phone[:2] in ("13", "15", "17", "18"), partner.phone
            assert partner.name_pinyin
            assert partner.contact and partner.address

    def test_the_morning_report_files_are_there(self, demo):
        from apps.reports.models import ReportRun
        from apps.reports.runs import EVERY_RECORD
        from apps.reports.stock import stock_summary

        runs = {run.report: run for run in ReportRun.objects.filter(trigger="scheduled")}
        assert sorted(runs) == ["purchases", "sales", "stock_summary"]
        assert {run.status for run in runs.values()} == {"done"}
        summary = runs["stock_summary"]
        period = {name: datetime.date.fromisoformat(summary.parameters[name]) for name in ("date_from", "date_to")}
        expected = stock_summary(user=EVERY_RECORD, **period)
        assert summary.rows == len(expected["rows"]) > 0
        assert summary.totals["closing_value"] == str(expected["totals"]["closing_value"])
        assert all(run.size > 0 and run.file.name.endswith(".xlsx") for run in runs.values())

    def test_second_load_changes_nothing(self, demo):
        before = _snapshot()
        again = load_demo()
        assert not again.created
        assert _snapshot() == before
        assert again.counts == demo.counts

    def test_audit_trail_records_who_set_it_up(self, demo):
        HistoricalProduct = get_history_model_for_model(Product)
        assert set(HistoricalProduct.objects.values_list("history_user__username", flat=True)) == {"purchasing"}
        HistoricalCustomer = get_history_model_for_model(Customer)
        created_by = dict(HistoricalCustomer.objects.values_list("code", "history_user__username"))
        owned_by = dict(Customer.objects.values_list("code", "salesperson__username"))
        # The salesperson entered their own customers; the manager the house accounts.
        assert created_by == {code: owner or "manager" for code, owner in owned_by.items()}
        assert set(created_by.values()) == {"sales", "manager"}

    def test_every_product_has_one_preferred_supplier(self, demo):
        offers = list(SupplierProduct.objects.select_related("supplier"))
        preferred = Counter(o.product_id for o in offers if o.is_preferred)
        assert set(preferred) == set(Product.objects.values_list("id", flat=True))
        assert set(preferred.values()) == {1}
        assert len(offers) > len(preferred)  # some products have an alternative supplier
        assert {o.lead_time_days for o in offers} <= set(range(3, 15))
        assert len({o.lead_time_days for o in offers}) > 5
        assert 0 < sum(o.min_order_qty > 0 for o in offers) < len(offers)
        assert all(o.supplier.is_active for o in offers)
        history = get_history_model_for_model(SupplierProduct).objects
        assert set(history.values_list("history_user__username", flat=True)) == {"purchasing"}

    def test_purchase_orders_in_every_status_approved_by_someone_else(self, demo):
        orders = list(PurchaseOrder.objects.select_related("created_by", "approved_by"))
        assert Counter(o.status for o in orders) == {
            "draft": 2,
            "submitted": 2,
            "approved": 2,
            "partially_received": 3,
            "received": 3,
            "closed": 2,
            "cancelled": 1,
        }
        assert {o.created_by.username for o in orders} == {"purchasing"}
        approved = [o for o in orders if o.approved_by_id]
        assert len(approved) == 11 and {o.approved_by.username for o in approved} == {"manager"}
        # One submitted order waits for management: it is above the approval threshold.
        submitted = sorted(o.total for o in orders if o.status == "submitted")
        assert submitted[0] < Decimal("50000") < submitted[1]
        # Statuses agree with what was received.
        for order in orders:
            lines = list(order.lines.all())
            if order.status == "received":
                assert all(line.received_qty >= line.qty for line in lines)
            if order.status == "partially_received":
                assert any(0 < line.received_qty < line.qty for line in lines)
            if order.status in ("draft", "submitted", "approved", "cancelled"):
                assert all(line.received_qty == 0 for line in lines)

    def test_receipts_returns_and_payments(self, demo):
        receipts = list(PurchaseReceipt.objects.select_related("created_by"))
        assert len(receipts) == 11
        assert {(r.status, r.created_by.username) for r in receipts} == {("posted", "warehouse")}
        assert sum(r.purchase_order_id is None for r in receipts) == 1
        returns = list(PurchaseReturn.objects.all())
        assert [(r.status, r.purchase_receipt_id is not None) for r in returns].count(("posted", True)) == 1
        assert {r.status for r in returns} == {"posted"} and len(returns) == 2
        payments = list(SupplierPayment.objects.select_related("created_by", "account"))
        assert {(p.status, p.created_by.username) for p in payments} == {("posted", "finance")}
        assert {p.account.kind for p in payments} == {"cash", "bank"}
        for payment in payments:
            assert payment.allocations.aggregate(total=Sum("amount"))["total"] == payment.amount

    def test_payables_left_open_and_some_overdue(self, demo):
        today = timezone.localdate()
        payables = list(Payable.objects.all())
        assert len(payables) == 13  # 11 receipts, 2 debit notes
        assert sum(p.amount < 0 for p in payables) == 2
        assert all(p.outstanding == p.amount - p.paid - p.credited for p in payables)
        still_owed = [p for p in payables if p.status == "open" and p.outstanding > 0]
        overdue = [p for p in still_owed if p.due_date < today]
        assert len(still_owed) >= 5
        assert 2 <= len(overdue) < len(still_owed)
        assert any(p.status == "paid" for p in payables if p.amount > 0)
        assert any(0 < p.paid < p.amount for p in payables)

    def test_stock_comes_only_from_the_ledger(self, demo):
        entries = {
            (row["product"], row["warehouse"]): (row["qty"], row["value"])
            for row in StockLedgerEntry.objects.values("product", "warehouse").annotate(
                qty=Sum("qty"), value=Sum("value")
            )
        }
        balances = {(b.product_id, b.warehouse_id): (b.qty, b.value) for b in StockBalance.objects.filter(qty__gt=0)}
        assert entries and {k: v for k, v in entries.items() if v[0] != 0} == balances
        assert not StockBalance.objects.filter(qty__lt=0).exists()
        # What is on order: the open quantities of approved and partially received orders.
        open_orders = PurchaseOrder.objects.filter(status__in=["approved", "partially_received"])
        expected = Counter()
        for order in open_orders:
            for line in order.lines.all():
                expected[(line.product_id, order.warehouse_id)] += max(line.qty - line.received_qty, 0)
        ordered = {(b.product_id, b.warehouse_id): b.ordered_qty for b in StockBalance.objects.exclude(ordered_qty=0)}
        assert ordered == {k: v for k, v in expected.items() if v}
        assert not StockBalance.objects.filter(ordered_qty__lt=0).exists()

    def test_the_books_agree(self, demo):
        from apps.finance.checks import check_payables, check_receivables
        from apps.inventory.selectors import stock_violations
        from apps.purchasing.checks import check_documents_match_payables, check_ordered_matches_orders
        from apps.sales.checks import check_documents_match_receivables, check_reserved_matches_orders

        assert check_payables() == []
        assert check_documents_match_payables() == []
        assert check_ordered_matches_orders() == []
        assert check_receivables() == []
        assert check_documents_match_receivables() == []
        assert check_reserved_matches_orders() == []
        assert {kind: list(found) for kind, found in stock_violations().items() if found} == {}

    # --- sales ------------------------------------------------------------------------------

    def test_sales_orders_in_every_status_by_their_salesperson(self, demo):
        orders = list(SalesOrder.objects.select_related("customer", "created_by", "confirmed_by"))
        assert Counter(o.status for o in orders) == {
            "draft": 2,
            "confirmed": 2,
            "partially_delivered": 2,
            "delivered": 5,
            "closed": 1,
            "cancelled": 2,
        }
        for order in orders:
            # The salesperson sells to their customers, the manager to the house accounts.
            assert order.created_by.username == ("sales" if order.customer.salesperson_id else "manager")
            lines = list(order.lines.all())
            assert lines and order.total == sum(line.net_amount + line.tax_amount for line in lines)
            if order.status == "delivered":
                assert all(line.delivered_qty == line.qty for line in lines)
            if order.status == "partially_delivered":
                assert all(0 < line.delivered_qty < line.qty for line in lines)
            if order.status in ("draft", "confirmed", "cancelled"):
                assert all(line.delivered_qty == 0 for line in lines)
            if order.status in ("confirmed", "partially_delivered", "delivered", "closed"):
                assert order.confirmed_by == order.created_by and order.confirmed_at
        assert sum(o.confirmed_by_id is not None for o in orders) == 11  # a cancelled draft never was
        assert not any(o.credit_override_reason for o in orders)
        assert {o.warehouse.code for o in orders} == {"SH01", "SZ01"}

    def test_quotations_sent_expired_converted_and_cancelled(self, demo):
        today = timezone.localdate()
        quotations = list(Quotation.objects.select_related("created_by"))
        assert Counter(q.status for q in quotations) == {"draft": 1, "sent": 2, "converted": 2, "cancelled": 1}
        assert {q.created_by.username for q in quotations} == {"sales"}
        sent = sorted(q.valid_until for q in quotations if q.status == "sent")
        assert sent[0] < today < sent[1]  # one has expired, one is still open
        for quotation in (q for q in quotations if q.status == "converted"):
            order = quotation.orders.get()
            assert order.total == quotation.total and order.date > quotation.date
            assert quotation.valid_until >= today

    def test_deliveries_returns_and_an_exchange(self, demo):
        deliveries = list(Delivery.objects.select_related("created_by"))
        assert len(deliveries) == 11
        # The warehouse drafts and posts them; an exchange's replacement is drafted by the return.
        assert {(d.status, d.created_by.username, d.replaces_id is not None) for d in deliveries} == {
            ("posted", "warehouse", False),
            ("posted", "service", True),
        }
        posted_by = get_history_model_for_model(Delivery).objects.filter(status="posted")
        assert set(posted_by.values_list("history_user__username", flat=True)) == {"warehouse"}
        assert sum(d.sales_order_id is None and d.replaces_id is None for d in deliveries) == 1
        for delivery in deliveries:
            lines = list(delivery.lines.all())
            assert all(line.unit_cost > 0 and line.cost_amount > 0 for line in lines)
            assert delivery.total_cost == sum(line.cost_amount for line in lines)
            assert delivery.total > delivery.total_cost  # sold above cost
        returns = list(SalesReturn.objects.select_related("created_by", "delivery"))
        assert sorted((r.status, r.reason, r.is_exchange, r.created_by.username) for r in returns) == [
            ("posted", "damaged", False, "service"),
            ("posted", "wrong_item", True, "service"),
        ]
        exchange = next(r for r in returns if r.is_exchange)
        replacement = exchange.replacements.get()
        assert replacement.status == "posted" and replacement.date > exchange.date
        assert [(line.product_id, line.qty) for line in replacement.lines.all()] == [
            (line.product_id, line.qty) for line in exchange.lines.all()
        ]
        for sales_return in returns:
            line = sales_return.lines.get()
            assert line.delivery_line.returned_qty == line.qty
            assert line.unit_cost == line.delivery_line.unit_cost  # back at the delivery's cost

    def test_receivables_receipts_and_balances(self, demo):
        today = timezone.localdate()
        items = list(Receivable.objects.select_related("customer"))
        assert len(items) == 13  # 11 deliveries, 2 credit notes
        assert sum(item.amount < 0 for item in items) == 2
        still_owed = [item for item in items if item.status == "open" and item.outstanding > 0]
        overdue = [item for item in still_owed if item.due_date < today]
        assert len(still_owed) >= 6 and 3 <= len(overdue) < len(still_owed)
        assert any(0 < item.paid < item.amount for item in items)  # one paid in part
        receipts = list(CustomerReceipt.objects.select_related("created_by", "account"))
        assert {(r.status, r.created_by.username) for r in receipts} == {("posted", "finance")}
        assert {r.account.kind for r in receipts} == {"cash", "bank"}
        for receipt in receipts:
            assert receipt.allocations.aggregate(total=Sum("amount"))["total"] == receipt.amount
        for customer in Customer.objects.filter(deliveries__isnull=False).distinct():
            delivered = Delivery.objects.filter(customer=customer, status="posted").aggregate(t=Sum("total"))["t"]
            returned = SalesReturn.objects.filter(customer=customer, status="posted").aggregate(t=Sum("total"))["t"]
            received = CustomerReceipt.objects.filter(customer=customer, status="posted").aggregate(t=Sum("amount"))[
                "t"
            ]
            owed = [item.outstanding for item in items if item.customer_id == customer.pk]
            assert sum(owed) == delivered - (returned or 0) - (received or 0)

    def test_stock_reserved_for_open_orders_only(self, demo):
        reserved = Counter()
        for order in SalesOrder.objects.filter(status__in=["confirmed", "partially_delivered"]):
            for line in order.lines.all():
                reserved[(line.product_id, order.warehouse_id)] += line.qty - line.delivered_qty
        found = {(b.product_id, b.warehouse_id): b.reserved_qty for b in StockBalance.objects.exclude(reserved_qty=0)}
        assert found == dict(reserved) and found
        # Nothing promised is missing: every reservation is on the shelf.
        assert not StockBalance.objects.filter(reserved_qty__gt=models.F("qty")).exists()

    def test_complaints_in_every_status_with_their_history(self, demo):
        complaints = list(Complaint.objects.select_related("customer", "assignee"))
        assert Counter(c.status for c in complaints) == {"open": 2, "in_progress": 1, "resolved": 1, "closed": 1}
        for complaint in complaints:
            notes = list(complaint.notes.all())
            assert notes[0].status_to == "open"
            moves = [note.status_to for note in notes if note.status_to]
            assert moves[-1] == complaint.status
            if complaint.status in ("resolved", "closed"):
                assert complaint.resolution and complaint.resolved_at
            if complaint.document_number:
                documents = [SalesOrder, Delivery, SalesReturn]
                assert any(
                    m.objects.filter(number=complaint.document_number, customer=complaint.customer).exists()
                    for m in documents
                )
        assert {c.assignee.username for c in complaints if c.assignee} == {"service"}
        assert any(c.assignee is None for c in complaints)

    def test_the_customers_sold_to_have_contacts(self, demo):
        sold_to = set(SalesOrder.objects.values_list("customer", flat=True))
        sold_to |= set(Delivery.objects.values_list("customer", flat=True))
        with_contacts = Counter(CustomerContact.objects.values_list("customer", flat=True))
        assert sold_to <= set(with_contacts)
        primaries = Counter(CustomerContact.objects.filter(is_primary=True).values_list("customer", flat=True))
        assert primaries == Counter(dict.fromkeys(with_contacts, 1))
        assert max(with_contacts.values()) > 1

    # --- finance ----------------------------------------------------------------------------

    def test_the_ledger_reconciles(self, demo):
        from apps.finance import statements
        from apps.finance.books import check_books

        assert check_books() == []
        today = timezone.localdate()
        trial = statements.trial_balance(date_to=today)
        assert trial["total_debit"] == trial["total_credit"] > 0
        sheet = statements.balance_sheet(date=today)
        assert sheet["balanced"]
        assert sheet["total_assets"] == sheet["total_liabilities_and_equity"]
        assert {row["account"]: row["amount"] for row in sheet["equity"]}["3001"] == Decimal("2005000.00")
        # Every posted document that books wrote exactly one entry that stands.
        standing = Counter(
            JournalEntry.objects.filter(status="posted", reversal_of=None, reversed_by=None).values_list(
                "source_type", flat=True
            )
        )
        assert standing == {
            "cash_opening": 2,
            "purchase_receipt": 11,
            "purchase_return": 2,
            "supplier_payment": 2,
            "delivery": 11,
            "sales_return": 2,
            "customer_receipt": 3,
            "cash_transfer": 1,
            "money_document": MoneyDocument.objects.count(),
        }

    def test_cash_and_bank_opened_before_the_history_and_never_below_zero(self, demo):
        from apps.finance.cash import cash_journal

        first = min(PurchaseOrder.objects.values_list("date", flat=True))
        bank = CashAccount.objects.get(code="1002")
        till = CashAccount.objects.get(is_default=True)
        assert (bank.kind, bank.opening_balance) == ("bank", Decimal("2000000.00"))
        assert (till.kind, till.opening_balance) == ("cash", Decimal("5000.00"))
        assert bank.opening_date == till.opening_date < first
        openings = JournalEntry.objects.filter(source_type="cash_opening").order_by("source_number")
        assert [(e.date, e.total, sorted(e.lines.values_list("account__code", flat=True))) for e in openings] == [
            (till.opening_date, Decimal("5000.00"), ["1001", "3001"]),
            (bank.opening_date, Decimal("2000000.00"), ["1002", "3001"]),
        ]
        for account in (bank, till):
            _opening, rows = cash_journal(account)
            assert rows[-1].running == account.balance
            assert min(row.running for row in rows) >= 0, account.code  # in date order
            assert not account.movements.filter(balance_after__lt=0).exists()  # in posting order

    def test_running_costs_and_other_income_every_month(self, demo):
        today = timezone.localdate()
        first = min(PurchaseOrder.objects.values_list("date", flat=True))
        documents = list(MoneyDocument.objects.select_related("created_by", "account").prefetch_related("lines"))
        assert {(d.status, d.created_by.username) for d in documents} == {("posted", "finance")}
        assert {d.kind for d in documents} == {"income", "expense"}
        assert {d.number[:3] for d in documents} == {"OI-", "OE-"}
        assert {d.account.kind for d in documents} == {"cash", "bank"}
        assert all(first <= d.date <= today for d in documents)
        by_category: dict[str, list] = {}
        for document in documents:
            [line] = document.lines.all()
            by_category.setdefault(line.category.name, []).append(document)
        assert set(by_category) == {"房租", "工资", "水电费", "银行手续费", "办公费", "废品收入", "利息收入"}
        # Rent on the 1st of every month the history has come to, wages on the 10th.
        firsts, month = [], first.replace(day=1)
        while month <= today:
            if month >= first:
                firsts.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        rent = sorted(by_category["房租"], key=lambda d: d.date)
        assert [(d.date, d.total) for d in rent] == [(on, Decimal("8000.00")) for on in firsts]
        assert {d.date.day for d in by_category["工资"]} == {10}
        assert {d.total for d in by_category["工资"]} == {Decimal("21600.00")}

    def test_cash_drawn_from_the_bank_before_paying_a_supplier_in_cash(self, demo):
        [transfer] = CashTransfer.objects.select_related("from_account", "to_account")
        assert (transfer.status, transfer.amount) == ("posted", Decimal("20000.00"))
        assert (transfer.from_account.code, transfer.to_account.is_default) == ("1002", True)
        paid_in_cash = SupplierPayment.objects.get(account=transfer.to_account)
        assert paid_in_cash.date == transfer.date + datetime.timedelta(days=1)


def test_ean13_check_digit():
    assert ean13_check_digit("690123456789") == "2"  # 6901234567892
    assert ean13_check_digit("400638133393") == "1"  # 4006381333931
    assert not is_valid_ean13("6901234567893")


def test_credit_codes_are_well_formed():
    import random

    code = credit_code("310115", random.Random(1))
    assert len(code) == 18 and code.startswith("91310115")
    suppliers, customers = partner_rows()
    assert all(len(row["tax_number"]) == 18 for row in suppliers + customers)


def test_data_is_deterministic():
    assert product_rows() == product_rows()
    assert partner_rows() == partner_rows()


def test_command_loads_then_says_already_loaded(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo company loaded" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    before = _snapshot()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "demo company already loaded" in out.getvalue()
    for username, department, _name in DEMO_USERS:
        assert username in out.getvalue() and department in out.getvalue()
    assert _snapshot() == before


def test_a_demo_loaded_before_the_sales_history_gets_just_that(db, monkeypatch):
    import apps.core.demo as demo

    monkeypatch.setattr(demo, "sales_history_missing", lambda: False)
    load_demo()
    assert not SalesOrder.objects.exists()
    before = {model: model.objects.count() for model in (Product, Customer, PurchaseReceipt, Payable)}
    monkeypatch.undo()

    again = load_demo()

    assert again.created
    assert {model: model.objects.count() for model in before} == before
    assert (again.counts["sales orders"], again.counts["deliveries"], again.counts["complaints"]) == (14, 11, 5)


def test_refuses_a_database_with_colliding_records(db):
    SupplierFactory(code="GYS001")
    with pytest.raises(DemoConflict, match="GYS001"):
        load_demo()
    assert not Warehouse.objects.exists()
    assert not User.objects.exists()


def test_a_demo_loaded_before_the_finance_history_gets_just_that(db, monkeypatch):
    import apps.core.demo as demo
    from apps.finance.books import check_books

    monkeypatch.setattr(demo, "finance_history_missing", lambda: False)
    load_demo()
    assert not MoneyDocument.objects.exists()
    before = {model: model.objects.count() for model in (Product, PurchaseReceipt, Delivery, CustomerReceipt)}
    monkeypatch.undo()

    again = load_demo()

    assert again.created
    assert {model: model.objects.count() for model in before} == before
    assert again.counts["income/expenses"] == MoneyDocument.objects.filter(status="posted").count() >= 10
    assert check_books() == []
