"""The left menu shows each department its own work (the server refuses the rest anyway)."""

import re

import pytest


def menu_labels(response) -> list[str]:
    nav = re.search(r'<nav class="sidebar".*?</nav>', response.text, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize(
    ("department", "shown", "hidden"),
    [
        ("purchasing", ["Products", "Suppliers"], ["Customers", "Users", "Audit trail"]),
        ("sales", ["Products", "Customers"], ["Suppliers", "Users", "Audit trail"]),
        ("warehouse", ["Products", "Warehouses", "Suppliers", "Customers"], ["Users", "Audit trail"]),
        ("management", ["Products", "Suppliers", "Customers", "Audit trail"], ["Users"]),
        ("it_admin", ["Warehouses", "Users", "Audit trail", "API docs"], ["Products", "Customers"]),
    ],
)
def test_menu_shows_what_the_department_may_use(client_as, department, shown, hidden):
    labels = menu_labels(client_as(department).get("/"))

    for label in shown:
        assert label in labels
    for label in hidden:
        assert label not in labels


def test_a_menu_entry_leads_to_a_page_the_user_may_open(client_as):
    client = client_as("sales")
    nav = re.search(r'<nav class="sidebar".*?</nav>', client.get("/").text, re.S).group(0)

    for url in re.findall(r'href="([^"]+)"', nav):
        assert client.get(url).status_code == 200, url
