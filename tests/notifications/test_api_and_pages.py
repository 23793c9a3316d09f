"""The notification centre over the API and in the browser: own notifications only (404 on
another's), unread filter and count, mark read, preferences; the bell, list and settings pages."""

import pytest
from django.test import Client

from apps.notifications import services
from apps.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
PREFS = "/api/v1/notification-preferences/"


def _seed(user, n, prefix="n"):
    for i in range(n):
        services.notify(kind="stock_low", key=f"{prefix}:{i}", title=f"{prefix} {i}", url=f"/x/{i}/", users=[user])
    return list(Notification.objects.filter(user=user).order_by("id"))


def test_a_user_sees_only_their_own(api_as, make_user, django_assert_max_num_queries):
    client = api_as("warehouse")
    other = make_user("purchasing")
    mine = _seed(client.user, 3)
    theirs = _seed(other, 2, prefix="o")
    with django_assert_max_num_queries(4):
        data = client.get(URL).json()
    assert data["count"] == 3
    assert [r["title"] for r in data["results"]] == ["n 2", "n 1", "n 0"]
    assert data["results"][0] == {
        "id": mine[2].pk,
        "kind": "stock_low",
        "title": "n 2",
        "body": "",
        "url": "/x/2/",
        "created_at": data["results"][0]["created_at"],
        "read_at": None,
        "unread": True,
    }
    assert client.get(f"{URL}{theirs[0].pk}/").status_code == 404
    assert client.post(f"{URL}{theirs[0].pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    assert client.get(f"{URL}{mine[0].pk}/").json()["title"] == "n 0"


def test_unread_filter_count_and_marking(api_as):
    client = api_as("sales")
    mine = _seed(client.user, 4)
    assert client.get(f"{URL}unread-count/").json() == {"unread": 4}
    response = client.post(f"{URL}{mine[1].pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert client.post(f"{URL}{mine[1].pk}/read/").status_code == 200  # again: no change
    assert client.get(f"{URL}unread-count/").json() == {"unread": 3}
    assert client.get(URL, {"unread": "true"}).json()["count"] == 3
    assert [r["id"] for r in client.get(URL, {"unread": "false"}).json()["results"]] == [mine[1].pk]
    bad = client.get(URL, {"unread": "maybe"})
    assert bad.status_code == 400 and "unread" in bad.json()
    assert client.post(f"{URL}read-all/").json() == {"marked": 3}
    assert client.post(f"{URL}read-all/").json() == {"marked": 0}
    assert client.get(f"{URL}unread-count/").json() == {"unread": 0}


def test_anonymous_is_refused(api_as):
    client = api_as(None)
    assert client.get(URL).status_code == 401
    assert client.get(PREFS).status_code == 401


def test_the_list_answers_excel(api_as):
    client = api_as("finance")
    _seed(client.user, 2)
    response = client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_preferences(api_as, make_user):
    client = api_as("warehouse")
    rows = client.get(PREFS).json()
    assert [r["kind"] for r in rows] == [
        "stock_low",
        "stock_over",
        "stock_slow",
        "receivable_overdue",
        "books_check",
        "report_ready",
    ]
    assert all(r["in_app"] is True and r["email"] is False for r in rows)
    response = client.put(f"{PREFS}stock_low/", {"in_app": False, "email": True})
    assert response.status_code == 200
    assert response.json() == {"kind": "stock_low", "label": "Stock below safety stock", "in_app": False, "email": True}
    assert client.patch(f"{PREFS}stock_low/", {"in_app": True}).json()["email"] is True
    assert client.get(f"{PREFS}stock_low/").json()["in_app"] is True
    assert client.put(f"{PREFS}nonsense/", {"in_app": True, "email": True}).status_code == 404
    bad = client.put(f"{PREFS}stock_over/", {"in_app": "perhaps", "email": True})
    assert bad.status_code == 400 and "in_app" in bad.json()
    assert list(NotificationPreference.objects.values_list("user", "kind", "in_app", "email")) == [
        (client.user.pk, "stock_low", True, True)
    ]
    # another user's preferences are untouched (each sees their own)
    other = api_as("finance")
    assert other.get(f"{PREFS}stock_low/").json()["email"] is False


@pytest.fixture
def browser(make_user):
    client = Client()
    client.user = make_user("warehouse")
    client.force_login(client.user)
    return client


def test_bell_list_and_mark_read_pages(browser, make_user):
    page = browser.get("/inventory/products/")
    assert 'id="notification-bell"' in page.content.decode()
    assert browser.get("/notifications/bell/").content.decode().count("data-unread") == 0
    mine = _seed(browser.user, 3)
    other = _seed(make_user("sales"), 1, prefix="o")
    bell = browser.get("/notifications/bell/").content.decode()
    assert 'data-unread="3"' in bell and "Notifications: 3 unread" in bell
    listing = browser.get("/notifications/").content.decode()
    assert listing.count('class="unread"') == 3 and "n 2" in listing and "o 0" not in listing
    response = browser.post(f"/notifications/{mine[0].pk}/read/", {"next": "/notifications/?unread=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?unread=1"
    assert browser.get("/notifications/?unread=1").content.decode().count('class="unread"') == 2
    assert browser.post(f"/notifications/{other[0].pk}/read/").status_code == 404
    assert Notification.objects.get(pk=other[0].pk).read_at is None
    assert browser.post("/notifications/read-all/", {"next": "https://evil.example/"})["Location"] == "/notifications/"
    assert Notification.objects.filter(user=browser.user, read_at__isnull=True).count() == 0
    assert "data-unread" not in browser.get("/notifications/bell/").content.decode()


def test_pages_need_a_login():
    client = Client()
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/bell/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302


def test_preferences_page(browser):
    assert browser.get("/notifications/settings/").status_code == 200
    response = browser.post("/notifications/settings/", {"stock_low-email": "on", "stock_low-in_app": "on"})
    assert response.status_code == 302
    stored = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=browser.user)}
    assert stored["stock_low"] == (True, True)
    assert stored["stock_over"] == (False, False)
    assert len(stored) == 6
    page = browser.get("/notifications/settings/").content.decode()
    assert 'name="stock_low-email" checked' in page
