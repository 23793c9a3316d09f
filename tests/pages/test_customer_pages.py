"""Customer pages: a salesperson keeps the customers they create; management assigns them."""

from apps.customers.models import Customer


def customer_form(**overrides):
    data = {"code": "C0001", "name": "华联超市", "payment_terms_days": "30", "is_active": "on", "credit_limit": ""}
    data.update(overrides)
    return data


def test_a_salesperson_creates_a_customer_of_their_own(client_as):
    client = client_as("sales")

    response = client.post("/customers/new/", customer_form(salesperson=client.user.pk))

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert customer.salesperson == client.user
    assert customer.credit_limit is None


def test_a_salesperson_cannot_give_a_customer_to_someone_else(client_as, make_user):
    client = client_as("sales")
    colleague = make_user("sales")

    response = client.post("/customers/new/", customer_form(salesperson=colleague.pk))

    assert response.status_code == 200
    assert "salesperson" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_the_salesperson_choice_of_a_salesperson_is_only_themselves(client_as, make_user):
    client = client_as("sales")
    make_user("sales")

    field = client.get("/customers/new/").context["form"].fields["salesperson"]

    assert list(field.queryset) == [client.user]


def test_management_assigns_a_customer_to_a_salesperson(client_as, make_user):
    client = client_as("management")
    seller = make_user("sales")
    make_user("warehouse")

    field = client.get("/customers/new/").context["form"].fields["salesperson"]
    response = client.post("/customers/new/", customer_form(salesperson=seller.pk, credit_limit="50000"))

    assert list(field.queryset) == [seller]
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.salesperson, str(customer.credit_limit)) == (seller, "50000.00")
