"""Timeouts and framing of the proxy: idle timeout, request framing, early upstream errors."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

import pytest

from .conftest import DEMO_BUCKET
from .test_proxy_security import assert_s3_error


class ScriptedEndpoint:
    """A raw TCP endpoint; ``script(connection, head)`` answers each request's head."""

    def __init__(self, script: Callable[[socket.socket, bytes], None]):
        self.script = script
        self.heads: list[bytes] = []
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.endpoint = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                data = connection.recv(65536)
                if not data:
                    return
                head += data
            self.heads.append(head)
            try:
                self.script(connection, head)
            except OSError:
                pass

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def scripted():
    endpoints: list[ScriptedEndpoint] = []

    def make(script: Callable[[socket.socket, bytes], None]) -> ScriptedEndpoint:
        endpoint = ScriptedEndpoint(script)
        endpoints.append(endpoint)
        return endpoint

    yield make
    for endpoint in endpoints:
        endpoint.close()


class TestIdleTimeout:
    @pytest.fixture
    def extension_config(self):
        return {"connection_timeout": 0.5}

    async def test_a_stalled_endpoint_is_a_504_after_the_idle_timeout(
        self, proxy, make_connector, scripted
    ):
        def stall(connection: socket.socket, head: bytes) -> None:
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")
            time.sleep(3)

        endpoint = scripted(stall)
        connector = await make_connector(endpoint=endpoint.endpoint)
        started = time.monotonic()
        with pytest.raises(Exception):  # noqa: B017 - the answer had started: cut
            await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt")
        assert time.monotonic() - started < 2.5

        silent = scripted(lambda connection, head: time.sleep(3))
        connector = await make_connector(endpoint=silent.endpoint)
        started = time.monotonic()
        answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt")
        body = assert_s3_error(answer, 504, "EndpointTimeout")
        assert time.monotonic() - started < 2.5
        assert "nothing moved for 0.5 s" in body

    async def test_a_long_moving_download_takes_as_long_as_it_needs(
        self, proxy, make_connector, scripted
    ):
        def trickle(connection: socket.socket, head: bytes) -> None:
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n")
            for byte in b"01234567":
                time.sleep(0.2)  # 1.6 s in all, never 0.5 s without a byte
                connection.sendall(bytes([byte]))

        endpoint = scripted(trickle)
        connector = await make_connector(endpoint=endpoint.endpoint)
        answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt")
        assert answer.code == 200
        assert answer.body == b"01234567"


async def _raw_request(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    try:
        answer = await asyncio.wait_for(reader.read(65536), 5)
    finally:
        writer.close()
    return answer


async def test_content_length_with_transfer_encoding_is_refused_before_upstream(
    proxy, make_connector, recording_s3, jp_http_port
):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    path = f"{proxy.root(connector['id'])}/{DEMO_BUCKET}/smuggled.txt"
    answer = await _raw_request(
        jp_http_port,
        (
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {proxy.token}\r\n"
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        ).encode(),
    )
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert b"Transfer-Encoding" in answer
    await asyncio.sleep(0.2)
    assert recording_s3.requests == []


@pytest.mark.parametrize("length", ["\xb2", "1\xa0", "+5", "0x5", "5 5"])
async def test_a_strange_content_length_is_a_400(
    proxy, make_connector, recording_s3, jp_http_port, length
):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    path = f"{proxy.root(connector['id'])}/{DEMO_BUCKET}/odd.txt"
    answer = await _raw_request(
        jp_http_port,
        (
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {proxy.token}\r\n"
            f"Content-Length: {length}\r\n\r\nhello"
        ).encode("latin-1"),
    )
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert recording_s3.requests == []


async def test_an_early_upstream_error_reaches_the_browser(proxy, make_connector, scripted):
    error = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>'
        b"<Message>The specified upload does not exist.</Message></Error>"
    )

    def refuse_before_the_body(connection: socket.socket, head: bytes) -> None:
        # Like S3 with a bad upload ID: answer at once and close, reading no body.
        connection.sendall(
            b"HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nConnection: close\r\n"
            + f"Content-Length: {len(error)}\r\n\r\n".encode()
            + error
        )

    endpoint = scripted(refuse_before_the_body)
    connector = await make_connector(endpoint=endpoint.endpoint)
    answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/big.bin", "PUT", b"x" * 8_000_000)
    body = assert_s3_error(answer, 404, "NoSuchUpload")
    assert "The specified upload does not exist." in body
    assert b"expect: 100-continue" in endpoint.heads[0].lower()


async def test_an_endpoint_without_100_continue_still_gets_the_body(
    proxy, make_connector, scripted
):
    received: list[int] = []

    def ignore_expect(connection: socket.socket, head: bytes) -> None:
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
        )
        body = head.split(b"\r\n\r\n", 1)[1]
        while len(body) < length:
            body += connection.recv(1 << 20)
        received.append(len(body))
        connection.sendall(b'HTTP/1.1 200 OK\r\nETag: "e"\r\nContent-Length: 0\r\n\r\n')

    endpoint = scripted(ignore_expect)
    connector = await make_connector(endpoint=endpoint.endpoint)
    answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/big.bin", "PUT", b"x" * 2_000_000)
    assert answer.code == 200, answer.body
    assert received == [2_000_000]


async def test_a_refused_upload_is_read_before_the_answer(
    proxy, make_connector, recording_s3, jp_http_port
):
    # Refused before anything goes upstream (an upload ID the proxy did not start): the
    # client can send the whole part and then read the S3 error; the connection is not
    # closed under it while it sends (which a browser reports as a reset).
    connector = await make_connector(endpoint=recording_s3.endpoint, prefix="folder/")
    path = f"{proxy.root(connector['id'])}/{DEMO_BUCKET}/folder/x?partNumber=1&uploadId=nope"
    size, chunk = 8_000_000, b"x" * 500_000
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    writer.write(
        f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {proxy.token}\r\n"
        f"Content-Length: {size}\r\n\r\n".encode()
    )
    for _ in range(size // len(chunk)):
        await asyncio.sleep(0.01)
        writer.write(chunk)
        await writer.drain()  # raises ConnectionResetError if the proxy closed on us
    answer = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 403 "), answer[:200]
    assert b"<Code>AccessDenied</Code>" in answer
    assert b"upload ID was not started" in answer
