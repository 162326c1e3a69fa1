"""Keep-alive connections to the S3 endpoints, shared by every request of the proxy.

Why our own small pool over tornado's ``simple_httpclient`` rather than another client:

- tornado's ``CurlAsyncHTTPClient`` keeps connections, but it cannot stream a request body
  (no ``body_producer``): every upload would be held in memory;
- aiohttp is not a dependency of jupyter_server, re-quotes URLs and adds headers unless told
  not to (a risk for the SigV4 signature), and would replace the idle timeout, the
  ``100 Continue`` handling and the error mapping the proxy relies on;
- ``simple_httpclient`` already does all of that; it only closes its connection after each
  answer. :class:`~.upstream.UpstreamClient` gives it this pool in place of its
  ``TCPClient``: a connection comes from here (an idle one when there is one), and goes back
  here only once its request was written in full, its answer read in full (the framing said
  where it ends, nothing more is buffered) and the endpoint did not ask to close it. Any
  other ending (error, timeout, early answer to an upload, answer cut short) closes it.

Idle connections are kept at most :attr:`UpstreamPool.max_idle_per_host` per endpoint and
:attr:`UpstreamPool.idle_timeout` seconds; one the endpoint closes while idle leaves the
pool at once. The pool does not cap connections in use: each proxied request needs its own
(a browser opens few at a time), and queueing long uploads behind each other could stall
short requests.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import weakref
from dataclasses import dataclass
from typing import Any

from tornado.iostream import IOStream, StreamClosedError
from tornado.netutil import DefaultLoopResolver, _client_ssl_defaults
from tornado.tcpclient import TCPClient

#: Seconds an idle connection is kept: below the usual keep-alive timeouts of S3 services
#: (about 20 s or more), so the endpoint rarely closes one just as it is reused.
IDLE_TIMEOUT = 15.0
#: Idle connections kept per endpoint (host, port, TLS settings).
MAX_IDLE_PER_HOST = 8


@dataclass(frozen=True)
class _Key:
    host: str
    port: int
    af: int
    #: Plain HTTP, or TLS with tornado's default context (certificates checked); a request
    #: with other TLS settings gets a connection of its own, never pooled.
    tls: bool
    source_ip: str | None


@dataclass
class _Idle:
    stream: IOStream
    expiry: asyncio.TimerHandle


def _ip_address(
    host: str, port: int, family: socket.AddressFamily
) -> tuple[socket.AddressFamily, tuple[Any, ...]] | None:
    """The address to connect to when ``host`` is an IP address of ``family``, else None."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.version == 6 and family in (socket.AF_UNSPEC, socket.AF_INET6):
        return socket.AF_INET6, (host, port, 0, 0)
    if address.version == 4 and family in (socket.AF_UNSPEC, socket.AF_INET):
        return socket.AF_INET, (host, port)
    return None


class _Resolver(DefaultLoopResolver):
    """The loop's resolver, minus its trip to a worker thread for an IP address."""

    async def resolve(
        self, host: str, port: int, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> list[tuple[int, Any]]:
        literal = _ip_address(host, port, family)
        if literal is None:
            return await super().resolve(host, port, family)
        return [literal]


class UpstreamPool:
    """Idle keep-alive connections, by endpoint; ``connect`` is ``TCPClient.connect``'s."""

    def __init__(
        self, max_idle_per_host: int = MAX_IDLE_PER_HOST, idle_timeout: float = IDLE_TIMEOUT
    ) -> None:
        self.max_idle_per_host = max_idle_per_host
        self.idle_timeout = idle_timeout
        self._tcp = TCPClient(resolver=_Resolver())
        self._clients: dict[int | None, Any] = {}
        self._idle: dict[_Key, list[_Idle]] = {}
        self._keys: weakref.WeakKeyDictionary[IOStream, _Key] = weakref.WeakKeyDictionary()
        self._reused: weakref.WeakSet[IOStream] = weakref.WeakSet()
        self._closed = False
        #: Connections opened and reuses so far (for tests and logs).
        self.opened = 0
        self.reuses = 0

    def __repr__(self) -> str:
        return f"<UpstreamPool idle={self.idle_count()} opened={self.opened} reuses={self.reuses}>"

    async def connect(
        self,
        host: str,
        port: int,
        af: socket.AddressFamily = socket.AF_UNSPEC,
        ssl_options: dict[str, Any] | ssl.SSLContext | None = None,
        max_buffer_size: int | None = None,
        source_ip: str | None = None,
        source_port: int | None = None,
        timeout: float | None = None,
        *,
        reuse: bool = True,
    ) -> IOStream:
        """An idle connection to the endpoint if one is left, else a new one."""
        poolable = source_port is None and ssl_options in (None, _client_ssl_defaults)
        key = _Key(host, port, int(af), ssl_options is not None, source_ip)
        if reuse and poolable:
            stream = self._take_idle(key)
            if stream is not None:
                if max_buffer_size is not None:
                    stream.max_buffer_size = max_buffer_size
                self.reuses += 1
                self._reused.add(stream)
                self._keys[stream] = key
                return stream
        literal = _ip_address(host, port, af)
        if (
            literal is not None
            and ssl_options is None
            and source_ip is None
            and source_port is None
        ):
            stream = await _connect_plain(*literal, max_buffer_size, timeout)
        else:
            stream = await self._tcp.connect(
                host,
                port,
                af=af,
                ssl_options=ssl_options,
                max_buffer_size=max_buffer_size,
                source_ip=source_ip,
                source_port=source_port,
                timeout=timeout,
            )
        self.opened += 1
        if poolable:
            self._keys[stream] = key
        return stream

    def was_reused(self, stream: IOStream) -> bool:
        """Whether ``stream`` served an earlier request (it may have gone stale meanwhile)."""
        return stream in self._reused

    def release(self, stream: IOStream) -> None:
        """Keep ``stream`` for the next request to its endpoint (the caller checked it is clean)."""
        key = self._keys.get(stream)
        idle = self._idle.setdefault(key, []) if key is not None else []
        if key is None or self._closed or stream.closed() or len(idle) >= self.max_idle_per_host:
            stream.close()
            return
        self._reused.discard(stream)
        expiry = asyncio.get_running_loop().call_later(self.idle_timeout, stream.close)
        entry = _Idle(stream, expiry)
        idle.append(entry)

        def on_close() -> None:
            entry.expiry.cancel()
            if entry in idle:
                idle.remove(entry)

        # While idle, tornado watches the socket: an endpoint closing it removes it at once.
        stream.set_close_callback(on_close)

    def client(self, max_body_size: int | None) -> Any:
        """The one :class:`~.upstream.UpstreamClient` of this pool for ``max_body_size``.

        Shared by every request (it holds no per-request state); it never queues a request.
        """
        from .upstream import UpstreamClient  # upstream imports this module

        client = self._clients.get(max_body_size)
        if client is None:
            client = UpstreamClient(
                force_instance=True, max_clients=2**31, max_body_size=max_body_size, pool=self
            )
            self._clients[max_body_size] = client
        return client

    def idle_count(self) -> int:
        return sum(len(idle) for idle in self._idle.values())

    def close(self) -> None:
        """Close every idle connection; connections in use close when their request ends."""
        self._closed = True
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        for idle in list(self._idle.values()):
            for entry in list(idle):
                entry.stream.close()
        self._idle.clear()
        self._tcp.close()

    def _take_idle(self, key: _Key) -> IOStream | None:
        idle = self._idle.get(key)
        while idle:
            entry = idle.pop()  # the most recently used: the least likely to be stale
            entry.expiry.cancel()
            stream = entry.stream
            stream.set_close_callback(None)
            # Bytes waiting on an idle connection were never asked for: do not parse them
            # as the next answer.
            if stream.closed() or stream.reading() or stream._read_buffer_size:
                stream.close()
                continue
            return stream
        return None


async def _connect_plain(
    family: socket.AddressFamily,
    address: tuple[Any, ...],
    max_buffer_size: int | None,
    timeout: float | None,
) -> IOStream:
    """A plain connection to one IP address: what ``TCPClient.connect`` does for it.

    ``TCPClient`` tries a list of addresses (IPv6 and IPv4 in turn) through a chain of
    futures and timers; for a single address, the socket's own connect is all there is,
    and it saves a few turns of the event loop on every request to an endpoint that closes
    its connections. Failures are the same: the stream's ``StreamClosedError`` (with the
    socket's error), or ``TimeoutError`` after ``timeout`` seconds.
    """
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        stream = IOStream(sock, max_buffer_size=max_buffer_size)
    except BaseException:
        sock.close()
        raise
    connecting = stream.connect(address)
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        stream.close()

    deadline = None
    if timeout is not None:
        deadline = asyncio.get_running_loop().call_later(max(timeout, 0), expire)
    try:
        return await connecting
    except StreamClosedError:
        if expired:
            raise TimeoutError(f"Timeout while connecting to {address[0]}:{address[1]}") from None
        raise
    except BaseException:
        stream.close()  # the caller gave up (cancelled)
        raise
    finally:
        if deadline is not None:
            deadline.cancel()


class PoolConnector:
    """What :class:`~.upstream.UpstreamClient` uses in place of its ``TCPClient``.

    ``reuse=False`` always opens a new connection: for the one retry of a request whose
    reused connection turned out closed. Closing it leaves the pool open: the pool belongs
    to the server, not to one request's client.
    """

    def __init__(self, pool: UpstreamPool, *, reuse: bool = True) -> None:
        self.pool = pool
        self.reuse = reuse

    async def connect(self, *args: Any, **kwargs: Any) -> IOStream:
        return await self.pool.connect(*args, reuse=self.reuse, **kwargs)

    def close(self) -> None:
        """Nothing to close: the pool outlives each request's client."""
