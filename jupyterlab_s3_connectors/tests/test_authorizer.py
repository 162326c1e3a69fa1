"""jupyter_server's authorizer decides who may use the connectors: a refusal reaches no S3.

The authorizer below plays a JupyterHub-like policy that grants some actions on the
extension's resource (``s3_connectors``) and not others; every other resource stays
allowed. The connector's endpoint is a server that records each request it receives, so
"no S3 request was made" is checked, not assumed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer

from ..handlers import AUTH_RESOURCE
from ..validation import validate_new_connector
from .conftest import DEMO_BUCKET, connector_body

ALL_ACTIONS = {"read", "write", "execute"}


class ResourcePolicyAuthorizer(Authorizer):
    """Denies the actions in ``denied`` on the extension's resource, allows the rest."""

    #: The actions refused on the extension's resource (set by each test).
    denied: set[str]
    #: (action, resource) of every decision asked for the extension's resource.
    asked: list[tuple[str, str]]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.denied = set()
        self.asked = []

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        if resource != AUTH_RESOURCE:
            return True
        self.asked.append((action, resource))
        return action not in self.denied


@pytest.fixture
def server_app_config() -> dict[str, Any]:
    return {"authorizer_class": ResourcePolicyAuthorizer}


@pytest.fixture
def authorizer(jp_serverapp) -> ResourcePolicyAuthorizer:
    authorizer = jp_serverapp.authorizer
    assert isinstance(authorizer, ResourcePolicyAuthorizer)
    return authorizer


@pytest.fixture
def recorded_connector(server_store, recording_s3) -> dict[str, Any]:
    """An active read-write connector whose endpoint records every request it gets.

    Created in the server's store directly: the REST API is what the authorizer guards.
    """
    fields, secret = validate_new_connector(
        connector_body(endpoint=recording_s3.endpoint), default_region="us-east-1"
    )
    connector = server_store.create(fields, secret, "alice")
    return server_store.set_active(connector.id, True).to_api()


def _s3_error_code(body: bytes) -> str:
    text = body.decode()
    start, end = text.index("<Code>") + len("<Code>"), text.index("</Code>")
    return text[start:end]


async def test_a_denied_user_reaches_no_s3_through_the_proxy(
    proxy, authorizer, recorded_connector, recording_s3
):
    authorizer.denied = set(ALL_ACTIONS)
    connector_id = recorded_connector["id"]
    requests = [
        ("GET", f"/{DEMO_BUCKET}/data/hello.txt", None),
        ("HEAD", f"/{DEMO_BUCKET}/data/hello.txt", None),
        ("GET", f"/{DEMO_BUCKET}?list-type=2&prefix=data%2F", None),
        ("PUT", f"/{DEMO_BUCKET}/data/new.txt", b"new bytes"),
        ("DELETE", f"/{DEMO_BUCKET}/data/hello.txt", None),
        ("POST", f"/{DEMO_BUCKET}/data/big.bin?uploads", None),
    ]
    for method, rest, body in requests:
        answer = await proxy.fetch(connector_id, rest, method=method, body=body)
        assert answer.code == 403, (method, rest, answer.body)
        if method != "HEAD":
            assert _s3_error_code(answer.body) == "AccessDenied", answer.body
    assert recording_s3.requests == []
    # Using a connector through the proxy is "execute": asked first, and refused.
    assert {action for action, _ in authorizer.asked} == {"execute"}


async def test_a_denied_user_gets_no_key_link_listing_or_connection_test(
    api, authorizer, recorded_connector, recording_s3
):
    authorizer.denied = set(ALL_ACTIONS)
    connector_id = recorded_connector["id"]
    calls = [
        ("GET", ("connectors", connector_id, "credentials"), None),
        ("POST", ("connectors", connector_id, "presign"), {"key": "data/hello.txt"}),
        ("POST", ("connectors", connector_id, "test"), None),
        ("GET", ("connectors",), None),
        ("GET", ("connectors", connector_id), None),
        ("POST", ("connectors", connector_id, "deactivate"), None),
    ]
    for method, path, body in calls:
        answer = await api(method, *path, body=body)
        assert answer.code == 403, (method, path, answer)
        assert recorded_connector["bucket"] not in answer.raw
        assert connector_body()["secret_access_key"] not in answer.raw
    assert recording_s3.requests == []


async def test_read_granted_write_denied_lets_reads_through_only(
    proxy, authorizer, recorded_connector, recording_s3
):
    authorizer.denied = {"write"}
    connector_id = recorded_connector["id"]

    refused = await proxy.fetch(
        connector_id, f"/{DEMO_BUCKET}/data/new.txt", method="PUT", body=b"new bytes"
    )
    assert refused.code == 403
    assert _s3_error_code(refused.body) == "AccessDenied"
    assert recording_s3.requests == []

    # The same connector and endpoint answer a read: the refusal above was the authorizer's.
    allowed = await proxy.fetch(connector_id, f"/{DEMO_BUCKET}/data/hello.txt")
    assert allowed.code == 200, allowed.body
    assert [(r["method"], r["path"]) for r in recording_s3.requests] == [
        ("GET", f"/{DEMO_BUCKET}/data/hello.txt")
    ]


async def test_the_refusal_is_the_authorizers_not_the_servers(
    api, jp_fetch, authorizer, recorded_connector
):
    """With the extension's resource denied, Jupyter's own APIs still answer."""
    authorizer.denied = set(ALL_ACTIONS)
    contents = await jp_fetch("api", "contents", raise_error=False)
    assert contents.code == 200
    assert json.loads(contents.body)["type"] == "directory"
    assert (await api("GET", "connectors")).code == 403

    authorizer.denied = set()
    listed = await api("GET", "connectors")
    assert listed.code == 200
    assert [c["id"] for c in listed.json["connectors"]] == [recorded_connector["id"]]


async def test_execute_denied_refuses_every_use_of_a_connector_and_says_which(
    api, proxy, authorizer, recorded_connector, recording_s3
):
    authorizer.denied = {"execute"}
    connector_id = recorded_connector["id"]
    read = await proxy.fetch(connector_id, f"/{DEMO_BUCKET}/data/hello.txt")
    assert read.code == 403
    for method, path, body in [
        ("POST", ("connectors", connector_id, "activate"), None),
        ("POST", ("connectors", connector_id, "deactivate"), None),
        ("POST", ("connectors", connector_id, "test"), None),
        ("POST", ("connectors", connector_id, "presign"), {"key": "data/hello.txt"}),
        ("GET", ("connectors", connector_id, "credentials"), None),
    ]:
        answer = await api(method, *path, body=body)
        assert answer.code == 403, (method, path, answer)
        assert "not authorized to execute" in answer.json["message"]
    assert recording_s3.requests == []
    # Viewing stays allowed: "read" is another permission.
    assert (await api("GET", "connectors", connector_id)).code == 200


async def test_write_denied_refuses_every_change_and_says_which(
    api, authorizer, recorded_connector, server_store
):
    authorizer.denied = {"write"}
    connector_id = recorded_connector["id"]
    for method, path, body in [
        ("POST", ("connectors",), connector_body(name="other")),
        ("PATCH", ("connectors", connector_id), {"description": "changed"}),
        ("DELETE", ("connectors", connector_id), None),
        ("POST", ("connectors", connector_id, "publish"), {"catalog": "team"}),
        ("POST", ("connectors", connector_id, "unpublish"), {"catalog": "team"}),
    ]:
        answer = await api(method, *path, body=body)
        assert answer.code == 403, (method, path, answer)
        assert "not authorized to write" in answer.json["message"]
    [connector] = server_store.list_connectors()
    assert connector.description == recorded_connector["description"]
    # Using the connector stays allowed: "execute" is another permission.
    assert (await api("POST", "connectors", connector_id, "test")).code == 200


async def test_info_tells_the_panel_what_the_user_may_do(api, authorizer):
    authorizer.denied = {"write"}
    info = await api("GET", "info")
    assert info.json["permissions"] == {"read": True, "write": False, "execute": True}
    authorizer.denied = {"execute"}
    info = await api("GET", "info")
    assert info.json["permissions"] == {"read": True, "write": True, "execute": False}
