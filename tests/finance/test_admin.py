"""The admin shows purchasing documents, payables and payments (with their lines) and writes
none of them: adding, changing and deleting are refused there."""

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.finance.models import Payable, SupplierPayment
from apps.purchasing.models import PurchaseOrder, PurchaseReceipt, PurchaseReturn

from .api_helpers import PAYMENTS, approved_order, make_world, ok, receive

pytestmark = pytest.mark.django_db

MODELS = {
    "purchasing/purchaseorder": PurchaseOrder,
    "purchasing/purchasereceipt": PurchaseReceipt,
    "purchasing/purchasereturn": PurchaseReturn,
    "finance/payable": Payable,
    "finance/supplierpayment": SupplierPayment,
}


@pytest.fixture
def admin_client(api_as):
    world = make_world(api_as)
    order = approved_order(world)
    receipt = receive(world, order, 10)
    line = receipt["lines"][0]["id"]
    returned = {"purchase_receipt": receipt["id"], "lines": [{"purchase_receipt_line": line, "qty": "1"}]}
    ok(world["clerk"].post("/api/v1/purchase-returns/", returned), 201)
    ok(world["finance"].post(PAYMENTS, {"supplier": world["supplier"].pk, "amount": "5"}), 201)
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
    order = PurchaseOrder.objects.get()

    admin_client.post(f"/admin/purchasing/purchaseorder/{order.pk}/change/", {"note": "hacked", "status": "draft"})

    order.refresh_from_db()
    assert (order.status, order.note) == ("partially_received", "")
