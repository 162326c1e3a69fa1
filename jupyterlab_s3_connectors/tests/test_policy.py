"""Who may do what with a connector (no server): credentials, shareable links, the proxy."""

from __future__ import annotations

from typing import Any

import pytest

from ..policy import (
    MAX_LINK_SECONDS,
    MIN_LINK_SECONDS,
    Refused,
    check_credentials_access,
    check_link_access,
    check_link_request,
    check_proxy_access,
)
from ..records import Connector
from ..validation import ValidationError, validate_presign_request


def connector(**overrides: Any) -> Connector:
    fields: dict[str, Any] = {
        "id": "c1",
        "name": "demo",
        "description": "",
        "endpoint": "https://s3.example.com",
        "region": "us-east-1",
        "bucket": "bucket",
        "prefix": "",
        "access_key_id": "AKID",
        "mode": "read-write",
        "backend": "direct",
        "creator": "alice",
        "created_at": "",
        "updated_at": "",
        "active": True,
    }
    fields.update(overrides)
    return Connector(**fields)


def refusal(check: Any, *args: Any, **kwargs: Any) -> Refused:
    with pytest.raises(Refused) as error:
        check(*args, **kwargs)
    return error.value


# -- credentials -------------------------------------------------------------------


def test_credentials_for_an_active_direct_connector_while_allowed():
    check_credentials_access(connector(), allow_direct_backend=True)


@pytest.mark.parametrize(
    ("overrides", "allow_direct_backend", "words"),
    [
        ({"backend": "proxy"}, True, "'proxy' backend"),
        ({"backend": "proxy", "active": False}, True, "'proxy' backend"),
        ({}, False, "administrator has disabled"),
        ({"active": False}, False, "administrator has disabled"),
        ({"active": False}, True, "not active"),
    ],
)
def test_credentials_refused(overrides, allow_direct_backend, words):
    error = refusal(
        check_credentials_access, connector(**overrides), allow_direct_backend=allow_direct_backend
    )
    assert error.status == 403
    assert words in error.message
    assert error.errors == {}


# -- shareable links ---------------------------------------------------------------


@pytest.mark.parametrize("expires_in", [MIN_LINK_SECONDS, 3600, MAX_LINK_SECONDS])
def test_link_lifetimes_within_bounds(expires_in):
    check_link_request("data/x.txt", expires_in)


@pytest.mark.parametrize("expires_in", [0, MIN_LINK_SECONDS - 1, MAX_LINK_SECONDS + 1, -5])
def test_link_lifetimes_out_of_bounds(expires_in):
    error = refusal(check_link_request, "data/x.txt", expires_in)
    assert (error.status, list(error.errors)) == (400, ["expires_in"])


@pytest.mark.parametrize("key", ["data/../secret.txt", "./x", "a/./b", "a\\b", "a\nb", "a" * 1025])
def test_links_only_to_keys_the_proxy_would_serve(key):
    error = refusal(check_link_request, key, 3600)
    assert (error.status, list(error.errors)) == (400, ["key"])


def test_link_request_reports_every_field():
    error = refusal(check_link_request, "a/../b", 1)
    assert sorted(error.errors) == ["expires_in", "key"]
    assert error.message == "Invalid fields: expires_in, key"


def test_links_of_active_connectors_inside_their_folder():
    check_link_access(connector(backend="proxy"), "anything/at/all")
    check_link_access(connector(prefix="data/"), "data/x.txt")
    inactive = refusal(check_link_access, connector(active=False), "data/x.txt")
    assert (inactive.status, inactive.message) == (
        403,
        "Connector 'demo' is not active: activate it first.",
    )
    outside = refusal(check_link_access, connector(prefix="data/"), "secret/x.txt")
    assert outside.status == 403
    assert "outside the folder 'data/'" in outside.message


def test_presign_request_shape():
    assert validate_presign_request({"key": "data/x"}) == ("data/x", 3600)
    assert validate_presign_request({"key": "data/x", "expires_in": 60}) == ("data/x", 60)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["key"]),
        ({"key": ""}, ["key"]),
        ({"key": "data/"}, ["key"]),
        ({"key": 3}, ["key"]),
        ({"key": "data/x", "expires_in": "1h"}, ["expires_in"]),
        ({"key": "data/x", "expires_in": True}, ["expires_in"]),
        ({"key": "data/x", "expires_in": 60.0}, ["expires_in"]),
        ({"key": "data/x", "bucket": "other"}, ["bucket"]),
    ]
    for body, fields in cases:
        with pytest.raises(ValidationError) as error:
            validate_presign_request(body)
        assert sorted(error.value.errors) == fields, body
        assert error.value.message.startswith("The link request has invalid fields")


# -- the proxy ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "POST", "DELETE"])
def test_proxy_forwards_every_method_of_an_active_read_write_connector(method):
    check_proxy_access(connector(backend="proxy"), method)


def test_proxy_refuses_writes_to_read_only_connectors_and_anything_inactive():
    read_only = connector(mode="read-only")
    for method in ("GET", "HEAD"):
        check_proxy_access(read_only, method)
    for method in ("PUT", "POST", "DELETE"):
        error = refusal(check_proxy_access, read_only, method)
        assert (error.status, error.message) == (403, "Connector 'demo' is read-only.")
    for method in ("GET", "PUT"):
        error = refusal(check_proxy_access, connector(active=False), method)
        assert (error.status, error.message) == (
            403,
            "Connector 'demo' is not active: activate it first.",
        )
