"""Who may own a customer: the rules live in the services, so the API and the pages agree."""

import pytest
from django.core.exceptions import ValidationError

from apps.customers.models import Customer
from apps.customers.services import customer_create, customer_update
from tests.factories import CustomerFactory, UserFactory


def test_a_salesperson_owns_the_customers_they_create(make_user):
    seller = make_user("sales")

    customer = customer_create(user=seller, code="KH0001", name="上海鑫源贸易有限公司")

    assert customer.salesperson == seller


def test_a_salesperson_cannot_give_a_customer_to_someone_else(make_user):
    seller, other = make_user("sales"), make_user("sales")

    with pytest.raises(ValidationError) as refused:
        customer_create(user=seller, code="KH0001", name="上海鑫源贸易有限公司", salesperson=other)

    assert list(refused.value.message_dict) == ["salesperson"]
    assert Customer.objects.count() == 0


def test_management_assigns_only_active_sales_staff(make_user):
    manager, buyer = make_user("management"), make_user("purchasing")
    gone = UserFactory(departments=["sales"], is_active=False)
    customer = CustomerFactory(code="KH0001")

    for candidate in (buyer, gone):
        with pytest.raises(ValidationError) as refused:
            customer_update(customer=customer, user=manager, salesperson=candidate)
        assert list(refused.value.message_dict) == ["salesperson"]

    customer.refresh_from_db()
    assert customer.salesperson is None


def test_a_customer_keeps_a_salesperson_who_has_since_left_sales(make_user):
    manager = make_user("management")
    former = UserFactory(departments=["purchasing"])  # moved from sales to purchasing
    customer = CustomerFactory(code="KH0001", salesperson=former)

    customer_update(customer=customer, user=manager, salesperson=former, name="新名称")

    customer.refresh_from_db()
    assert (customer.name, customer.salesperson) == ("新名称", former)
