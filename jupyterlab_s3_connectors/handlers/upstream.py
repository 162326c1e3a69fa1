"""The proxy's side of the connection to the endpoint: body pipe, idle timeout, early answers.

- :class:`BodyPipe` streams an upload to the endpoint as it arrives, through a bounded queue.
- :class:`IdleTimer` ends a request once no byte has moved, in either direction, for the
  connection timeout, however long a moving transfer takes.
- :class:`UpstreamClient` sends uploads with ``Expect: 100-continue``, so an endpoint that
  refuses an upload (wrong key, no such upload, precondition) says so before the body and
  the browser gets that S3 error rather than a reset connection. An endpoint that does not
  answer ``100 Continue`` within :data:`EXPECT_CONTINUE_WAIT` gets the body anyway, as curl
  does.

- Given an :class:`~.pool.UpstreamPool`, :class:`UpstreamClient` keeps its connections
  alive between requests (see :mod:`.pool` for why and when a connection is reused). A
  request without a body whose reused connection turns out closed before any byte of the
  answer is sent once more on a new connection; nothing else is ever retried.

- A request's ``on_headers(start_line, headers)`` (set on the :class:`HTTPRequest`, like its
  ``idle_timer``) gets the answer's status and headers as tornado parsed them, where
  ``header_callback`` would get them written out again line by line.

These hook into tornado's ``simple_httpclient`` connection (``_on_timeout``,
``_write_body``, ``_on_end_request``, ``_handle_exception``, ``headers_received``), which
tornado 6 has had throughout.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from tornado import httputil
from tornado.httpclient import HTTPRequest
from tornado.iostream import StreamClosedError
from tornado.simple_httpclient import (
    HTTPStreamClosedError,
    HTTPTimeoutError,
    SimpleAsyncHTTPClient,
    _HTTPConnection,
)

from ..proxy_rules import UpstreamPlan, s3_quote, sign
from ..records import Connector, Credentials
from ..uploads import (
    MAX_LISTING_PAGES,
    MAX_XML_ANSWER,
    UploadRegistry,
    UploadsPage,
    list_uploads_query,
    parse_uploads_page,
)
from .pool import PoolConnector, UpstreamPool

#: Seconds to wait for ``100 Continue`` before sending the body regardless.
EXPECT_CONTINUE_WAIT = 1.0
#: Methods sent once more on a new connection when a reused one was found closed.
_RETRIED_METHODS = frozenset({"GET", "HEAD", "DELETE"})


@dataclass(frozen=True)
class ProxyOptions:
    """Settings of the proxy, copied from the app's traitlets."""

    #: Total seconds a request may take (0: no limit; the idle timeout still applies).
    request_timeout: float
    max_body_size: int
    #: The multipart uploads the proxy started, shared by all requests.
    uploads: UploadRegistry
    #: Keep-alive connections to the endpoints, shared by all requests.
    pool: UpstreamPool = field(default_factory=UpstreamPool)


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
    """Times out the upstream request once nothing has moved for ``timeout`` seconds.

    One timer handle at a time, moved on only when it fires: :meth:`touch` (every chunk)
    just records the time.
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._loop = asyncio.get_running_loop()
        self.last_activity = self._loop.time()
        self.connection: _TrackedConnection | None = None
        self._handle: asyncio.TimerHandle | None = None

    def touch(self) -> None:
        self.last_activity = self._loop.time()

    def start(self) -> None:
        self.stop()
        self._handle = self._loop.call_at(self.last_activity + self.timeout, self._check)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        deadline = self.last_activity + self.timeout
        if deadline > self._loop.time():
            self._handle = self._loop.call_at(deadline, self._check)
            return
        self._handle = None
        if self.connection is not None:
            # tornado's own request timeout path: HTTPTimeoutError, connection closed.
            self.connection._on_timeout(f"after {self.timeout:g} s without any byte moving")


class _TrackedConnection(_HTTPConnection):
    """A client connection the idle timer can end, sending its body once (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any):
        self._body_started = False
        self._continue_timer: asyncio.TimerHandle | None = None
        self._late_body: asyncio.Future[None] | None = None
        self._response_version: str | None = None
        super().__init__(*args, **kwargs)  # schedules run(), which starts on the next turn
        if isinstance(self.tcp_client, PoolConnector):
            # run() would ask for "Connection: close" otherwise.
            self.request.headers.setdefault("Connection", "keep-alive")
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
        if isinstance(first_line, httputil.ResponseStartLine) and first_line.code != 100:
            self._response_version = first_line.version
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
        on_headers = getattr(self.request, "on_headers", None)
        if (
            on_headers is not None
            and isinstance(first_line, httputil.ResponseStartLine)
            and not (self.request.expect_100_continue and first_line.code == 100)
            and not self._should_follow_redirect()
        ):
            # Where tornado would call ``header_callback`` line by line: the parsed
            # headers instead, not written out and parsed again.
            on_headers(first_line, headers)

    def on_connection_close(self) -> None:
        if self._continue_timer is not None:
            self._continue_timer.cancel()
            self._continue_timer = None
        error = self.stream.error
        if self.final_callback is not None and error is not None:
            # tornado raises this one out of the close callback; report it instead.
            self._handle_exception(type(error), error, None)
            return
        super().on_connection_close()

    # -- keep-alive (see pool.py) -------------------------------------------------

    def _on_end_request(self) -> None:
        """The answer was read to its end: keep the connection if it is clean, else close it."""
        connector = self.tcp_client
        if isinstance(connector, PoolConnector) and self._reusable():
            connector.pool.release(self.connection.detach())
            return
        self.stream.close()

    def _reusable(self) -> bool:
        headers = self.headers
        if headers is None or self._response_version != "HTTP/1.1":
            return False
        tokens = {token.strip().lower() for token in headers.get("Connection", "").split(",")}
        connection = getattr(self, "connection", None)
        return (
            "close" not in tokens
            and connection is not None
            # the whole request went out (an early answer to an upload leaves it unfinished)
            and connection._write_finished
            and connection._finish_future.done()
            # the answer ended where its framing said, with nothing after it
            and not self.stream.closed()
            and not self.stream._read_buffer_size
        )

    def _handle_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if self._retry_on_fresh_connection(value):
            return True
        return super()._handle_exception(typ, value, tb)

    def _retry_on_fresh_connection(self, error: BaseException | None) -> bool:
        """Send the request again on a new connection if a reused one was stale.

        Only before any byte of the answer, only for requests without a body that are
        safe to repeat, only once; a timeout is never retried.
        """
        connector = self.tcp_client
        stream = getattr(self, "stream", None)
        if (
            not isinstance(connector, PoolConnector)
            or not connector.reuse
            or stream is None
            or not connector.pool.was_reused(stream)
            or self.final_callback is None
            or self.code is not None
            or isinstance(error, HTTPTimeoutError)
            or not isinstance(error, (StreamClosedError, HTTPStreamClosedError, ConnectionError))
            or self.request.method not in _RETRIED_METHODS
            or self.request.body is not None
            or self.request.body_producer is not None
        ):
            return False
        self._remove_timeout()
        release_callback, final_callback = self.release_callback, self.final_callback
        self.release_callback = None
        self.final_callback = None
        stream.set_close_callback(None)
        stream.close()
        retry = type(self)(
            self.client,
            self.request,
            release_callback,
            final_callback,
            self.max_buffer_size,
            PoolConnector(connector.pool, reuse=False),
            self.max_header_size,
            self.max_body_size,
        )
        # run() starts on the next turn: the request's timeout still counts from the start.
        retry.start_time = self.start_time
        return True


class UpstreamClient(SimpleAsyncHTTPClient):
    """tornado's simple client with :class:`_TrackedConnection`, and connections from
    ``pool`` when one is given."""

    def initialize(  # type: ignore[override]
        self, pool: UpstreamPool | None = None, **kwargs: Any
    ) -> None:
        super().initialize(**kwargs)
        if pool is not None:
            self.tcp_client.close()
            self.tcp_client = PoolConnector(pool)  # type: ignore[assignment]

    def _connection_class(self) -> type:
        return _TrackedConnection


async def endpoint_lists_upload(
    connector: Connector,
    credentials: Credentials,
    key: str,
    upload_id: str,
    timeout: float,
    pool: UpstreamPool,
) -> bool:
    """Whether the endpoint's ListMultipartUploads shows ``upload_id`` for exactly ``key``."""
    base = connector.endpoint.rstrip("/") + "/" + s3_quote(connector.bucket)
    page: UploadsPage | None = None
    client = pool.client(MAX_XML_ANSWER)
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
    return False
