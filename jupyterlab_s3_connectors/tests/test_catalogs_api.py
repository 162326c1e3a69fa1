"""Two users' Jupyter servers share a catalog; admin connectors; the server's own credentials.

Alice's server is pytest-jupyter's; Bob's is a second, real ``jupyter server`` process with
its own HOME and data directory. Both read the same catalog directory and its key file.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet
from tornado.httpclient import AsyncHTTPClient

from .conftest import DEMO_BUCKET, SECRET, LocalServer, connector_body, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog_dirs(tmp_path: Path) -> dict[str, Path]:
    team = tmp_path / "catalogs" / "team"
    team.mkdir(parents=True)
    admin = tmp_path / "catalogs" / "admin"
    admin.mkdir(parents=True)
    key = tmp_path / "catalogs" / "team.key"
    key.write_bytes(Fernet.generate_key() + b"\n")
    key.chmod(0o640)
    return {"team": team, "admin": admin, "key": key}


def catalogs_config(dirs: dict[str, Path]) -> list[dict[str, Any]]:
    return [
        {"name": "team", "directory": str(dirs["team"]), "keys": [f"file:{dirs['key']}"]},
        {"name": "admin", "directory": str(dirs["admin"]), "read_only": True, "title": "IT"},
    ]


@pytest.fixture
def extension_config(catalog_dirs) -> dict[str, Any]:
    return {"catalogs": catalogs_config(catalog_dirs)}


class OtherServer:
    """Bob: a ``jupyter server`` process with its own HOME, store and token."""

    def __init__(self, home: Path, catalogs: list[dict[str, Any]], env: dict[str, str]):
        self.port = free_port()
        self.token = Fernet.generate_key().decode()[:32]
        home.mkdir(parents=True)
        config = {
            "ServerApp": {
                "port": self.port,
                "ip": "127.0.0.1",
                "open_browser": False,
                "allow_root": True,
                "root_dir": str(home),
                "jpserver_extensions": {"jupyterlab_s3_connectors": True},
            },
            "IdentityProvider": {"token": self.token},
            "S3ConnectorsApp": {"catalogs": catalogs},
        }
        (home / "jupyter_server_config.json").write_text(json.dumps(config))
        self.log = open(home / "server.log", "wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                f"--config={home / 'jupyter_server_config.json'}",
            ],
            env={
                **env,
                "HOME": str(home),
                "JUPYTER_DATA_DIR": str(home / "data"),
                "JUPYTER_CONFIG_DIR": str(home / "config"),
                "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                "PYTHONPATH": str(REPO_ROOT),
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    async def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            answer = await self.fetch("GET", "s3-connectors/api/info")
            if answer[0] == 200:
                return
            await asyncio.sleep(0.2)
        self.stop()
        raise AssertionError("Bob's server did not start: " + Path(self.log.name).read_text())

    async def fetch(self, method: str, path: str, body: Any = None) -> tuple[int, Any, bytes]:
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        if body is None and method in ("POST", "PATCH", "PUT"):
            body = b""
        try:
            response = await AsyncHTTPClient().fetch(
                f"{self.base}/{path}",
                method=method,
                body=body,
                headers={"Authorization": f"token {self.token}"},
                raise_error=False,
                allow_nonstandard_methods=True,
            )
        except ConnectionError:
            return 0, None, b""
        raw = response.body or b""
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        return response.code, data, raw

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest_asyncio.fixture
async def bob(tmp_path, catalog_dirs) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "AWS_"))}
    server = OtherServer(tmp_path / "bob", catalogs_config(catalog_dirs), env)
    await server.wait()
    yield server
    server.stop()


async def test_two_users_share_a_connector_through_a_catalog(
    api, bob, catalog_dirs, moto_endpoint, jp_serverapp
):
    created = await api(
        "POST", "connectors", body=connector_body(endpoint=moto_endpoint, name="shared")
    )
    assert created.code == 201, created
    own_id = created.json["id"]

    published = await api("POST", "connectors", own_id, "publish", body={"catalog": "team"})
    assert published.code == 201, published
    published_id = published.json["id"]
    assert published_id == f"team.{own_id}"
    alice = created.json["creator"]
    assert published.json["published_by"] == alice
    path = catalog_dirs["team"] / f"{own_id}.json"
    assert SECRET not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640

    # Bob sees it, with who published it, and may not unpublish it.
    code, listing, _ = await bob.fetch("GET", "s3-connectors/api/catalogs")
    assert code == 200
    team = next(c for c in listing["catalogs"] if c["name"] == "team")
    [shown] = team["connectors"]
    assert (shown["id"], shown["name"], shown["published_by"]) == (
        published_id,
        "shared",
        alice,
    )
    assert shown["can_unpublish"] is False and shown["editable"] is False
    assert team["cannot_publish"] is None  # Bob's server can write the directory too

    # Bob activates it (his state only) and reads the bucket through his own proxy.
    code, activated, _ = await bob.fetch(
        "POST", f"s3-connectors/api/connectors/{published_id}/activate"
    )
    assert code == 200 and activated["active"] is True
    assert (await api("GET", "connectors", published_id)).json["active"] is False
    code, _, body = await bob.fetch(
        "GET", f"s3-connectors/proxy/{published_id}/{DEMO_BUCKET}/data/hello.txt"
    )
    assert (code, body) == (200, b"hello")

    # ...but can't edit it, delete it, unpublish it or read its secret.
    for method, path_, body_ in [
        ("PATCH", f"connectors/{published_id}", {"description": "mine now"}),
        ("DELETE", f"connectors/{published_id}", None),
        ("GET", f"connectors/{published_id}/credentials", None),
        ("POST", f"connectors/{published_id}/unpublish", {"catalog": "team"}),
        ("POST", f"connectors/{own_id}/unpublish", {"catalog": "team"}),
    ]:
        code, answer, raw = await bob.fetch(method, f"s3-connectors/api/{path_}", body_)
        assert code in (403, 404), (method, path_, code, answer)
        assert SECRET.encode() not in raw
    assert path.exists()

    # Alice can't delete her connector while it is published.
    refused = await api("DELETE", "connectors", own_id)
    assert refused.code == 409
    assert "'team'" in refused.json["message"] and "unpublish" in refused.json["message"]

    # Unpublishing removes it from both servers.
    assert (
        await api("POST", "connectors", own_id, "unpublish", body={"catalog": "team"})
    ).code == 204
    assert not path.exists()
    code, listing, _ = await bob.fetch("GET", "s3-connectors/api/catalogs")
    assert next(c for c in listing["catalogs"] if c["name"] == "team")["connectors"] == []
    code, _, _ = await bob.fetch(
        "GET", f"s3-connectors/proxy/{published_id}/{DEMO_BUCKET}/data/hello.txt"
    )
    assert code == 404
    assert (await api("DELETE", "connectors", own_id)).code == 204


async def test_editing_and_publishing_again_updates_the_copy(api, bob, moto_endpoint):
    created = await api("POST", "connectors", body=connector_body(endpoint=moto_endpoint))
    own_id = created.json["id"]
    await api("POST", "connectors", own_id, "publish", body={"catalog": "team"})
    await api("PATCH", "connectors", own_id, body={"description": "Now with docs"})
    again = await api("POST", "connectors", own_id, "publish", body={"catalog": "team"})
    assert again.code == 201
    code, shown, _ = await bob.fetch("GET", f"s3-connectors/api/connectors/team.{own_id}")
    assert code == 200 and shown["description"] == "Now with docs"


async def test_publish_refusals_are_clear(api, catalog_dirs, moto_endpoint):
    created = await api("POST", "connectors", body=connector_body(endpoint=moto_endpoint))
    own_id = created.json["id"]
    admin = await api("POST", "connectors", own_id, "publish", body={"catalog": "admin"})
    assert admin.code == 403 and "administrator" in admin.json["message"]
    unknown = await api("POST", "connectors", own_id, "publish", body={"catalog": "nope"})
    assert unknown.code == 404 and "'nope'" in unknown.json["message"]
    empty = await api("POST", "connectors", own_id, "publish", body={})
    assert empty.code == 400 and "catalog" in empty.json["errors"]


def write_admin_file(directory: Path, name: str, **fields: Any) -> None:
    path = directory / f"{name}.json"
    body = {k: v for k, v in connector_body(name=name).items() if k != "secret_access_key"}
    body.update(fields)
    path.write_text(json.dumps({k: v for k, v in body.items() if v is not None}))
    path.chmod(0o640)


async def test_admin_connectors_with_their_secret_from_env_and_file(
    api, proxy, catalog_dirs, moto_endpoint, tmp_path, monkeypatch
):
    secret_file = tmp_path / "team-secret"
    secret_file.write_text(SECRET + "\n")
    write_admin_file(
        catalog_dirs["admin"], "from-env", endpoint=moto_endpoint, secret_access_key_env="TEAM_KEY"
    )
    write_admin_file(
        catalog_dirs["admin"],
        "from-file",
        endpoint=moto_endpoint,
        secret_access_key_file=str(secret_file),
    )
    monkeypatch.setenv("TEAM_KEY", SECRET)
    listing = await api("GET", "catalogs")
    admin = next(c for c in listing.json["catalogs"] if c["name"] == "admin")
    assert admin["title"] == "IT" and admin["problems"] == []
    assert [c["id"] for c in admin["connectors"]] == ["admin.from-env", "admin.from-file"]
    assert SECRET not in listing.raw
    for connector_id in ("admin.from-env", "admin.from-file"):
        assert (await api("POST", "connectors", connector_id, "activate")).code == 200
        read = await proxy.fetch(connector_id, f"/{DEMO_BUCKET}/data/hello.txt")
        assert (read.code, read.body) == (200, b"hello")
        tested = await api("POST", "connectors", connector_id, "test")
        assert tested.json["ok"] is True, tested
    monkeypatch.delenv("TEAM_KEY")
    refused = await proxy.fetch("admin.from-env", f"/{DEMO_BUCKET}/data/hello.txt")
    assert refused.code == 500 and b"TEAM_KEY" in refused.body


def signing_key(request: dict[str, Any]) -> str:
    authorization = request["headers"]["authorization"]
    return authorization.split("Credential=")[1].split("/")[0]


class ContainerCredentials:
    """A container-credentials endpoint on 127.0.0.1 whose credentials expire in 5 minutes.

    botocore renews credentials that expire within 10 minutes before each use, so every
    request is signed with a new key: the renewal is seen, not waited for.
    """

    def __init__(self) -> None:
        self.served: list[str] = []
        served = self.served

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                key = f"ASIACONTAINER{len(served):04d}"
                served.append(key)
                expires = datetime.now(timezone.utc) + timedelta(minutes=5)
                payload = json.dumps(
                    {
                        "AccessKeyId": key,
                        "SecretAccessKey": f"container-secret-{len(served)}",
                        "Token": f"container-token-{len(served)}",
                        "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = LocalServer(Handler)
        self.url = f"{self.server.endpoint}/credentials"

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def no_aws_environment(monkeypatch, tmp_path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield


@pytest.mark.parametrize("source", ["environment", "profile", "container"])
async def test_server_credentials(
    source,
    api,
    proxy,
    jp_serverapp,
    catalog_dirs,
    recording_s3,
    moto_endpoint,
    tmp_path,
    monkeypatch,
    no_aws_environment,
):
    container = None
    if source == "environment":
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASERVERENV")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-env-secret")
    elif source == "profile":
        credentials = tmp_path / "aws-credentials"
        credentials.write_text(
            "[team]\naws_access_key_id = AKIASERVERPROFILE\n"
            "aws_secret_access_key = server-profile-secret\n"
        )
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
        monkeypatch.setenv("AWS_PROFILE", "team")
    else:
        container = ContainerCredentials()
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url)
    try:
        write_admin_file(
            catalog_dirs["admin"],
            "recorded",
            endpoint=recording_s3.endpoint,
            credentials="server",
            access_key_id=None,
        )
        write_admin_file(
            catalog_dirs["admin"],
            "real",
            endpoint=moto_endpoint,
            credentials="server",
            access_key_id=None,
        )
        for connector_id in ("admin.recorded", "admin.real"):
            assert (await api("POST", "connectors", connector_id, "activate")).code == 200
        real = await proxy.fetch("admin.real", f"/{DEMO_BUCKET}/data/hello.txt")
        assert (real.code, real.body) == (200, b"hello")
        for _ in range(2):
            answer = await proxy.fetch("admin.recorded", f"/{DEMO_BUCKET}/data/hello.txt")
            assert answer.code == 200
        keys = [signing_key(r) for r in recording_s3.requests]
        if source == "environment":
            assert keys == ["AKIASERVERENV"] * 2
        elif source == "profile":
            assert keys == ["AKIASERVERPROFILE"] * 2
        else:
            assert container is not None
            # Renewed before each use: each request was signed with the newest key.
            assert len(set(keys)) == 2 and all(k in container.served for k in keys)
            assert all("x-amz-security-token" in r["headers"] for r in recording_s3.requests)
            tokens = {r["headers"]["x-amz-security-token"] for r in recording_s3.requests}
            assert len(tokens) == 2
    finally:
        if container is not None:
            container.close()


async def test_server_credentials_missing_is_a_clear_error(
    api, proxy, catalog_dirs, moto_endpoint, no_aws_environment
):
    write_admin_file(
        catalog_dirs["admin"],
        "nokey",
        endpoint=moto_endpoint,
        credentials="server",
        access_key_id=None,
    )
    await api("POST", "connectors", "admin.nokey", "activate")
    answer = await proxy.fetch("admin.nokey", f"/{DEMO_BUCKET}/data/hello.txt")
    assert answer.code == 500
    assert b"no AWS credentials of its own" in answer.body


def test_catalog_setting_errors_stop_nothing_but_name_the_entry(tmp_path):
    from jupyterlab_s3_connectors.app import S3ConnectorsApp

    app = S3ConnectorsApp()
    with pytest.raises(Exception, match=r"catalogs\[0\]"):
        app.catalogs = [{"name": "Bad Name", "directory": str(tmp_path), "keys": ["x"]}]


async def test_own_connector_with_the_server_credentials(
    api, proxy, recording_s3, monkeypatch, no_aws_environment
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASERVEROWN")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-own-secret")
    body = connector_body(endpoint=recording_s3.endpoint, credentials="server")
    del body["secret_access_key"]
    body["access_key_id"] = ""
    created = await api("POST", "connectors", body=body)
    assert created.code == 201, created
    assert created.json["credentials"] == "server"
    assert created.json["has_secret"] is False
    connector_id = created.json["id"]
    assert (await api("POST", "connectors", connector_id, "activate")).code == 200
    answer = await proxy.fetch(connector_id, f"/{DEMO_BUCKET}/data/hello.txt")
    assert answer.code == 200
    assert [signing_key(r) for r in recording_s3.requests] == ["AKIASERVEROWN"]

    # The browser would need the server's key: direct is refused, and so is a mount.
    for backend in ("direct", "s3fs"):
        refused = await api(
            "POST", "connectors", body={**body, "name": f"srv-{backend}", "backend": backend}
        )
        assert refused.code == 400, refused
        assert refused.json["codes"] == {"credentials": "credentials.backend"}
    changed = await api("PATCH", "connectors", connector_id, body={"backend": "direct"})
    assert changed.code == 400, changed
    # Publishing shares the connector, not the server's key: each member's server uses its own.
    published = await api("POST", "connectors", connector_id, "publish", body={"catalog": "team"})
    assert published.code == 201, published
    assert published.json["secret_source"] == "server"
    assert b"server-own-secret" not in json.dumps(published.json).encode()


def test_kernels_resolve_published_connectors(tmp_path, catalog_dirs, moto_endpoint, monkeypatch):
    """A kernel finds a published connector that its user activated, by name."""
    from jupyterlab_s3_connectors.catalogs import Catalog, parse_catalogs
    from jupyterlab_s3_connectors.crypto import KeyProvider
    from jupyterlab_s3_connectors.kernel import resolve as kernel_resolve
    from jupyterlab_s3_connectors.locations import KernelEnvironment
    from jupyterlab_s3_connectors.registry import ConnectorRegistry
    from jupyterlab_s3_connectors.store import ConnectorStore
    from jupyterlab_s3_connectors.validation import validate_new_connector

    catalogs = catalogs_config(catalog_dirs)
    alice_store = ConnectorStore(
        str(tmp_path / "alice" / "connectors.json"), KeyProvider(str(tmp_path / "alice" / "k"))
    )
    fields, secret = validate_new_connector(
        connector_body(endpoint=moto_endpoint, name="team-data"), default_region="us-east-1"
    )
    own = alice_store.create(fields, secret, "alice")
    alice = ConnectorRegistry(alice_store, [Catalog(s) for s in parse_catalogs(catalogs)])
    published = alice.publish(own.id, "team", "alice")

    bob_dir = tmp_path / "bob"
    bob_store = ConnectorStore(str(bob_dir / "connectors.json"), KeyProvider(str(bob_dir / "k")))
    bob = ConnectorRegistry(bob_store, [Catalog(s) for s in parse_catalogs(catalogs)])
    bob.set_active(published.id, True)

    environment = KernelEnvironment()
    try:
        environment.export(
            store_path=bob_store.path,
            key_path=str(bob_dir / "k"),
            encryption_keys=[],
            default_region="us-east-1",
            runtime_dir=str(tmp_path / "runtime"),
            catalogs=catalogs,
        )
        kernel_resolve._resolvers.clear()
        resolved = kernel_resolve.resolve("team-data")
        assert resolved.connector.id == published.id
        assert resolved.credentials.secret_access_key == SECRET
        from jupyterlab_s3_connectors import connector

        assert connector("team-data").fs.cat("data/hello.txt") == b"hello"
    finally:
        environment.restore()
        kernel_resolve._resolvers.clear()
