"""Every route needs authentication; cookie-authenticated writes need the XSRF token."""

from __future__ import annotations

import json
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from .conftest import connector_body

ROUTES = [
    ("GET", "connectors"),
    ("POST", "connectors"),
    ("GET", "connectors/some-id"),
    ("PATCH", "connectors/some-id"),
    ("DELETE", "connectors/some-id"),
    ("POST", "connectors/some-id/activate"),
    ("POST", "connectors/some-id/deactivate"),
    ("POST", "connectors/some-id/test"),
    ("GET", "info"),
]


def api_url(base_url: str, path: str) -> str:
    return f"{base_url}s3-connectors/api/{path}"


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_unauthenticated_requests_are_refused(
    http_server_client, jp_serverapp, jp_base_url, method, path
):
    body = json.dumps(connector_body()) if method in ("POST", "PATCH") else None
    response = await http_server_client.fetch(
        api_url(jp_base_url, path), method=method, body=body, raise_error=False
    )
    # jupyter_server's API handlers answer 403 where a page would redirect to the login.
    assert response.code == 403
    assert "connectors" not in response.body.decode()


async def test_wrong_token_is_refused(http_server_client, jp_serverapp, jp_base_url):
    response = await http_server_client.fetch(
        api_url(jp_base_url, "connectors"),
        headers={"Authorization": "token not-the-token"},
        raise_error=False,
    )
    assert response.code == 403


def _cookies(response) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("Set-Cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


async def _login(http_server_client, jp_serverapp, jp_base_url) -> dict[str, str]:
    """Log in through the login form with the token, as a browser does."""
    page = await http_server_client.fetch(f"{jp_base_url}login", raise_error=False)
    cookies = _cookies(page)
    xsrf = cookies["_xsrf"]
    form = urllib.parse.urlencode({"_xsrf": xsrf, "password": jp_serverapp.identity_provider.token})
    answer = await http_server_client.fetch(
        f"{jp_base_url}login",
        method="POST",
        body=form,
        headers={"Cookie": f"_xsrf={xsrf}"},
        follow_redirects=False,
        raise_error=False,
    )
    assert answer.code == 302, answer.body
    cookies.update(_cookies(answer))
    assert any(name.startswith("username-") for name in cookies), cookies
    return cookies


async def test_cookie_auth_needs_xsrf_for_writes(http_server_client, jp_serverapp, jp_base_url):
    cookies = await _login(http_server_client, jp_serverapp, jp_base_url)
    cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    url = api_url(jp_base_url, "connectors")
    body = json.dumps(connector_body())

    # Reading with the cookie alone works.
    listing = await http_server_client.fetch(url, headers={"Cookie": cookie_header})
    assert json.loads(listing.body) == {"connectors": []}

    # A write without the X-XSRFToken header is refused, and nothing is created.
    refused = await http_server_client.fetch(
        url, method="POST", body=body, headers={"Cookie": cookie_header}, raise_error=False
    )
    assert refused.code == 403
    assert "xsrf" in json.loads(refused.body)["message"].lower()
    wrong = await http_server_client.fetch(
        url,
        method="POST",
        body=body,
        headers={"Cookie": cookie_header, "X-XSRFToken": "forged"},
        raise_error=False,
    )
    assert wrong.code == 403
    listing = await http_server_client.fetch(url, headers={"Cookie": cookie_header})
    assert json.loads(listing.body) == {"connectors": []}

    # With the header copied from the _xsrf cookie, as JupyterLab sends it, it works.
    accepted = await http_server_client.fetch(
        url,
        method="POST",
        body=body,
        headers={"Cookie": cookie_header, "X-XSRFToken": cookies["_xsrf"]},
        raise_error=False,
    )
    assert accepted.code == 201, accepted.body
