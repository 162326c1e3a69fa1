"""The REST API through a real Jupyter server (jp_fetch), against a moto S3 server."""

from __future__ import annotations

import json
import logging
import re
import stat
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet

from ..records import timestamp, utc_now
from .conftest import (
    DEMO_BUCKET,
    SECRET,
    NamedUserIdentityProvider,
    connector_body,
    free_port,
)

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

API_FIELDS = {
    "id",
    "credentials",
    "name",
    "description",
    "endpoint",
    "region",
    "bucket",
    "prefix",
    "access_key_id",
    "has_secret",
    "mode",
    "backend",
    "creator",
    "created_at",
    "updated_at",
    "active",
}


async def create(api, **overrides):
    response = await api("POST", "connectors", body=connector_body(**overrides))
    assert response.code == 201, response
    return response.json


async def test_info(api):
    response = await api("GET", "info")
    assert response.code == 200
    assert response.json == {
        "version": response.json["version"],
        "allow_direct_backend": True,
        "default_region": "us-east-1",
        "permissions": {"read": True, "write": True, "execute": True},
        "mounts": response.json["mounts"],
    }
    mounts = response.json["mounts"]
    assert mounts["mount_root"] == "s3"
    assert set(mounts["backends"]) == {"s3fs", "rclone"}
    assert set(mounts["tools"]) == {"s3fs", "rclone", "fusermount3"}
    assert isinstance(mounts["fuse"]["usable"], bool)


async def test_crud(api, jp_serverapp):
    assert (await api("GET", "connectors")).json == {"connectors": []}

    created = await create(
        api, name="zeta", endpoint="https://s3.example.com/", prefix="a/b", region=None
    )
    assert set(created) == API_FIELDS
    assert created["endpoint"] == "https://s3.example.com"
    assert created["prefix"] == "a/b/"
    assert created["region"] == "us-east-1"
    assert created["has_secret"] is True
    assert created["active"] is False
    assert created["mode"] == "read-write"
    assert created["backend"] == "proxy"
    await create(api, name="alpha", mode="read-only", backend="direct")

    listing = await api("GET", "connectors")
    assert listing.code == 200
    assert [c["name"] for c in listing.json["connectors"]] == ["alpha", "zeta"]

    one = await api("GET", "connectors", created["id"])
    assert one.code == 200
    assert one.json == created

    patched = await api(
        "PATCH", "connectors", created["id"], body={"description": "new", "mode": "read-only"}
    )
    assert patched.code == 200, patched
    assert patched.json["description"] == "new"
    assert patched.json["mode"] == "read-only"
    assert patched.json["name"] == "zeta"
    assert patched.json["id"] == created["id"]

    deleted = await api("DELETE", "connectors", created["id"])
    assert deleted.code == 204
    assert deleted.raw == ""
    assert (await api("GET", "connectors", created["id"])).code == 404
    assert [c["name"] for c in (await api("GET", "connectors")).json["connectors"]] == ["alpha"]


async def test_defaults_when_optional_fields_are_absent(api):
    body = connector_body()
    for optional in ("description", "prefix", "mode", "backend"):
        del body[optional]
    response = await api("POST", "connectors", body=body)
    assert response.code == 201, response
    assert response.json["description"] == ""
    assert response.json["prefix"] == ""
    assert response.json["mode"] == "read-write"
    assert response.json["backend"] == "proxy"
    assert response.json["region"] == "us-east-1"


async def test_unknown_ids_are_404_json(api):
    for method, path in [
        ("GET", ("connectors", "nope")),
        ("PATCH", ("connectors", "nope")),
        ("DELETE", ("connectors", "nope")),
        ("POST", ("connectors", "nope", "activate")),
        ("POST", ("connectors", "nope", "deactivate")),
        ("POST", ("connectors", "nope", "test")),
    ]:
        body = {"description": "x"} if method == "PATCH" else None
        response = await api(method, *path, body=body)
        assert response.code == 404, (method, path)
        assert "nope" in response.json["message"]


BAD_FIELDS = [
    ("name", "a"),
    ("name", "A-bucket"),
    ("name", "1abc"),
    ("name", "abc-"),
    ("name", "has space"),
    ("name", "under_score"),
    ("name", "x" * 64),
    ("name", ""),
    ("name", 42),
    ("endpoint", "ftp://example.com"),
    ("endpoint", "http://user:pw@example.com"),
    ("endpoint", "http://example.com/?q=1"),
    ("endpoint", "http://example.com/#f"),
    ("endpoint", "not a url"),
    ("endpoint", "http://"),
    ("endpoint", "http://example.com:99999"),
    ("bucket", "ab"),
    ("bucket", "Upper"),
    ("bucket", "-start"),
    ("bucket", "end-"),
    ("bucket", "two..dots"),
    ("bucket", "192.168.1.1"),
    ("bucket", "under_score"),
    ("bucket", "b" * 64),
    ("region", "US EAST"),
    ("prefix", "/abs"),
    ("prefix", "a/../b"),
    ("prefix", "x" * 1025),
    ("access_key_id", ""),
    ("access_key_id", "has space"),
    ("secret_access_key", ""),
    ("secret_access_key", "s" * 257),
    ("mode", "write-only"),
    ("backend", "carrier-pigeon"),
    ("description", "d" * 1001),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
async def test_invalid_field_is_400_naming_it(api, field, value):
    response = await api("POST", "connectors", body=connector_body(**{field: value}))
    assert response.code == 400, response
    assert response.json["message"] == f"The connector has invalid fields: {field}"
    assert list(response.json["errors"]) == [field]
    assert response.json["errors"][field]
    assert (await api("GET", "connectors")).json == {"connectors": []}


async def test_several_invalid_fields_are_all_named(api):
    body = connector_body(name="Bad", bucket="x", surprise=1)
    response = await api("POST", "connectors", body=body)
    assert response.code == 400
    assert set(response.json["errors"]) == {"name", "bucket", "surprise"}
    assert response.json["message"].startswith("The connector has invalid fields: ")
    assert response.json["errors"]["surprise"] == "Unknown field."


async def test_missing_required_fields(api):
    response = await api("POST", "connectors", body={})
    assert response.code == 400
    assert set(response.json["errors"]) == {
        "name",
        "endpoint",
        "bucket",
        "access_key_id",
        "secret_access_key",
    }


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
async def test_body_must_be_a_json_object(api, body):
    response = await api("POST", "connectors", body=body)
    assert response.code == 400
    assert response.json["message"]


async def test_duplicate_name_is_409(api):
    first = await create(api, name="same")
    response = await api("POST", "connectors", body=connector_body(name="same"))
    assert response.code == 409
    assert response.json["errors"] == {"name": "A connector named 'same' already exists."}
    assert response.json["message"] == "A connector named 'same' already exists."

    other = await create(api, name="other")
    renamed = await api("PATCH", "connectors", other["id"], body={"name": "same"})
    assert renamed.code == 409
    # renaming a connector to its own name is fine
    same = await api("PATCH", "connectors", first["id"], body={"name": "same"})
    assert same.code == 200


@pytest.mark.parametrize(
    "field", ["id", "creator", "created_at", "updated_at", "active", "has_secret", "colour"]
)
async def test_patch_refuses_server_fields(api, field):
    created = await create(api)
    response = await api("PATCH", "connectors", created["id"], body={field: "x"})
    assert response.code == 400
    assert list(response.json["errors"]) == [field]
    assert (await api("GET", "connectors", created["id"])).json == created


async def test_patch_validates_fields(api):
    created = await create(api)
    response = await api(
        "PATCH", "connectors", created["id"], body={"endpoint": "ftp://x", "bucket": "B"}
    )
    assert response.code == 400
    assert set(response.json["errors"]) == {"endpoint", "bucket"}


async def test_timestamps(api, store_path, server_store, monkeypatch):
    clock = [datetime(2026, 11, 28, 5, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=1)))]
    monkeypatch.setattr(server_store, "now", lambda: clock[0])
    created = await create(api)
    assert created["created_at"] == created["updated_at"] == "2026-11-28T04:00:00Z"
    clock[0] += timedelta(seconds=1)
    patched = await api("PATCH", "connectors", created["id"], body={"description": "edited"})
    assert patched.json["created_at"] == "2026-11-28T04:00:00Z"
    assert patched.json["updated_at"] == "2026-11-28T04:00:01Z"
    stored = json.loads(store_path.read_text())["connectors"][0]
    assert stored["updated_at"] == "2026-11-28T04:00:01Z"


def test_the_store_clock_is_utc_with_seconds():
    assert ISO_UTC.match(timestamp(utc_now()))


class TestCreatorFromIdentityProvider:
    @pytest.fixture
    def server_app_config(self):
        return {"identity_provider_class": NamedUserIdentityProvider}

    async def test_creator_is_the_current_user(self, api, store_path):
        created = await create(api)
        # The display name of the identity provider's user, as JupyterLab shows it.
        assert created["creator"] == "Alice Liddell"
        assert json.loads(store_path.read_text())["connectors"][0]["creator"] == "Alice Liddell"
        # editing does not change the creator
        patched = await api("PATCH", "connectors", created["id"], body={"description": "x"})
        assert patched.json["creator"] == "Alice Liddell"


async def test_secret_is_never_returned_nor_stored_in_plaintext(
    api, store_path, key_path, moto_endpoint, caplog
):
    caplog.set_level(logging.DEBUG)
    created = await create(api, endpoint=moto_endpoint)
    cid = created["id"]
    await api("GET", "connectors")
    await api("GET", "connectors", cid)
    await api("PATCH", "connectors", cid, body={"secret_access_key": SECRET + "-2"})
    await api("PATCH", "connectors", cid, body={"description": "x"})
    await api("POST", "connectors", cid, "activate")
    await api("POST", "connectors", cid, "test")
    await api("POST", "connectors", cid, "deactivate")
    await api("POST", "connectors", body=connector_body(name="Bad name"))
    await api("POST", "connectors", body=connector_body())  # duplicate
    assert len(api.bodies) == 10
    for body in api.bodies:
        assert SECRET not in body
        assert 'secret_access_key": "' not in body
    raw = store_path.read_bytes()
    assert SECRET.encode() not in raw
    assert b"secret_access_key" not in raw
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_path.parent.stat().st_mode) == 0o700
    assert "Created S3 connector 'demo'" in caplog.text
    assert SECRET not in caplog.text


class TestConfiguredEncryptionKeys:
    @pytest.fixture
    def extension_config(self):
        return {"encryption_keys": [Fernet.generate_key().decode()]}

    async def test_configured_key_replaces_the_key_file(self, api, key_path, moto_endpoint):
        created = await create(api, endpoint=moto_endpoint)
        assert not key_path.exists()
        check = await api("POST", "connectors", created["id"], "test")
        assert check.json["code"] == "ok"


async def test_activation_persists_and_blocks_delete(api, store_path):
    created = await create(api)
    cid = created["id"]
    activated = await api("POST", "connectors", cid, "activate")
    assert activated.code == 200
    assert activated.json["active"] is True
    again = await api("POST", "connectors", cid, "activate")
    assert again.code == 200
    assert again.json["active"] is True
    assert json.loads(store_path.read_text())["connectors"][0]["active"] is True
    assert (await api("GET", "connectors", cid)).json["active"] is True

    refused = await api("DELETE", "connectors", cid)
    assert refused.code == 409
    assert refused.json == {
        "message": "Connector 'demo' is active: deactivate it before deleting it."
    }
    assert (await api("GET", "connectors", cid)).code == 200

    deactivated = await api("POST", "connectors", cid, "deactivate")
    assert deactivated.json["active"] is False
    assert (await api("POST", "connectors", cid, "deactivate")).json["active"] is False
    assert json.loads(store_path.read_text())["connectors"][0]["active"] is False
    assert (await api("DELETE", "connectors", cid)).code == 204


async def test_connection_test_ok(api, moto_endpoint):
    created = await create(api, endpoint=moto_endpoint, prefix="data")
    response = await api("POST", "connectors", created["id"], "test")
    assert response.code == 200
    assert response.json == {
        "ok": True,
        "code": "ok",
        "message": f"Connected to bucket '{DEMO_BUCKET}'.",
    }


async def test_connection_test_no_such_bucket(api, moto_endpoint):
    created = await create(api, endpoint=moto_endpoint, bucket="no-such-bucket-here")
    response = await api("POST", "connectors", created["id"], "test")
    assert response.code == 200
    assert response.json["ok"] is False
    assert response.json["code"] == "no_such_bucket"
    assert "Check the bucket name" in response.json["message"]


async def test_connection_test_unreachable(api):
    port = free_port()  # bound then closed: nothing listens there
    created = await create(api, endpoint=f"http://127.0.0.1:{port}")
    response = await api("POST", "connectors", created["id"], "test")
    assert response.code == 200
    assert response.json["ok"] is False
    assert response.json["code"] == "unreachable"
    assert "Check the endpoint URL and that the service is running" in response.json["message"]


async def test_patch_without_secret_keeps_it(api, moto_endpoint, store_path):
    created = await create(api, endpoint=moto_endpoint)
    token = json.loads(store_path.read_text())["connectors"][0]["secret"]
    for body in ({"description": "no secret"}, {"secret_access_key": ""}):
        response = await api("PATCH", "connectors", created["id"], body=body)
        assert response.code == 200, response
        assert response.json["has_secret"] is True
    assert json.loads(store_path.read_text())["connectors"][0]["secret"] == token
    check = await api("POST", "connectors", created["id"], "test")
    assert check.json["code"] == "ok"


async def test_corrupt_store_is_500_and_left_untouched(api, store_path):
    store_path.parent.mkdir(mode=0o700)
    garbage = b'{"version": 1, "connectors": [ {"id": trunc'
    store_path.write_bytes(garbage)
    for method, path, body in [
        ("GET", ("connectors",), None),
        ("POST", ("connectors",), connector_body()),
        ("PATCH", ("connectors", "x"), {"description": "y"}),
        ("DELETE", ("connectors", "x"), None),
    ]:
        response = await api(method, *path, body=body)
        assert response.code == 500, response
        assert str(store_path) in response.json["message"]
        assert "left untouched" in response.json["message"]
    assert store_path.read_bytes() == garbage


async def test_missing_key_file_is_500_and_store_unchanged(api, store_path, key_path):
    created = await create(api)
    before = store_path.read_bytes()
    key_path.unlink()
    for method, path, body in [
        ("POST", ("connectors", created["id"], "test"), None),
        ("POST", ("connectors",), connector_body(name="second")),
        ("PATCH", ("connectors", created["id"]), {"secret_access_key": "new-secret"}),
    ]:
        response = await api(method, *path, body=body)
        assert response.code == 500, response
        assert str(key_path) in response.json["message"]
        assert "missing" in response.json["message"]
    assert store_path.read_bytes() == before
    assert not key_path.exists()
    # listing does not need the key
    assert (await api("GET", "connectors")).code == 200


async def test_unsupported_method_is_json(api):
    response = await api("PUT", "connectors", body="{}")
    assert response.code == 405
    assert response.json["message"]


class TestDirectBackendDisabled:
    @pytest.fixture
    def extension_config(self):
        return {"allow_direct_backend": False, "default_region": "eu-west-3"}

    async def test_direct_backend_is_refused(self, api):
        info = await api("GET", "info")
        assert info.json["allow_direct_backend"] is False
        assert info.json["default_region"] == "eu-west-3"
        response = await api("POST", "connectors", body=connector_body(backend="direct"))
        assert response.code == 400
        assert list(response.json["errors"]) == ["backend"]
        created = await create(api, region="")
        assert created["region"] == "eu-west-3"
        patched = await api("PATCH", "connectors", created["id"], body={"backend": "direct"})
        assert patched.code == 400
        assert list(patched.json["errors"]) == ["backend"]


def _table_cases() -> list[dict]:
    """The invalid new-connector cases of the shared validation table; lone surrogates
    (`*.unicode`) are refused before the validator, by the check of the request body."""
    from .test_validation import TABLE

    return [
        case
        for case in TABLE["cases"]
        if case["code"]
        and not case["code"].endswith(".unicode")
        and case.get("isNew", True)
        and case.get("allowDirect", True)
        and not case.get("unavailable")  # this machine's tools decide (test_mounts.py)
    ]


@pytest.mark.parametrize("case", _table_cases(), ids=lambda case: case["code"])
async def test_400_answers_carry_the_tables_code(api, case):
    """The REST answer names each invalid field's stable code, the one the frontend
    translates; the same table checks both validators."""
    from .test_validation import TABLE, _value

    body = {**TABLE["base"], **case.get("with", {}), case["field"]: _value(case["value"])}
    response = await api("POST", "connectors", body=body)
    assert response.code == 400, response
    assert response.json["codes"] == {case["field"]: case["code"]}
    assert list(response.json["errors"]) == [case["field"]]
