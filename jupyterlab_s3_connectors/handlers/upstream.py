"""The proxy's side of the connection to the endpoint: body pipe, idle timeout, early answers.

- :class:`BodyPipe` streams an upload to the endpoint as it arrives, through a bounded queue.
- :class:`IdleTimer` ends a request once no byte has moved, in either direction, for the
  connection timeout, however long a moving transfer takes.
- :class:`UpstreamClient` sends uploads with ``Expect: 100-continue``, so an endpoint that
  refuses an upload (wrong key, no such upload, precondition) says so before the body and
  the browser gets that S3 error rather than a reset connection. An endpoint that does not
  answer ``100 Continue`` within :data:`EXPECT_CONTINUE_WAIT` gets the body anyway, as curl
  does.

These hook into tornado's ``simple_httpclient`` connection (``_on_timeout``,
``_write_body``), which tornado 6 has had throughout.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tornado import httputil
from tornado.httpclient import HTTPRequest
from tornado.iostream import StreamClosedError
from tornado.simple_httpclient import SimpleAsyncHTTPClient, _HTTPConnection

from ..proxy_rules import UpstreamPlan, s3_quote, sign
from ..store import Connector, Credentials
from ..uploads import (
    MAX_LISTING_PAGES,
    MAX_XML_ANSWER,
    UploadRegistry,
    UploadsPage,
    list_uploads_query,
    parse_uploads_page,
)

#: Seconds to wait for ``100 Continue`` before sending the body regardless.
EXPECT_CONTINUE_WAIT = 1.0


@dataclass(frozen=True)
class ProxyOptions:
    """Settings of the proxy, copied from the app's traitlets."""

    #: Total seconds a request may take (0: no limit; the idle timeout still applies).
    request_timeout: float
    max_body_size: int
    #: The multipart uploads the proxy started, shared by all requests.
    uploads: UploadRegistry


class BodyPipe:
    """A bounded queue between tornado's request body reader and the upstream request."""

    _END = object()
    _ABORT = object()

    def __init__(self, depth: int, on_sent: Callable[[], None]):
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=depth)
        self._closed = False
        self._on_sent = on_sent

    async def put(self, chunk: bytes) -> None:
        if not self._closed:
            await self._queue.put(chunk)

    async def end(self) -> None:
        if not self._closed:
            await self._queue.put(self._END)

    def close(self, *, abort: bool = False) -> None:
        """Stop accepting chunks and drop queued ones (waking a waiting reader or writer).

        Chunks that arrive afterwards are read and discarded, so the browser can finish
        sending and then read the answer.
        """
        self._closed = True
        while not self._queue.empty():
            self._queue.get_nowait()
        if abort:
            self._queue.put_nowait(self._ABORT)

    async def produce(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        """tornado's ``body_producer``: send chunks upstream as they arrive."""
        while True:
            chunk = await self._queue.get()
            if chunk is self._END:
                return
            if chunk is self._ABORT:
                raise StreamClosedError()
            await write(chunk)
            self._on_sent()


class IdleTimer:
    """Times out the upstream request once nothing has moved for ``timeout`` seconds."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._loop = asyncio.get_running_loop()
        self.last_activity = self._loop.time()
        self.connection: _TrackedConnection | None = None
        self._task: asyncio.Task[None] | None = None

    def touch(self) -> None:
        self.last_activity = self._loop.time()

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._watch())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _watch(self) -> None:
        while True:
            remaining = self.last_activity + self.timeout - self._loop.time()
            if remaining <= 0:
                break
            await asyncio.sleep(remaining)
        if self.connection is not None:
            # tornado's own request timeout path: HTTPTimeoutError, connection closed.
            self.connection._on_timeout(f"after {self.timeout:g} s without any byte moving")


class _TrackedConnection(_HTTPConnection):
    """A client connection the idle timer can end, sending its body once (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any):
        self._body_started = False
        self._continue_timer: asyncio.TimerHandle | None = None
        self._late_body: asyncio.Future[None] | None = None
        super().__init__(*args, **kwargs)  # schedules run(), which starts on the next turn
        timer = getattr(self.request, "idle_timer", None)
        if isinstance(timer, IdleTimer):
            timer.connection = self
        if self.request.expect_100_continue:
            self._continue_timer = asyncio.get_running_loop().call_later(
                EXPECT_CONTINUE_WAIT, self._send_body_without_continue
            )

    def _send_body_without_continue(self) -> None:
        self._continue_timer = None
        if (
            not self._body_started
            and self.final_callback is not None
            and getattr(self, "connection", None) is not None
        ):
            self._late_body = asyncio.ensure_future(self._write_body_guarded())

    async def _write_body_guarded(self) -> None:
        try:
            await self._write_body(False)
        except Exception:  # reported through the request's callback
            self._handle_exception(*sys.exc_info())

    async def _write_body(self, start_read: bool) -> None:
        if self._body_started:
            return
        self._body_started = True
        if self._continue_timer is not None:
            self._continue_timer.cancel()
            self._continue_timer = None
        await super()._write_body(start_read)

    async def headers_received(
        self,
        first_line: httputil.ResponseStartLine | httputil.RequestStartLine,
        headers: httputil.HTTPHeaders,
    ) -> None:
        if (
            isinstance(first_line, httputil.ResponseStartLine)
            and first_line.code != 100
            and self._continue_timer is not None
        ):
            # The endpoint answered before the body: it will not be sent.
            self._continue_timer.cancel()
            self._continue_timer = None
            self._body_started = True
        await super().headers_received(first_line, headers)

    def on_connection_close(self) -> None:
        if self._continue_timer is not None:
            self._continue_timer.cancel()
            self._continue_timer = None
        super().on_connection_close()


class UpstreamClient(SimpleAsyncHTTPClient):
    """tornado's simple client with :class:`_TrackedConnection`."""

    def _connection_class(self) -> type:
        return _TrackedConnection


async def endpoint_lists_upload(
    connector: Connector, credentials: Credentials, key: str, upload_id: str, timeout: float
) -> bool:
    """Whether the endpoint's ListMultipartUploads shows ``upload_id`` for exactly ``key``."""
    base = connector.endpoint.rstrip("/") + "/" + s3_quote(connector.bucket)
    page: UploadsPage | None = None
    client = UpstreamClient(force_instance=True, max_body_size=MAX_XML_ANSWER)
    try:
        for _ in range(MAX_LISTING_PAGES):
            plan = UpstreamPlan("GET", base + "?" + list_uploads_query(key, page), {}, None)
            answer = await client.fetch(
                HTTPRequest(
                    plan.url,
                    headers=sign(plan, connector, credentials),
                    follow_redirects=False,
                    connect_timeout=timeout,
                    request_timeout=timeout,
                ),
                raise_error=False,
            )
            page = parse_uploads_page(answer.body or b"") if answer.code == 200 else None
            if page is None:
                return False
            if (key, upload_id) in page.uploads:
                return True
            if not page.next_key_marker or any(k > key for k, _ in page.uploads):
                return False
    finally:
        client.close()
    return False
