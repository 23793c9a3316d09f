"""A job has no request: its notifications are written in every language of the site and each
reader sees theirs (API and page), whatever the site language; e-mail goes in the site's."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from apps.notifications.models import Notification
from apps.notifications.services import notify_stock_alerts, preference_set
from tests.factories import ProductFactory, WarehouseFactory
from tests.inventory.ledger_helpers import post

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def low_stock(make_user, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.JXC_SITE_URL = "https://jxc.example.com/"
    buyer = make_user("purchasing", email="buyer@example.com")
    product = ProductFactory(sku="P-LOW", name="Cola", safety_stock=Decimal("10"))
    post(buyer, (product, WarehouseFactory(code="SH01"), 4, 1), date=datetime.date(2026, 11, 20))
    preference_set(user=buyer, kind="stock_low", in_app=True, email=True)
    return buyer


def test_each_reader_sees_their_language(low_stock, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_stock_alerts(today=TODAY)["notified"] == 1
    notification = Notification.objects.get(user=low_stock)
    assert notification.title == "库存不足：P-LOW Cola（SH01）"  # the site's language
    assert notification.texts["en"][0] == "Low stock: P-LOW Cola in SH01"
    assert notification.texts["en"][1] == "On hand 4, below the safety stock of 10."
    assert notification.texts["zh-hans"][0] == notification.title

    reader = APIClient()
    reader.force_authenticate(low_stock)
    english = reader.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = reader.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["results"][0]["title"] == "Low stock: P-LOW Cola in SH01"
    assert chinese["results"][0]["title"] == "库存不足：P-LOW Cola（SH01）"

    client.force_login(low_stock)
    client.cookies["django_language"] = "en"
    page = client.get("/notifications/").content.decode()
    assert "Low stock: P-LOW Cola in SH01" in page
    assert "库存不足" not in page

    assert [m.subject for m in mail.outbox] == ["[JXC] 库存不足：P-LOW Cola（SH01）"]
    # the e-mail links to the stock card at the site's address
    link = mail.outbox[0].body.splitlines()[-1]
    assert link.startswith("https://jxc.example.com/inventory/") and "product=" in link


def test_older_notifications_without_texts_show_their_title(make_user):
    user = make_user("purchasing")
    old = Notification.objects.create(user=user, kind="stock_low", key="k", title="旧标题", body="正文")
    assert (old.shown_title, old.shown_body) == ("旧标题", "正文")
