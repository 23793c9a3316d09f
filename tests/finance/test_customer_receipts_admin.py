"""The admin shows receivables and customer receipts (with their allocations) and writes none
of them: adding, changing and deleting are refused there."""

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.finance import services
from apps.finance.models import CustomerReceipt, Receivable

from .receivable_helpers import D, owed_by_customer, sales_world, snapshot

pytestmark = pytest.mark.django_db

MODELS = {"finance/receivable": Receivable, "finance/customerreceipt": CustomerReceipt}


@pytest.fixture
def admin_client(make_user):
    world = sales_world(make_user)
    owed_by_customer(world)
    receipt = services.customer_receipt_create(user=world["finance"], customer=world["customer"], amount=D("1000"))
    services.customer_receipt_post(receipt=receipt, user=world["finance"])
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    return client


@pytest.mark.parametrize("model", list(MODELS))
def test_the_admin_shows_but_does_not_write(admin_client, model):
    pk = MODELS[model].objects.order_by("id").values_list("pk", flat=True).first()
    before = snapshot()

    assert admin_client.get(f"/admin/{model}/", {"q": "华联"}).status_code == 200
    page = admin_client.get(f"/admin/{model}/{pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get(f"/admin/{model}/add/").status_code == 403
    assert admin_client.post(f"/admin/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(f"/admin/{model}/{pk}/change/", {"amount": "1", "paid": "0", "status": "cancelled"})
    assert snapshot() == before
