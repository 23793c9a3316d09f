"""The customer page (客户详情): credit limit and used credit, contacts, recent documents, open
receivables and complaints — each section for those who may read it, with exact figures."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.customers import services as customer_services
from apps.customers.models import CustomerContact
from apps.sales import services as sales

pytestmark = pytest.mark.django_db

D = Decimal


def page(client, customer):
    response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    return response


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def open_order(people, customer, history):
    """A confirmed order of 2 @ 80.00 + 13% VAT = 180.80 not delivered yet."""
    order = sales.sales_order_create(
        user=people["seller"],
        customer=customer,
        warehouse=people["warehouse"],
        lines=[{"product": history["product"], "qty": D(2), "unit_price": D("80.00"), "tax_rate": D("0.13")}],
    )
    return sales.sales_order_confirm(order=order, user=people["seller"])


def test_credit_used_is_open_receivables_plus_confirmed_undelivered_orders(client_as, customer, open_order):
    response = page(client_as("finance"), customer)

    assert response.context["credit"] == {
        "credit_limit": D("5000.00"),
        "receivables": D("84.80"),
        "open_orders": D("180.80"),
        "order_total": D("0"),
        "exposure": D("265.60"),
        "available": D("4734.40"),
    }
    html = response.content.decode()
    assert "¥5,000.00" in html and "¥265.60" in html and "¥4,734.40" in html


def test_open_receivables_list_what_is_still_owed(client_as, customer, history):
    response = page(client_as("customer_service"), customer)

    rows = response.context["receivables"]
    # The first delivery is settled by the return's credit note and the receipt; 84.80 of the
    # second is still owed.
    assert [(row["item"].source_number, row["item"].amount, row["item"].outstanding_amount) for row in rows] == [
        (history["second"].number, D("452.00"), D("84.80"))
    ]
    # Due 30 days after the delivery: overdue once that day has passed (the test's dates are fixed).
    assert rows[0]["item"].due_date == history["second"].date + datetime.timedelta(days=30)
    assert rows[0]["overdue"] is (rows[0]["item"].due_date < timezone.localdate())
    assert f'data-receivable="{history["second"].number}"' in response.content.decode()


def test_recent_documents_newest_first_with_their_amounts(client_as, customer, history):
    response = page(client_as("finance"), customer)

    sections = {section["name"]: section["rows"] for section in response.context["documents"]}
    assert [(row["document"].number, row["amount"]) for row in sections["orders"]] == [
        (history["order"].number, D("1356.00"))
    ]
    assert [(row["document"].number, row["amount"]) for row in sections["deliveries"]] == [
        (history["second"].number, D("452.00")),
        (history["first"].number, D("904.00")),
    ]
    assert [(row["document"].number, row["amount"]) for row in sections["returns"]] == [
        (history["return"].number, D("271.20"))
    ]
    assert sorted(row["amount"] for row in sections["receipts"]) == [D("50.00"), D("70.00"), D("1000.00")]
    # The documents' own pages come with the sales app: linked when they exist, plain text before.
    for rows in sections.values():
        for row in rows:
            assert row["url"] is None or row["url"].endswith(f"/{row['document'].pk}/")


def test_a_salesperson_sees_credit_orders_and_complaints_but_not_receipts(customer, history, people):
    customer_services.complaint_create(user=people["service"], customer=customer, subject="包装破损")

    context = page(logged_in(people["seller"]), customer).context

    assert context["credit"]["exposure"] == D("84.80")
    assert {section["name"] for section in context["documents"]} == {"orders", "deliveries", "returns"}
    assert [row["complaint"].subject for row in context["complaints"]] == ["包装破损"]
    assert context["new_complaint_url"] == f"/customers/complaints/new/?customer={customer.pk}"
    assert context["contact_form"] is not None


def test_the_warehouse_sees_contacts_and_its_deliveries_but_no_money_nor_complaints(customer, history, people):
    CustomerContact.objects.create(customer=customer, name="王收货", role="收货", phone="13800000000")

    response = page(logged_in(people["clerk"]), customer)

    context = response.context
    assert "credit" not in context and "receivables" not in context and "statement_url" not in context
    assert "complaints" not in context
    assert "contact_form" not in context
    assert [row["contact"].name for row in context["contacts"]] == ["王收货"]
    assert [row["edit_url"] for row in context["contacts"]] == [None]
    sections = {section["name"]: section["rows"] for section in context["documents"]}
    assert len(sections["deliveries"]) == 2
    assert "receipts" not in sections
    html = response.content.decode()
    assert "¥84.80" not in html
    assert "Used credit" not in html


def test_the_page_links_to_the_statement_and_the_filtered_complaints(client_as, customer, history):
    context = page(client_as("customer_service"), customer).context

    assert context["statement_url"] == f"/customers/{customer.pk}/statement/"
    assert context["complaints_url"] == f"/customers/complaints/?customer={customer.pk}"
    assert context["complaints"] == []


def test_no_credit_limit_reads_as_no_limit(client_as, customer, history):
    customer.credit_limit = None
    customer.save()

    response = page(client_as("management"), customer)

    assert response.context["credit"]["available"] is None
    assert "No limit" in response.content.decode()


def test_another_salespersons_customer_page_is_404(customer, people):
    assert logged_in(people["other_seller"]).get(f"/customers/{customer.pk}/").status_code == 404
