"""Fixtures for the HTML pages: a browser-like Django test client logged in as a department."""

import pytest
from django.test import Client


@pytest.fixture
def client_as(make_user):
    """``client_as("purchasing")`` -> a Django test Client logged in as a new user of that
    department (``client_as(None)`` is anonymous). The user is ``client.user``."""

    def make(*departments, **kwargs):
        client = Client()
        client.user = None
        if departments and departments[0] is not None:
            client.user = make_user(*departments, **kwargs)
            client.force_login(client.user)
        return client

    return make
