"""Fixtures: a moto S3 server on 127.0.0.1, a Jupyter server with the extension enabled."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from moto.server import ThreadedMotoServer

DEMO_BUCKET = "demo-bucket"
SECRET = "s3cr3t-Very-Distinctive-9f8e7d6c"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Any:
    """URL of a moto S3 server (real S3 wire protocol) with a seeded bucket."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="seed",
        aws_secret_access_key="seed",
    )
    client.create_bucket(Bucket=DEMO_BUCKET)
    client.put_object(Bucket=DEMO_BUCKET, Key="data/hello.txt", Body=b"hello")
    yield endpoint
    server.stop()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "s3_connectors"


@pytest.fixture
def store_path(store_dir: Path) -> Path:
    return store_dir / "connectors.json"


@pytest.fixture
def key_path(store_dir: Path) -> Path:
    return store_dir / "connectors.key"


@pytest.fixture
def extension_config() -> dict[str, Any]:
    """Extra S3ConnectorsApp traitlets for a test (override in a test module)."""
    return {}


@pytest.fixture
def server_app_config() -> dict[str, Any]:
    """Extra ServerApp traitlets for a test (override in a test module or class)."""
    return {}


@pytest.fixture
def jp_server_config(
    store_path: Path,
    key_path: Path,
    extension_config: dict[str, Any],
    server_app_config: dict[str, Any],
):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_s3_connectors": True},
            **server_app_config,
        },
        "S3ConnectorsApp": {
            "store_path": str(store_path),
            "key_path": str(key_path),
            "connection_timeout": 5.0,
            **extension_config,
        },
    }


class NamedUserIdentityProvider(IdentityProvider):
    """Token requests are made by 'alice' (the default provider makes up anonymous users)."""

    async def get_user_token(self, handler: Any) -> User | None:
        user = await super().get_user_token(handler)
        if user is None:
            return None
        return User(username="alice", name="Alice Liddell")


class ApiResponse:
    def __init__(self, code: int, body: bytes, headers: Any):
        self.code = code
        self.raw = body.decode("utf-8")
        self.headers = headers
        self.json: Any = json.loads(self.raw) if self.raw else None

    def __repr__(self) -> str:
        return f"<ApiResponse {self.code} {self.raw[:300]}>"


@pytest.fixture
def api(jp_fetch) -> Callable[..., Any]:
    """Call the REST API (token-authenticated); every raw body is kept in ``api.bodies``."""
    bodies: list[str] = []

    async def call(method: str, *path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        if body is None and method in ("POST", "PATCH", "PUT"):
            body = b""
        response = await jp_fetch(
            "s3-connectors", "api", *path, method=method, body=body, raise_error=False, **kwargs
        )
        result = ApiResponse(response.code, response.body or b"", response.headers)
        bodies.append(result.raw)
        return result

    call.bodies = bodies  # type: ignore[attr-defined]
    return call


def connector_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "demo",
        "description": "The demo bucket",
        "endpoint": "http://127.0.0.1:9",
        "bucket": DEMO_BUCKET,
        "prefix": "",
        "access_key_id": "AKIDEXAMPLE",
        "secret_access_key": SECRET,
        "mode": "read-write",
        "backend": "proxy",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}
