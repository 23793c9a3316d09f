"""The OpenAPI schema (/api/schema/) describes the contract; the docs page (/api/docs/) is
served from the app itself, no CDN (shops run on intranets)."""

import re

import pytest
from django.core.management import call_command

MASTER_DATA = ["warehouses", "categories", "units", "products", "suppliers", "customers", "users"]


@pytest.fixture
def schema(api_as):
    response = api_as("it_admin").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "JXC API"


@pytest.mark.parametrize("resource", MASTER_DATA)
def test_schema_describes_each_master_data_list_and_item(schema, resource):
    assert set(schema["paths"][f"/api/v1/{resource}/"]) >= {"get", "post"}
    assert set(schema["paths"][f"/api/v1/{resource}/{{id}}/"]) >= {"get", "put", "patch"}


@pytest.mark.parametrize(("path", "method"), [("/api/v1/auth/token/", "post"), ("/api/v1/me/", "get")])
def test_schema_describes_token_and_me(schema, path, method):
    assert method in schema["paths"][path]


def test_schema_names_the_contract_fields_of_a_product(schema):
    product = schema["components"]["schemas"]["Product"]["properties"]
    assert set(product) >= {
        "id", "sku", "name", "spec", "unit", "category", "barcode", "purchase_price", "sale_price",
        "tax_rate", "safety_stock", "max_stock", "reorder_qty", "valuation_method", "is_active",
    }  # fmt: skip


def test_schema_keeps_the_user_password_write_only(schema):
    assert "password" not in schema["components"]["schemas"]["User"]["properties"]
    assert "password" in schema["components"]["schemas"]["UserRequest"]["properties"]


def test_schema_documents_the_list_filters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"]}
    assert names >= {"search", "ordering", "barcode", "category", "is_active", "page", "page_size"}


def test_docs_page_answers_a_logged_in_user(session_as):
    client = session_as("it_admin")

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/api/schema/" in html


def test_docs_page_loads_nothing_from_another_host(session_as):
    client = session_as("it_admin")

    html = client.get("/api/docs/").content.decode()

    assert "cdn" not in html.lower()
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", html) == []
    urls = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert len(urls) == 4  # the favicon, the stylesheet and two scripts
    for url in urls:
        assert url.startswith("/static/drf_spectacular_sidecar/"), url
        assert client.get(url).status_code == 200, url


def test_schema_generates_without_warnings_and_validates(tmp_path):
    # --fail-on-warn turns every "could not resolve ..." of drf-spectacular into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_for_logged_in_users_only(client, path):
    response = client.get(path)

    assert response.status_code in (401, 403)
    assert b"/api/v1/products/" not in response.content
