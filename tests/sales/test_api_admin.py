"""The admin shows quotations, sales orders, deliveries and sales returns (with their lines) and
writes none of them: adding, changing and deleting are refused there."""

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.sales.models import Delivery, Quotation, SalesOrder, SalesReturn

from .api_helpers import QUOTATIONS, RETURNS, confirmed_order, deliver, make_world, ok, order_payload, return_payload

pytestmark = pytest.mark.django_db

MODELS = {
    "sales/quotation": Quotation,
    "sales/salesorder": SalesOrder,
    "sales/delivery": Delivery,
    "sales/salesreturn": SalesReturn,
}


@pytest.fixture
def admin_client(api_as):
    world = make_world(api_as)
    ok(world["seller"].post(QUOTATIONS, order_payload(world)), 201)
    delivery = deliver(world, confirmed_order(world), 10)
    ok(world["service"].post(RETURNS, return_payload(delivery, 2)), 201)
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    return client


@pytest.mark.parametrize("model", list(MODELS))
def test_the_admin_shows_but_does_not_write(admin_client, model):
    pk = MODELS[model].objects.order_by("id").values_list("pk", flat=True).first()
    count = MODELS[model].objects.count()

    assert admin_client.get(f"/admin/{model}/").status_code == 200
    page = admin_client.get(f"/admin/{model}/{pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get(f"/admin/{model}/add/").status_code == 403
    assert admin_client.post(f"/admin/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert MODELS[model].objects.count() == count


def test_an_order_posted_to_the_admin_is_unchanged(admin_client):
    order = SalesOrder.objects.get()

    admin_client.post(f"/admin/sales/salesorder/{order.pk}/change/", {"note": "hacked", "status": "draft"})

    order.refresh_from_db()
    assert (order.status, order.note, str(order.total)) == ("partially_delivered", "", "1356.00")
