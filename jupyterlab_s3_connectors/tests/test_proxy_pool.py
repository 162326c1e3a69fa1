"""The proxy's keep-alive connections to the endpoint, and the store's read caches.

The endpoints here are real HTTP/1.1 servers that keep connections open (moto's server
closes every connection, so it cannot show reuse): ``RecordingS3`` from conftest, reached
through :class:`CountingForwarder`, a TCP forwarder in the test's event loop that counts
the connections the proxy opens and can close them the way an endpoint does.
"""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tornado.httpclient import HTTPRequest
from tornado.iostream import IOStream, StreamClosedError
from tornado.simple_httpclient import HTTPStreamClosedError
from tornado.tcpclient import TCPClient

from ..crypto import KeyProvider, SecretCipher
from ..handlers.pool import UpstreamPool
from ..handlers.upstream import UpstreamClient
from ..store import ConnectorStore
from .conftest import DEMO_BUCKET, SECRET, free_port


class CountingForwarder:
    """Forwards TCP connections to ``target_port``; counts them, closes them on demand.

    ``refuse_reuse()`` makes every connection accepted so far close (unanswered) as soon as
    it carries another request: an endpoint that timed it out just as the proxy reused it.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.accepted = 0
        self._stale_below = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def refuse_reuse(self) -> None:
        self._stale_below = self.accepted

    def close_all(self) -> None:
        """Close every open connection from the endpoint's side."""
        for writer in self._writers:
            writer.close()

    async def stop(self) -> None:
        self.close_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = self.accepted
        self.accepted += 1
        self._writers.append(writer)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers.append(up_writer)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, check: bool) -> None:
            served = False
            try:
                while chunk := await src.read(65536):
                    if check and served and number < self._stale_below:
                        break  # the request after the last one served: drop the connection
                    dst.write(chunk)
                    await dst.drain()
                    served = True
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()
                up_writer.close()

        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))


class KeepAliveS3:
    """A tiny HTTP/1.1 server that keeps connections open; GET answers its stored object.

    An upload with ``Expect: 100-continue`` and an ``If-Match`` that does not match is
    refused before its body, and the body is then read and dropped, as some services do:
    a client that sent another request on that connection would see it swallowed.
    """

    def __init__(self, body: bytes) -> None:
        served = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def handle_expect_100(self) -> bool:
                if self.headers.get("If-Match", f'"{len(served.body)}"') == f'"{len(served.body)}"':
                    return super().handle_expect_100()
                self.send_response(412)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.wfile.flush()
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                return False

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received = self.rfile.read(length) if length else b""
                if self.command == "PUT":
                    served.body = received
                payload = b"" if self.command in ("PUT", "DELETE") else served.body
                self.send_response(204 if self.command == "DELETE" else 200)
                self.send_header("ETag", f'"{len(served.body)}"')
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_HEAD = do_PUT = do_DELETE = _handle

        self.body = body
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@asynccontextmanager
async def forwarded(port: int) -> AsyncIterator[CountingForwarder]:
    forwarder = CountingForwarder(port)
    await forwarder.start()
    try:
        yield forwarder
    finally:
        await forwarder.stop()


@pytest.fixture
def keep_alive_s3() -> Any:
    # larger than tornado's 64 KiB read: an answer cut after its first chunk leaves bytes
    server = KeepAliveS3(b"0123456789" * 100_000)
    yield server
    server.close()


@pytest.fixture
def upstream_pool(jp_serverapp) -> UpstreamPool:
    (app,) = jp_serverapp.extension_manager.extension_apps["jupyterlab_s3_connectors"]
    return app.upstream_pool


def recorded_port(recording_s3: Any) -> int:
    return int(recording_s3.endpoint.rsplit(":", 1)[1])


async def test_requests_reuse_one_upstream_connection(
    proxy, make_connector, keep_alive_s3, upstream_pool
):
    async with forwarded(keep_alive_s3.port) as forwarder:
        connector = await make_connector(endpoint=forwarder.endpoint)
        for _ in range(3):
            head = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt", method="HEAD")
            assert head.code == 200
            got = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")
            assert got.code == 200
            assert got.body == keep_alive_s3.body
        assert forwarder.accepted == 1
        assert upstream_pool.reuses == 5


async def test_streamed_upload_and_download_keep_the_connection(
    proxy, make_connector, keep_alive_s3
):
    # 3 MiB: streamed through the body pipe with "Expect: 100-continue"
    data = bytes(range(256)) * (3 * 4096)
    async with forwarded(keep_alive_s3.port) as forwarder:
        connector = await make_connector(endpoint=forwarder.endpoint)
        put = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/big.bin", "PUT", body=data)
        assert put.code == 200
        assert keep_alive_s3.body == data
        got = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/big.bin")
        assert got.code == 200
        assert got.body == data
        again = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/big.bin", "PUT", body=b"x")
        assert again.code == 200
        assert keep_alive_s3.body == b"x"
        assert forwarder.accepted == 1


async def test_an_upload_refused_before_its_body_does_not_leave_its_connection(
    proxy, make_connector, keep_alive_s3, upstream_pool
):
    data = b"u" * (2 * 1024 * 1024)  # large enough to ask for "100 Continue"
    async with forwarded(keep_alive_s3.port) as forwarder:
        connector = await make_connector(endpoint=forwarder.endpoint)
        refused = await proxy.fetch(
            connector["id"],
            f"/{DEMO_BUCKET}/a.txt",
            "PUT",
            body=data,
            headers={"If-Match": '"not-the-etag"'},
        )
        assert refused.code == 412
        assert keep_alive_s3.body != data
        assert upstream_pool.idle_count() == 0
        # A reused connection would have its next request read as the refused body.
        got = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")
        assert got.code == 200
        assert got.body == keep_alive_s3.body
        assert forwarder.accepted == 2


async def test_a_connection_the_endpoint_dropped_is_retried_once_on_a_new_one(
    proxy, make_connector, keep_alive_s3, upstream_pool
):
    async with forwarded(keep_alive_s3.port) as forwarder:
        connector = await make_connector(endpoint=forwarder.endpoint)
        first = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")
        assert first.code == 200
        assert upstream_pool.idle_count() == 1
        # The endpoint drops the idle connection only once the next request arrives on it.
        forwarder.refuse_reuse()
        for method in ("GET", "HEAD", "DELETE"):
            answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt", method=method)
            assert answer.code in (200, 204), (method, answer.code)
        assert forwarder.accepted == 2


async def test_a_body_is_never_sent_twice_on_a_dropped_connection(
    proxy, make_connector, keep_alive_s3
):
    async with forwarded(keep_alive_s3.port) as forwarder:
        connector = await make_connector(endpoint=forwarder.endpoint)
        assert (await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")).code == 200
        forwarder.refuse_reuse()
        put = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt", "PUT", body=b"new")
        # Not retried by the proxy: the browser's SDK decides (it retries a 502).
        assert put.code == 502
        assert b"EndpointUnreachable" in put.body
        assert keep_alive_s3.body != b"new"
        assert forwarder.accepted == 1
        retried = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt", "PUT", body=b"new")
        assert retried.code == 200
        assert keep_alive_s3.body == b"new"


async def test_idle_connections_closed_by_the_endpoint_leave_the_pool(
    proxy, make_connector, keep_alive_s3, upstream_pool
):
    async with forwarded(keep_alive_s3.port) as forwarder:
        connector = await make_connector(endpoint=forwarder.endpoint)
        assert (await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")).code == 200
        assert upstream_pool.idle_count() == 1
        forwarder.close_all()
        # Whether the pool saw the close yet or not, the next request succeeds.
        answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")
        assert answer.code == 200
        assert answer.body == keep_alive_s3.body
        assert forwarder.accepted == 2


async def test_an_answer_read_only_in_part_never_leaves_its_connection_for_reuse(
    keep_alive_s3,
):
    pool = UpstreamPool()
    client = UpstreamClient(force_instance=True, pool=pool)
    try:
        async with forwarded(keep_alive_s3.port) as forwarder:
            url = f"{forwarder.endpoint}/{DEMO_BUCKET}/a.txt"

            def stop_after_first_chunk(chunk: bytes) -> None:
                raise RuntimeError("the reader went away")

            with pytest.raises(HTTPStreamClosedError):
                await client.fetch(HTTPRequest(url, streaming_callback=stop_after_first_chunk))
            assert pool.idle_count() == 0
            for _ in range(2):
                whole = await client.fetch(HTTPRequest(url), raise_error=False)
                assert whole.code == 200
                assert whole.body == keep_alive_s3.body  # no leftover of the cut answer
            assert forwarder.accepted == 2
            assert pool.reuses == 1
    finally:
        client.close()
        pool.close()


async def test_closing_the_pool_closes_its_idle_connections(keep_alive_s3):
    pool = UpstreamPool()
    client = UpstreamClient(force_instance=True, pool=pool)
    async with forwarded(keep_alive_s3.port) as forwarder:
        url = f"{forwarder.endpoint}/{DEMO_BUCKET}/a.txt"
        assert (await client.fetch(HTTPRequest(url))).code == 200
        assert pool.idle_count() == 1
        pool.close()
        assert pool.idle_count() == 0
        assert (await client.fetch(HTTPRequest(url))).code == 200  # a new one, then closed
        assert pool.idle_count() == 0
        assert forwarder.accepted == 2
    client.close()


async def test_an_edited_connector_is_used_by_the_next_request(
    proxy, make_connector, api, recording_s3, keep_alive_s3
):
    async with forwarded(recorded_port(recording_s3)) as first:
        connector = await make_connector(endpoint=first.endpoint, access_key_id="AKIDOLD")
        assert (await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")).code == 200
        old = recording_s3.requests[-1]["headers"]["authorization"]
        assert "Credential=AKIDOLD/" in old

        edited = await api(
            "PATCH",
            "connectors",
            connector["id"],
            body={"access_key_id": "AKIDNEW", "secret_access_key": "a-new-secret"},
        )
        assert edited.code == 200, edited
        assert (await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")).code == 200
        new = recording_s3.requests[-1]["headers"]["authorization"]
        assert "Credential=AKIDNEW/" in new
        assert new.rsplit("Signature=", 1)[1] != old.rsplit("Signature=", 1)[1]

        async with forwarded(keep_alive_s3.port) as second:
            moved = await api(
                "PATCH", "connectors", connector["id"], body={"endpoint": second.endpoint}
            )
            assert moved.code == 200, moved
            got = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")
            assert got.code == 200
            assert got.body == keep_alive_s3.body
            assert second.accepted == 1
        assert first.accepted == 1


# -- the store's caches ------------------------------------------------------------


def new_store(tmp_path: Any) -> ConnectorStore:
    keys = KeyProvider(str(tmp_path / "key"))
    return ConnectorStore(str(tmp_path / "connectors.json"), keys)


FIELDS = {
    "name": "demo",
    "description": "",
    "endpoint": "http://127.0.0.1:9",
    "region": "us-east-1",
    "bucket": DEMO_BUCKET,
    "prefix": "",
    "access_key_id": "AKIDEXAMPLE",
    "mode": "read-write",
    "backend": "proxy",
}


def count_decryptions(monkeypatch: Any) -> list[str]:
    calls: list[str] = []
    original = SecretCipher.decrypt

    def decrypt(self: SecretCipher, token: str) -> str:
        calls.append(token)
        return original(self, token)

    monkeypatch.setattr(SecretCipher, "decrypt", decrypt)
    return calls


def test_a_secret_is_decrypted_once_until_it_changes(tmp_path, monkeypatch):
    store = new_store(tmp_path)
    connector = store.create(FIELDS, SECRET, "alice")
    decryptions = count_decryptions(monkeypatch)
    for _ in range(3):
        assert store.credentials(connector.id).secret_access_key == SECRET
    assert len(decryptions) == 1

    # Another process (another store object on the same files) changes the secret.
    new_store(tmp_path).update(connector.id, {}, secret="the-second-secret")
    assert store.credentials(connector.id).secret_access_key == "the-second-secret"
    assert len(decryptions) == 2

    # Rotation re-encrypts under a new first key: the same secret, decrypted again.
    keys = store.keys.key_file_keys()
    from cryptography.fernet import Fernet

    store.keys.write_key_file([Fernet.generate_key(), *keys])
    assert new_store(tmp_path).rotate_secrets() == 1
    assert store.credentials(connector.id).secret_access_key == "the-second-secret"
    assert len(decryptions) == 3


def test_queries_see_every_write_at_once(tmp_path):
    store = new_store(tmp_path)
    other = new_store(tmp_path)
    connector = store.create(FIELDS, SECRET, "alice")
    assert store.get(connector.id).description == ""
    other.update(connector.id, {"description": "changed elsewhere"})
    assert store.get(connector.id).description == "changed elsewhere"
    # What a query returns is a copy: changing it changes nothing stored.
    store.get(connector.id).description = "scribbled"
    assert store.get(connector.id).description == "changed elsewhere"
    other.delete(connector.id)
    assert store.list_connectors() == []
    assert store._cache.remembered_secrets() == 0  # a deleted connector's is forgotten


def test_a_removed_key_file_is_noticed_despite_the_cache(tmp_path):
    from ..errors import StoreError

    store = new_store(tmp_path)
    connector = store.create(FIELDS, SECRET, "alice")
    assert store.credentials(connector.id).secret_access_key == SECRET
    (tmp_path / "key").unlink()
    with pytest.raises(StoreError) as missing:
        store.credentials(connector.id)
    assert SECRET not in str(missing.value)


def test_the_cached_lookup_answers_only_while_nothing_changed(tmp_path, monkeypatch):
    store = new_store(tmp_path)
    connector = store.create(FIELDS, SECRET, "alice")
    assert store.cached(connector.id) is None  # nothing read yet
    assert store.credentials(connector.id).secret_access_key == SECRET
    decryptions = count_decryptions(monkeypatch)
    found = store.cached(connector.id)
    assert found is not None
    assert found[0].endpoint == FIELDS["endpoint"]
    assert found[1].secret_access_key == SECRET
    assert store.cached("no-such-id") is None

    # Another process edits the connector: the cached answer is gone until read again.
    new_store(tmp_path).update(connector.id, {"endpoint": "http://127.0.0.1:10"}, "second")
    assert store.cached(connector.id) is None
    assert store.credentials(connector.id).secret_access_key == "second"
    found = store.cached(connector.id)
    assert found is not None
    assert (found[0].endpoint, found[1].secret_access_key) == ("http://127.0.0.1:10", "second")

    # The key file is replaced (same keys): looked at again, nothing decrypted again.
    store.keys.write_key_file(store.keys.key_file_keys())
    assert store.cached(connector.id) is None
    assert store.credentials(connector.id).secret_access_key == "second"
    assert store.cached(connector.id) is not None
    assert len(decryptions) == 1  # only the new secret's

    (tmp_path / "key").unlink()
    assert store.cached(connector.id) is None


# -- connecting to an IP address --------------------------------------------------


@pytest.fixture
def full_backlog() -> Any:
    """A port whose listen queue is full: a new connection to it never completes."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    queued = socket.create_connection(("127.0.0.1", port))  # fills the queue (never accepted)
    yield port
    queued.close()
    server.close()


async def test_an_ip_address_is_connected_without_the_tcp_client(monkeypatch):
    pool = UpstreamPool()
    tcp_connects: list[str] = []
    real_connect = TCPClient.connect

    async def counted(self: TCPClient, host: str, *args: Any, **kwargs: Any) -> IOStream:
        tcp_connects.append(host)
        return await real_connect(self, host, *args, **kwargs)

    monkeypatch.setattr(TCPClient, "connect", counted)
    server = socket.create_server(("127.0.0.1", 0), backlog=8)
    port = server.getsockname()[1]
    try:
        stream = await pool.connect("127.0.0.1", port, timeout=5)
        assert not stream.closed()
        stream.close()
        by_name = await pool.connect("localhost", port, socket.AF_INET, timeout=5)
        by_name.close()
        assert tcp_connects == ["localhost"]
        assert pool.opened == 2
    finally:
        pool.close()
        server.close()


async def test_a_refused_connection_fails_as_with_the_tcp_client():
    port = free_port()
    pool = UpstreamPool()
    try:
        with pytest.raises(StreamClosedError) as ours:
            await pool.connect("127.0.0.1", port, timeout=5)
        with pytest.raises(StreamClosedError) as tornados:
            await TCPClient().connect("127.0.0.1", port, timeout=5)
    finally:
        pool.close()
    assert isinstance(ours.value.real_error, ConnectionRefusedError)
    assert type(ours.value.real_error) is type(tornados.value.real_error)


async def test_a_connection_that_never_completes_times_out(full_backlog):
    pool = UpstreamPool()
    try:
        with pytest.raises(TimeoutError, match=r"Timeout while connecting to 127\.0\.0\.1"):
            await pool.connect("127.0.0.1", full_backlog, timeout=0.2)
        assert pool.opened == 0
    finally:
        pool.close()


class TestShortConnectionTimeout:
    @pytest.fixture
    def extension_config(self) -> dict[str, Any]:
        return {"connection_timeout": 0.5}

    async def test_the_proxy_answers_504_when_the_connection_never_completes(
        self, proxy, make_connector, full_backlog
    ):
        connector = await make_connector(endpoint=f"http://127.0.0.1:{full_backlog}")
        answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt")
        assert answer.code == 504
        assert b"<Code>EndpointTimeout</Code>" in answer.body
