"""The S3 proxy: ``<base_url>s3-connectors/proxy/<connector id>/<bucket>/<key...>``.

The browser's AWS SDK talks path-style S3 to this handler, authenticated like any Jupyter
request (cookie + ``X-XSRFToken``, or ``Authorization: token``). The handler checks the
request against the connector (:mod:`..proxy_rules` holds the rules), re-signs it with the stored
key and streams both bodies:

- uploads go upstream as they arrive through a queue of at most ``_PIPE_DEPTH`` chunks
  (tornado reads 64 KiB at a time), so an upload holds about 320 KiB per request whatever
  its size; only DeleteObjects documents are buffered (at most 8 MiB) to check their keys;
- downloads are written to the browser chunk by chunk, and the next chunk is only read
  from the endpoint once the previous one is flushed to the browser;
- a request ends with a 504 once no byte has moved for ``connection_timeout`` seconds;
- an answer is only finished once the browser has sent its whole body (the rest of an
  upload the endpoint refused is read and discarded), so the browser reads the S3 error;
- multipart uploads are tied to the key they were started for (:mod:`..uploads`).

Errors are S3-style XML (``<Error><Code/><Message/></Error>``) so the SDK reports them
like any S3 error. Every answer carries ``X-Content-Type-Options: nosniff``, a sandboxing
CSP, so a bucket's HTML or SVG never runs on the Jupyter origin, and
``Cache-Control: no-store, private``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http.client import responses
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import ensure_async, url_path_join
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.httputil import HTTPHeaders, HTTPInputError, ResponseStartLine
from tornado.simple_httpclient import HTTPStreamClosedError, HTTPTimeoutError
from tornado.web import HTTPError

from ..catalogs import CatalogError
from ..errors import ConnectorNotFound, StoreError
from ..policy import Refused, check_proxy_access
from ..proxy_rules import (
    CACHE_CONTROL,
    CONTENT_SECURITY_POLICY,
    MAX_DELETE_BODY,
    ProxyError,
    UpstreamPlan,
    body_length,
    check_delete_objects_body,
    check_framing,
    check_path_header,
    error_xml,
    filter_response_headers,
    plan_request,
    shown,
    sign,
    split_proxy_path,
)
from ..records import Connector, Credentials
from ..registry import ConnectorRegistry
from ..store import ConnectorStore
from ..uploads import MAX_XML_ANSWER
from .base import AUTH_RESOURCE, ServerOptions
from .lookup import look_up
from .upstream import BodyPipe, IdleTimer, ProxyOptions, endpoint_lists_upload

#: URL prefix of the proxy, below the server's base_url.
PROXY_PREFIX = "s3-connectors/proxy"

#: Chunks of an upload waiting to be sent upstream (each at most tornado's 64 KiB).
_PIPE_DEPTH = 4
#: Largest body of a refused request read and dropped before answering (an upload part).
_MAX_DRAINED = 64 * 1024 * 1024
#: Uploads at least this large ask the endpoint for ``100 Continue`` before the body.
_EXPECT_CONTINUE_FROM = 1024 * 1024

_ERROR_CODES = {
    400: "InvalidRequest",
    401: "AccessDenied",
    403: "AccessDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    411: "MissingContentLength",
    413: "EntityTooLarge",
}

#: Proxied requests that only read; every other method also needs the "write" permission.
_READ_METHODS = ("GET", "HEAD")


@tornado.web.stream_request_body
class S3ProxyHandler(ExtensionHandlerMixin, JupyterHandler):
    """Forwards path-style S3 requests to a connector's endpoint, re-signed with its key.

    Everything is checked in :meth:`prepare`, before tornado reads a byte of the body:
    authentication (jupyter_server), XSRF for writes (unless token-authenticated),
    authorization, the connector and the request's path, query and headers.
    """

    auth_resource = AUTH_RESOURCE

    def initialize(
        self,
        name: str,
        store: ConnectorStore,
        options: ServerOptions,
        proxy_options: ProxyOptions,
        registry: ConnectorRegistry | None = None,
    ) -> None:
        super().initialize(name)
        self.store = store
        self.registry = registry or ConnectorRegistry(store)
        # not ``self.options``: that name is tornado's OPTIONS method
        self.server_options = options
        self.proxy_options = proxy_options
        self._connector: Connector | None = None
        #: The connector's credentials (or why there are none), read with the connector.
        self._credentials: Credentials | StoreError | None = None
        self._plan: UpstreamPlan | None = None
        self._pipe: BodyPipe | None = None
        self._buffer: bytearray | None = None
        self._upstream: asyncio.Future[None] | None = None
        self._upstream_status: tuple[int, str] | None = None
        self._upstream_headers = HTTPHeaders()
        self._response_started = False
        self._timer: IdleTimer | None = None
        self._body_received = asyncio.Event()
        #: The answer held back to be read before the browser sees it (CreateMultipartUpload).
        self._held: bytearray | None = None

    # -- jupyter_server / tornado integration ------------------------------------

    @property
    def content_security_policy(self) -> str:
        return CONTENT_SECURITY_POLICY

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", CACHE_CONTROL)

    def get_login_url(self) -> str:
        # An S3 client cannot follow a login redirect: refuse instead, like APIHandler.
        raise HTTPError(403)

    def compute_etag(self) -> str | None:
        # The upstream ETag (if any) is passed through; tornado must not make one up.
        return None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, HTTPError):
            message = error.log_message or error.reason or responses.get(status_code, "Error")
            if error.log_message and error.args:
                message = error.log_message % error.args
            if status_code == 403 and not error.log_message:
                message = "Log in to Jupyter (or send its token) to use the S3 proxy."
        else:
            message = "Unexpected server error in the S3 proxy; see the Jupyter server log."
        self._write_s3_error(status_code, _ERROR_CODES.get(status_code, "InternalError"), message)

    def on_connection_close(self) -> None:
        if self._pipe is not None:
            self._pipe.close(abort=True)
        self._body_received.set()
        super().on_connection_close()

    # -- the request -------------------------------------------------------------

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self._finished:
            return
        if not self.check_origin():
            raise HTTPError(404)
        if self.current_user is None:
            raise HTTPError(403)
        # Going through the proxy is using a connector (execute); changing objects, writing.
        actions = ["execute"]
        if (self.request.method or "") not in _READ_METHODS:
            actions.append("write")
        for action in actions:
            allowed = await ensure_async(
                self.authorizer.is_authorized(self, self.current_user, action, self.auth_resource)
            )
            if not allowed:
                raise HTTPError(
                    403, f"You are not allowed to {action} on resource {self.auth_resource}."
                )
        try:
            await self._prepare_proxy()
        except ProxyError as error:
            # A body still on its way is read (and dropped) first, up to a bound: a browser
            # still sending when the connection closes sees a reset, not the answer.
            drain = self._drainable_length()
            self._write_s3_error(error.status, error.code, error.message, finish=drain is None)
            if drain is not None:
                self._pipe = self._buffer = None
                self.request.connection.set_max_body_size(max(drain, 1))  # type: ignore[union-attr]

    def _drainable_length(self) -> int | None:
        headers = self.request.headers
        length = headers.get("Content-Length")
        if self.request.method not in ("PUT", "POST") or "Transfer-Encoding" in headers:
            return None
        if length is None or not length.isascii() or not length.isdigit():
            return None
        return int(length) if 0 < int(length) <= _MAX_DRAINED else None

    async def _prepare_proxy(self) -> None:
        method = self.request.method or ""
        headers = self.request.headers
        # Framing first: before anything can go upstream.
        framing = (headers.get("Content-Length"), "Transfer-Encoding" in headers)
        check_framing(*framing)
        check_path_header(headers.get_all(), self.request.path)
        proxy_root = url_path_join(self.base_url, PROXY_PREFIX) + "/"
        raw_id, raw_rest = split_proxy_path(self.request.path, proxy_root)
        try:
            connector, self._credentials = await look_up(self.registry, raw_id)
        except ConnectorNotFound as error:
            raise ProxyError(404, "NoSuchConnector", error.message) from None
        except CatalogError as error:
            if error.status == 404:
                raise ProxyError(404, "NoSuchConnector", error.message) from None
            self.log.error("S3 connectors catalog error: %s", error.message)
            raise ProxyError(500, "InternalError", error.message) from None
        except StoreError as error:
            self.log.error("S3 connectors store error: %s", error.message)
            raise ProxyError(500, "InternalError", error.message) from None
        try:
            check_proxy_access(connector, method)
        except Refused as error:
            raise ProxyError(error.status, "AccessDenied", error.message) from None
        plan = plan_request(connector, method, raw_rest, self.request.query, headers.get_all())
        self._connector = connector
        self._plan = plan
        if plan.upload_id is not None:
            await self._check_upload(connector, plan)
        if not plan.has_body:
            return

        length = body_length(*framing)
        if length > self.proxy_options.max_body_size:
            raise ProxyError(
                413,
                "EntityTooLarge",
                f"The request body is larger than the proxy's limit of "
                f"{self.proxy_options.max_body_size} bytes (S3ConnectorsApp.proxy_max_body_size).",
            )
        plan.headers["content-length"] = str(length)
        self.request.connection.set_max_body_size(max(length, 1))  # type: ignore[union-attr]
        if plan.check_delete_body:
            if length > MAX_DELETE_BODY:
                raise ProxyError(
                    400, "MalformedXML", "The DeleteObjects document is too large (1000 keys max)."
                )
            self._buffer = bytearray()
        else:
            # Open the upstream request now so the body streams through as it arrives.
            self._timer = IdleTimer(self.server_options.connection_timeout)
            self._pipe = BodyPipe(_PIPE_DEPTH, self._timer.touch)
            self._upstream = asyncio.ensure_future(
                self._forward(
                    body_producer=self._pipe.produce,
                    expect_continue=length >= _EXPECT_CONTINUE_FROM,
                )
            )

    def _request_credentials(self) -> Credentials:
        """The credentials read in :meth:`prepare` (or why there are none)."""
        credentials = self._credentials
        if isinstance(credentials, StoreError):
            raise credentials
        if credentials is None:
            raise StoreError("The connector's credentials were already used for this request.")
        return credentials

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        if self._timer is not None:
            self._timer.touch()
        if self._buffer is not None:
            self._buffer.extend(chunk)
            return None
        if self._pipe is not None:
            # tornado waits for this before reading on: the queue bounds the memory.
            return self._pipe.put(chunk)
        return None  # bodies of GET, HEAD and DELETE are never forwarded

    @tornado.web.authenticated
    @authorized
    async def get(self, connector_id: str, path: str | None = None) -> None:
        await self._proxy()

    @tornado.web.authenticated
    @authorized
    async def head(self, connector_id: str, path: str | None = None) -> None:
        await self._proxy()

    @tornado.web.authenticated
    @authorized
    async def put(self, connector_id: str, path: str | None = None) -> None:
        await self._proxy()

    @tornado.web.authenticated
    @authorized
    async def post(self, connector_id: str, path: str | None = None) -> None:
        await self._proxy()

    @tornado.web.authenticated
    @authorized
    async def delete(self, connector_id: str, path: str | None = None) -> None:
        await self._proxy()

    async def _proxy(self) -> None:
        if self._response_started and not self._finished:
            self.finish()  # refused in prepare(); the body has now been read and dropped
            return
        if self._plan is None or self._connector is None:
            raise HTTPError(500)  # prepare() either planned the request or answered it
        self._body_received.set()
        if self._pipe is not None:
            await self._pipe.end()
        elif self._buffer is not None:
            try:
                check_delete_objects_body(self._connector, bytes(self._buffer))
            except ProxyError as error:
                self._write_s3_error(error.status, error.code, error.message)
                return
            self._upstream = asyncio.ensure_future(self._forward(body=bytes(self._buffer)))
        else:
            # Nothing else runs alongside: forward on this coroutine, not a task of its own.
            await self._forward(body=b"" if self._plan.has_body else None)
            return
        assert self._upstream is not None
        await self._upstream

    # -- multipart uploads -------------------------------------------------------

    async def _check_upload(self, connector: Connector, plan: UpstreamPlan) -> None:
        """Refuse an upload ID the proxy did not start for this connector, bucket and key."""
        assert plan.key is not None and plan.upload_id is not None
        entry = (connector.id, connector.bucket, plan.key, plan.upload_id)
        if self.proxy_options.uploads.knows(*entry):
            return
        # Not remembered (a restart, or another server): the endpoint's list must show it.
        try:
            credentials = self._request_credentials()
            timeout = self.server_options.connection_timeout
            pool = self.proxy_options.pool
            if await endpoint_lists_upload(connector, credentials, *entry[2:], timeout, pool):
                self.proxy_options.uploads.add(*entry)
                return
        except (StoreError, OSError, HTTPClientError) as error:
            self.log.warning("S3 proxy: could not list the multipart uploads: %s", error)
        raise ProxyError(
            403,
            "AccessDenied",
            f"{plan.operation.name} refused: the upload ID was not started through connector "
            f"'{connector.name}' for the key '{shown(plan.key)}'.",
        )

    def _remember_upload(self) -> None:
        plan, connector = self._plan, self._connector
        assert plan is not None and connector is not None
        if not self._failed and plan.key is not None:
            self.proxy_options.uploads.record_answer(
                (connector.id, connector.bucket, plan.key),
                plan.operation.name,
                plan.upload_id,
                self._upstream_status[0] if self._upstream_status else 0,
                bytes(self._held) if self._held is not None else b"",
            )

    # -- upstream ----------------------------------------------------------------

    async def _forward(
        self,
        body: bytes | None = None,
        body_producer: Callable[[Callable[[bytes], Awaitable[None]]], Awaitable[None]]
        | None = None,
        expect_continue: bool = False,
    ) -> None:
        """Send the planned request upstream and stream the answer back; never raises."""
        plan, connector = self._plan, self._connector
        assert plan is not None and connector is not None
        if plan.operation.name == "CreateMultipartUpload":
            self._held = bytearray()
        if self._timer is None:
            self._timer = IdleTimer(self.server_options.connection_timeout)
        timer = self._timer
        client = self.proxy_options.pool.client(self.proxy_options.max_body_size)
        try:
            credentials = self._request_credentials()
            request = HTTPRequest(
                plan.url,
                method=plan.method,
                headers=sign(plan, connector, credentials),
                body=body,
                body_producer=body_producer,  # type: ignore[arg-type]  # any awaitable works
                follow_redirects=False,
                decompress_response=False,
                expect_100_continue=expect_continue,
                connect_timeout=self.server_options.connection_timeout,
                request_timeout=self.proxy_options.request_timeout,
                streaming_callback=self._on_upstream_chunk,
            )
            del credentials
            self._credentials = None  # signed: the handler keeps no secret longer
            request.idle_timer = timer  # type: ignore[attr-defined]  # see upstream.py
            request.on_headers = self._on_upstream_headers  # type: ignore[attr-defined]
            timer.touch()
            timer.start()
            await client.fetch(request, raise_error=False)
        except StoreError as error:
            self.log.error("S3 connectors store error: %s", error.message)
            self._fail(500, "InternalError", error.message)
        except HTTPTimeoutError:
            self._fail(
                504,
                "EndpointTimeout",
                f"The S3 endpoint {connector.endpoint} did not answer in time: nothing moved for "
                f"{self.server_options.connection_timeout:g} s (S3ConnectorsApp.connection_timeout)"
                ". Check that the service is running and reachable from the Jupyter server, "
                "then try again.",
            )
        except (OSError, HTTPStreamClosedError, HTTPClientError) as error:
            reason = type(error).__name__
            if isinstance(error, OSError) and error.strerror:
                reason = error.strerror
            self._fail(
                502,
                "EndpointUnreachable",
                f"The S3 endpoint could not be reached: {connector.endpoint} ({reason}). Check "
                "the connector's endpoint URL and that the service is running and reachable "
                "from the Jupyter server.",
            )
        finally:
            timer.stop()
            if self._pipe is not None:
                self._pipe.close()
        await self._finish_answer()

    async def _finish_answer(self) -> None:
        if self._finished:
            return
        self._remember_upload()
        if not self._response_started:
            self._start_response()
        if self._held is not None and not self._failed:
            self.write(bytes(self._held))
        # The rest of an upload the endpoint refused is read (and dropped) first: a browser
        # still sending when the connection closes sees a reset, not the answer.
        await self._body_received.wait()
        if not self._finished:
            self.finish()

    def _on_upstream_headers(self, start: ResponseStartLine, headers: HTTPHeaders) -> None:
        """The endpoint's status and headers, as tornado parsed them (see upstream.py)."""
        if self._timer is not None:
            self._timer.touch()
        if self._upstream_status is not None:
            # A second header block, after an informational (1xx) one: not S3's.
            raise HTTPInputError("The endpoint sent a second header block.")
        self._upstream_status = (start.code, start.reason.rstrip())
        self._upstream_headers = headers
        self._start_response()
        if self.request.method == "HEAD" and start.code >= 200 and self._body_received.is_set():
            # A HEAD answer ends with its headers: the browser gets it now, while tornado's
            # client finishes with the endpoint's connection.
            self._remember_upload()
            self.finish()

    def _start_response(self) -> None:
        if self._response_started or self._finished:
            return
        self._response_started = True
        code, reason = self._upstream_status or (502, "Bad Gateway")
        self.set_status(code, reason or responses.get(code, "Unknown"))
        self.clear_header("Content-Type")
        for name, value in filter_response_headers(self._upstream_headers.get_all()):
            self.set_header(name, value)

    def _on_upstream_chunk(self, chunk: bytes) -> Awaitable[None] | None:
        if self._timer is not None:
            self._timer.touch()
        if self._finished:
            return None
        if self._held is not None:
            if len(self._held) + len(chunk) > MAX_XML_ANSWER:
                raise HTTPClientError(502, "The endpoint's answer is too large.")
            self._held.extend(chunk)
            return None
        if not self._response_started:
            self._start_response()
        self.write(chunk)
        # tornado's client waits for this flush before reading the next chunk.
        return self._flushed(self.flush())

    async def _flushed(self, flush: Awaitable[None]) -> None:
        await flush
        if self._timer is not None:
            self._timer.touch()

    _failed = False

    def _fail(self, status: int, code: str, message: str) -> None:
        """Report an upstream failure; mid-answer, cut the connection so it shows as broken."""
        self.log.warning("S3 proxy: %s", message)
        self._failed = True
        if self._finished:
            return
        if self._response_started:
            self.request.connection.close()  # type: ignore[union-attr]
            self._finished = True
            return
        self._write_s3_error(status, code, message, finish=False)

    def _write_s3_error(self, status: int, code: str, message: str, finish: bool = True) -> None:
        if self._finished:
            return
        self._response_started = True
        self.clear()
        self.set_status(status)
        self.set_header("Content-Type", "application/xml")
        resource = self.request.path if status != 500 else None
        self.write(b"" if self.request.method == "HEAD" else error_xml(code, message, resource))
        if finish:
            self.finish()
