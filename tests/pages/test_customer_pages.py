"""Customer pages: a salesperson keeps the customers they create; management assigns them; the
customer's pages (contacts, statement, complaints) answer each department as the departments
table says, in both languages."""

import pytest

from apps.customers import services
from apps.customers.models import Customer
from tests.factories import CustomerFactory


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


# --- The customer's pages: contacts, statement, complaints --------------------------------------


@pytest.fixture
def pages(make_user):
    """Every page of a customer and one of its tickets."""
    seller = make_user("sales")
    customer = CustomerFactory(code="C-PAGE", salesperson=seller)
    ticket = services.complaint_create(user=seller, customer=customer, subject="包装破损")
    contact = services.contact_save(contact=customer.contacts.model(customer=customer), user=seller, name="张采购")
    return [
        f"/customers/{customer.pk}/",
        f"/customers/{customer.pk}/contacts/new/",
        f"/customers/{customer.pk}/contacts/{contact.pk}/edit/",
        f"/customers/{customer.pk}/statement/",
        f"/customers/{customer.pk}/statement/print/",
        "/customers/complaints/",
        "/customers/complaints/new/",
        f"/customers/complaints/{ticket.pk}/",
        f"/customers/complaints/{ticket.pk}/edit/",
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_management_opens_every_customer_page_in_both_languages(client_as, pages, language):
    client = client_as("management")
    client.cookies["django_language"] = language

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Language"] == language, url


def test_anonymous_users_are_sent_to_the_login_page(client_as, pages):
    for url in pages:
        response = client_as(None).get(url)
        assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}"), url


@pytest.mark.parametrize(
    ("department", "expected"),
    [
        # customer page, contact form, statement, complaints list, new ticket
        ("warehouse", [200, 403, 403, 403, 403]),
        ("finance", [200, 403, 200, 403, 403]),
        ("customer_service", [200, 403, 200, 200, 200]),
        ("purchasing", [403, 403, 403, 403, 403]),
    ],
)
def test_each_department_gets_the_pages_the_table_gives_it(client_as, pages, department, expected):
    client = client_as(department)
    urls = [pages[0], pages[1], pages[3], pages[5], pages[6]]

    assert [client.get(url).status_code for url in urls] == expected


def test_the_complaint_filter_bar_offers_every_status(client_as, pages):
    form = client_as("customer_service").get("/customers/complaints/").context["filter_form"]

    assert [value for value, _label in form.fields["status"].choices] == [
        "",
        "open",
        "in_progress",
        "resolved",
        "closed",
    ]
