"""Login, logout, lockout and the language switch."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_speaks_english_or_chinese(client):
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert '<html lang="en">' in english.text
    assert "Log in" in english.text and "Password" in english.text
    assert '<html lang="zh-hans">' in chinese.text
    assert "登录" in chinese.text and "密码" in chinese.text
    assert "Password" not in chinese.text


def test_the_language_switch_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "登录" in response.text
    assert '<html lang="zh-hans">' in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").text


def test_log_in_and_out(client):
    UserFactory(username="li", departments=["purchasing"])

    logged_in = client.post("/login/", {"username": "li", "password": "pw-Secret-123"})
    home = client.get("/")
    logged_out = client.post("/logout/")

    assert logged_in.status_code == 302 and logged_in["Location"] == "/"
    assert home.status_code == 200
    assert logged_out.status_code == 302 and logged_out["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_a_wrong_password_says_so(client):
    UserFactory(username="li")

    response = client.post("/login/", {"username": "li", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.text


def test_logging_in_adds_nothing_to_the_audit_trail(client):
    user = UserFactory(username="li")
    before = user.history.count()

    client.post("/login/", {"username": "li", "password": "pw-Secret-123"})

    assert user.history.count() == before


@pytest.mark.parametrize("attempts", [5])
def test_too_many_failed_logins_lock_the_account(client, settings, attempts):
    settings.AXES_FAILURE_LIMIT = attempts
    UserFactory(username="li")

    for _ in range(attempts):
        client.post("/login/", {"username": "li", "password": "wrong"})
    locked = client.post("/login/", {"username": "li", "password": "pw-Secret-123"}, HTTP_ACCEPT_LANGUAGE="en")

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert client.get("/").status_code == 302
