"""Customer contacts (联系人): over the API (/api/v1/customer-contacts/?customer=) and on the
customer page (add, edit, remove). Sales and management write them; a salesperson only for
their own customers; one primary contact per customer."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.customers.models import CustomerContact
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/customer-contacts/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def contacts_of(customer):
    return list(customer.contacts.order_by("id").values_list("name", "role", "phone", "is_primary"))


@pytest.fixture
def theirs(people):
    """Another salesperson's customer, with one contact."""
    customer = CustomerFactory(salesperson=people["other_seller"])
    CustomerContact.objects.create(customer=customer, name="李会计", role="财务", is_primary=True)
    return customer


def test_a_salesperson_adds_contacts_and_the_last_primary_wins(people, customer):
    client = api(people["seller"])

    first = client.post(URL, {"customer": customer.pk, "name": "张采购", "role": "采购", "is_primary": True})
    second = client.post(
        URL, {"customer": customer.pk, "name": "王收货", "phone": "13800000000", "email": "wang@example.com"}
    )
    third = client.post(URL, {"customer": customer.pk, "name": "李会计", "role": "财务", "is_primary": True})

    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    assert first.json()["customer_code"] == "C-STMT"
    assert contacts_of(customer) == [
        ("张采购", "采购", "", False),
        ("王收货", "", "13800000000", False),
        ("李会计", "财务", "", True),
    ]


def test_the_list_filters_by_customer_and_a_salesperson_sees_only_their_own(people, customer, theirs):
    CustomerContact.objects.create(customer=customer, name="张采购")

    mine = api(people["seller"]).get(URL).json()["results"]
    everyone = api(people["service"]).get(URL, {"customer": theirs.pk}).json()["results"]

    assert [row["name"] for row in mine] == ["张采购"]
    assert [row["name"] for row in everyone] == ["李会计"]


def test_a_salesperson_cannot_touch_another_salespersons_contacts(people, customer, theirs):
    client = api(people["seller"])
    contact = theirs.contacts.get()

    assert client.get(f"{URL}{contact.pk}/").status_code == 404
    assert client.patch(f"{URL}{contact.pk}/", {"name": "改"}).status_code == 404
    assert client.delete(f"{URL}{contact.pk}/").status_code == 404
    created = client.post(URL, {"customer": theirs.pk, "name": "混进来"})
    assert (created.status_code, list(created.json())) == (400, ["customer"])
    moved = client.post(URL, {"customer": customer.pk, "name": "甲"})
    assert client.patch(f"{URL}{moved.json()['id']}/", {"customer": theirs.pk}).status_code == 400
    assert contacts_of(theirs) == [("李会计", "财务", "", True)]
    assert contacts_of(customer) == [("甲", "", "", False)]


@pytest.mark.parametrize("department", ["warehouse", "finance", "customer_service"])
def test_other_departments_read_contacts_but_do_not_write_them(api_as, people, theirs, department):
    client = api_as(department)
    contact = theirs.contacts.get()

    assert client.get(URL, {"customer": theirs.pk}).json()["count"] == 1
    assert client.post(URL, {"customer": theirs.pk, "name": "x"}).status_code == 403
    assert client.patch(f"{URL}{contact.pk}/", {"name": "x"}).status_code == 403
    assert client.delete(f"{URL}{contact.pk}/").status_code == 403
    assert contacts_of(theirs) == [("李会计", "财务", "", True)]


def test_bad_input_is_a_400_on_the_field(people, customer):
    client = api(people["seller"])

    no_name = client.post(URL, {"customer": customer.pk, "name": ""})
    bad_email = client.post(URL, {"customer": customer.pk, "name": "张", "email": "not-an-address"})

    assert (no_name.status_code, list(no_name.json())) == (400, ["name"])
    assert (bad_email.status_code, list(bad_email.json())) == (400, ["email"])
    assert contacts_of(customer) == []


def test_management_edits_and_removes_a_contact(api_as, theirs):
    client = api_as("management")
    contact = theirs.contacts.get()

    changed = client.patch(f"{URL}{contact.pk}/", {"phone": "021-12345678", "is_primary": False})
    removed = client.delete(f"{URL}{contact.pk}/")

    assert changed.json()["phone"] == "021-12345678"
    assert removed.status_code == 204
    assert contacts_of(theirs) == []


# --- On the customer page --------------------------------------------------------------------


def test_the_customer_page_adds_edits_and_removes_contacts(people, customer):
    client = browser(people["seller"])
    base = f"/customers/{customer.pk}/contacts/"

    added = client.post(f"{base}new/", {"name": "张采购", "role": "采购", "phone": "139", "is_primary": "on"})
    assert added.status_code == 302
    assert added["Location"] == f"/customers/{customer.pk}/#contacts"
    contact = customer.contacts.get()
    assert client.get(f"{base}{contact.pk}/edit/").context["form"].initial["name"] == "张采购"

    edited = client.post(f"{base}{contact.pk}/edit/", {"name": "张经理", "role": "采购经理", "phone": "139"})
    assert edited.status_code == 302
    assert contacts_of(customer) == [("张经理", "采购经理", "139", False)]

    page = client.get(f"/customers/{customer.pk}/")
    assert [row["edit_url"] for row in page.context["contacts"]] == [f"{base}{contact.pk}/edit/"]
    assert "张经理" in page.content.decode()

    assert client.get(f"{base}{contact.pk}/delete/").status_code == 405
    removed = client.post(f"{base}{contact.pk}/delete/")
    assert removed.status_code == 302
    assert contacts_of(customer) == []


def test_a_bad_email_keeps_what_was_typed(people, customer):
    response = browser(people["seller"]).post(
        f"/customers/{customer.pk}/contacts/new/", {"name": "张采购", "email": "zhang@"}
    )

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert 'value="张采购"' in response.content.decode()
    assert contacts_of(customer) == []


def test_contact_pages_follow_permissions_and_scope(people, customer, theirs):
    contact = theirs.contacts.get()
    clerk, stranger = browser(people["clerk"]), browser(people["seller"])

    assert clerk.get(f"/customers/{customer.pk}/contacts/new/").status_code == 403
    assert clerk.post(f"/customers/{theirs.pk}/contacts/{contact.pk}/delete/").status_code == 403
    assert stranger.get(f"/customers/{theirs.pk}/contacts/new/").status_code == 404
    assert stranger.post(f"/customers/{theirs.pk}/contacts/{contact.pk}/edit/", {"name": "改"}).status_code == 404
    assert stranger.post(f"/customers/{theirs.pk}/contacts/{contact.pk}/delete/").status_code == 404
    # A contact of another customer through this customer's URL is a 404 too.
    assert stranger.get(f"/customers/{customer.pk}/contacts/{contact.pk}/edit/").status_code == 404
    assert contacts_of(theirs) == [("李会计", "财务", "", True)]
