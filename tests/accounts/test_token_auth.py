"""``POST /api/v1/auth/token/`` and the login lockout (django-axes) it shares with the login
page: after AXES_FAILURE_LIMIT failures for a username from an address, even the right
password is refused."""

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import User

PASSWORD = "pw-Secret-123"  # the factories' password
LOCKED = {"code": "locked_out", "detail": "Too many failed logins. Try again later."}
BAD_LOGIN = {"non_field_errors": ["Unable to log in with the given username and password."]}


def login_page_exists():
    try:
        reverse("login")
    except NoReverseMatch:
        return False
    return True


def token(client, username, password):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


@pytest.fixture
def clerk(make_user):
    return make_user("warehouse", username="clerk")


def test_the_right_password_gets_a_token(clerk):
    response = token(APIClient(), "clerk", PASSWORD)

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=clerk).key}


def test_asking_again_gives_the_same_token(clerk):
    first = token(APIClient(), "clerk", PASSWORD)
    second = token(APIClient(), "clerk", PASSWORD)

    assert first.json() == second.json()
    assert Token.objects.filter(user=clerk).count() == 1


def test_the_token_authenticates_api_requests(clerk):
    key = token(APIClient(), "clerk", PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "clerk"
    assert response.json()["departments"] == ["warehouse"]


def test_a_wrong_token_is_401(clerk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize(
    ("username", "password"),
    [("clerk", "wrong-password"), ("nobody", PASSWORD), ("CLERK", PASSWORD)],
)
def test_wrong_credentials_are_400_without_a_token(clerk, username, password):
    response = token(APIClient(), username, password)

    assert response.status_code == 400
    assert response.json() == BAD_LOGIN
    assert Token.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [({}, {"username", "password"}), ({"username": "clerk"}, {"password"}), ({"password": PASSWORD}, {"username"})],
)
def test_missing_credentials_are_400_by_field(clerk, body, fields):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert Token.objects.count() == 0


def test_the_failure_limit_is_five():
    assert settings.AXES_FAILURE_LIMIT == 5


def test_after_five_failures_even_the_right_password_is_refused(clerk):
    # given four failures, each a plain 400
    client = APIClient()
    for _ in range(4):
        assert token(client, "clerk", "wrong-password").status_code == 400

    # when the fifth failure reaches the limit
    fifth = token(client, "clerk", "wrong-password")

    # then the account is locked: the fifth failure and the right password both get 429 JSON
    assert fifth.status_code == 429
    assert fifth.json() == LOCKED
    right = token(client, "clerk", PASSWORD)
    assert right.status_code == 429
    assert right["Content-Type"] == "application/json"
    assert right.json() == LOCKED
    assert Token.objects.count() == 0


def test_the_lockout_is_per_username(clerk, make_user):
    make_user("sales", username="seller")
    client = APIClient()
    for _ in range(5):
        token(client, "clerk", "wrong-password")

    response = token(client, "seller", PASSWORD)

    assert response.status_code == 200
    assert Token.objects.get().user.username == "seller"


def test_a_success_before_the_limit_resets_the_count(clerk):
    client = APIClient()
    for _ in range(4):
        token(client, "clerk", "wrong-password")
    assert token(client, "clerk", PASSWORD).status_code == 200

    for _ in range(4):
        assert token(client, "clerk", "wrong-password").status_code == 400
    response = token(client, "clerk", PASSWORD)

    assert response.status_code == 200


def test_a_locked_account_is_refused_even_with_an_existing_session(clerk):
    # The lockout guards logging in; a session or token obtained before it keeps working.
    client = APIClient()
    client.force_login(clerk)
    for _ in range(5):
        token(APIClient(), "clerk", "wrong-password")

    assert client.get("/api/v1/me/").status_code == 200
    assert token(APIClient(), "clerk", PASSWORD).status_code == 429


@pytest.mark.skipif(not login_page_exists(), reason="the HTML login page is not built yet")
def test_api_failures_lock_the_login_page_too(clerk, client):
    for _ in range(5):
        token(APIClient(), "clerk", "wrong-password")

    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.skipif(not login_page_exists(), reason="the HTML login page is not built yet")
def test_login_page_failures_lock_the_token_endpoint(clerk, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "clerk", "password": "wrong-password"})

    response = token(APIClient(), "clerk", PASSWORD)

    assert response.status_code == 429
    assert response.json() == LOCKED
    assert Token.objects.count() == 0


@pytest.mark.skipif(not login_page_exists(), reason="the HTML login page is not built yet")
def test_the_login_page_lockout_is_a_page_not_json(clerk, client):
    for _ in range(5):
        token(APIClient(), "clerk", "wrong-password")

    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")


def test_an_inactive_user_is_refused_like_a_wrong_password(make_user):
    make_user("sales", username="gone", is_active=False)

    response = token(APIClient(), "gone", PASSWORD)

    assert response.status_code == 400
    assert response.json() == BAD_LOGIN
    assert User.objects.get(username="gone").is_active is False


def test_getting_a_token_records_the_login_without_a_history_entry(clerk):
    history_rows = clerk.history.count()

    token(APIClient(), "clerk", PASSWORD)

    clerk.refresh_from_db()
    assert clerk.last_login is not None
    assert clerk.history.count() == history_rows
