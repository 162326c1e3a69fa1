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

from ..store import ConnectorStore

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


# -- S3 proxy ------------------------------------------------------------------------


class ProxyClient:
    """Talks to ``<base_url>s3-connectors/proxy/<id>`` as the browser does.

    ``s3(id)`` is a boto3 client whose endpoint is the proxy and whose SigV4
    ``Authorization`` header is replaced by Jupyter's token, like the frontend does;
    ``fetch`` sends raw requests (the path is used exactly as given).
    """

    def __init__(self, http_server_client: Any, base_url: str, token: str, port: int):
        self.http = http_server_client
        self.base_url = base_url
        self.token = token
        self.port = port

    def root(self, connector_id: str) -> str:
        return f"{self.base_url}s3-connectors/proxy/{connector_id}"

    def s3(self, connector_id: str, **config: Any) -> Any:
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}{self.root(connector_id)}",
            region_name="us-east-1",
            aws_access_key_id="dummy",
            aws_secret_access_key="dummy",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                **config,
            ),
        )

        def use_jupyter_token(request: Any, **_: Any) -> None:
            request.headers["Authorization"] = f"token {self.token}"

        client.meta.events.register_first("before-send.s3.*", use_jupyter_token)
        return client

    async def fetch(
        self,
        connector_id: str,
        rest: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        all_headers = {"Authorization": f"token {self.token}"} if auth else {}
        all_headers.update(headers or {})
        if body is None and method in ("PUT", "POST"):
            body = b""
        return await self.http.fetch(
            self.root(connector_id) + rest,
            method=method,
            body=body,
            headers=all_headers,
            raise_error=False,
            follow_redirects=False,
            allow_nonstandard_methods=True,
        )


@pytest.fixture
def proxy(http_server_client, jp_serverapp, jp_base_url, jp_http_port) -> ProxyClient:
    return ProxyClient(
        http_server_client, jp_base_url, jp_serverapp.identity_provider.token, jp_http_port
    )


@pytest.fixture
def server_store(jp_serverapp) -> ConnectorStore:
    """The store of the running server's extension (to set its clock, for example)."""
    (app,) = jp_serverapp.extension_manager.extension_apps["jupyterlab_s3_connectors"]
    return app.store


@pytest.fixture
def make_connector(api) -> Callable[..., Any]:
    """Create (and by default activate) a connector through the REST API; return it."""

    async def make(active: bool = True, **overrides: Any) -> dict[str, Any]:
        overrides.setdefault("name", f"c{len(api.bodies)}x")
        created = await api("POST", "connectors", body=connector_body(**overrides))
        assert created.code == 201, created
        if active:
            activated = await api("POST", "connectors", created.json["id"], "activate")
            assert activated.code == 200, activated
            return activated.json
        return created.json

    return make


@pytest.fixture
def moto_s3(moto_endpoint) -> Any:
    """A boto3 client talking to moto directly, to check what landed where."""
    return boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="seed",
        aws_secret_access_key="seed",
    )


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) serving ``handler`` until closed."""

    def __init__(self, handler: Any) -> None:
        import http.server
        import threading

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RecordingS3:
    """A tiny HTTP server on 127.0.0.1 that records each request and answers like S3."""

    def __init__(self) -> None:
        import http.server

        self.requests: list[dict[str, Any]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "header_names": [k.lower() for k in self.headers],
                        "body": body,
                    }
                )
                payload = b"recorded"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("ETag", '"abc"')
                self.send_header("Set-Cookie", "upstream=1")
                self.send_header("Location", "http://evil.example/")
                self.send_header("x-amz-meta-color", "blue")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _handle

        self.server = LocalServer(Handler)
        self.endpoint = self.server.endpoint

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def recording_s3() -> Any:
    server = RecordingS3()
    yield server
    server.close()


class DenyingS3:
    """An S3 endpoint on 127.0.0.1 that refuses every key, as S3 does an unknown one."""

    BODY = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>'
        b"<Message>The AWS Access Key Id you provided does not exist in our records."
        b"</Message></Error>"
    )

    def __init__(self) -> None:
        import http.server

        body = self.BODY

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(403)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _handle

        self.server = LocalServer(Handler)
        self.endpoint = self.server.endpoint

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def denying_s3() -> Any:
    server = DenyingS3()
    yield server.endpoint
    server.close()
