"""The S3 proxy's rules: what a browser request may ask for, and the upstream request it becomes.

Pure logic, free of tornado. :func:`plan_request` turns the raw (still percent-encoded) path,
query and headers of a request that arrived at ``<base_url>s3-connectors/proxy/<id>/...``
into an :class:`UpstreamPlan`: the URL is rebuilt only from the connector's endpoint, its
bucket and the decoded key, re-encoded the way botocore encodes S3 keys, so the SigV4
canonical request matches the bytes on the wire. Anything outside the allowlists is refused
with a :class:`ProxyError`, which the handler answers as an S3-style XML error, so the AWS
SDK in the browser surfaces ``Code`` and ``Message`` like any S3 error.

The proxy is thin: it checks *where* a request goes and *what* it may carry, never S3
semantics, which stay with the endpoint.
"""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from .operations import (
    MEANINGFUL_HEADERS,
    OPERATIONS,
    Operation,
    RefusedOperation,
    check_values,
    forwarded_header,
    identify,
)
from .records import Connector, Credentials

#: Methods the proxy forwards; which requests of each are allowed is :mod:`.operations`'s.
ALLOWED_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
WRITE_METHODS = frozenset({"PUT", "POST", "DELETE"})

#: Query parameters accepted but not forwarded (the SDK's operation name).
_DROPPED_QUERY_PARAMS = frozenset({"x-id"})
_META_PREFIX = "x-amz-meta-"

#: The header the proxy transport sets to the raw path of the URL the SDK built, so that a
#: path the browser rewrote (it removes '.' and '..' segments) is refused, not misrouted.
PATH_HEADER = "x-s3c-path"

#: Response headers passed back to the browser (lower case), besides ``x-amz-meta-*``.
ALLOWED_RESPONSE_HEADERS = frozenset(
    {
        "accept-ranges",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-length",
        "content-range",
        "content-type",
        "etag",
        "last-modified",
        "x-amz-delete-marker",
        "x-amz-request-id",
        "x-amz-id-2",
        "x-amz-version-id",
        "x-amz-copy-source-version-id",
        "x-amz-mp-parts-count",
        "x-amz-checksum-crc32",
        "x-amz-checksum-crc32c",
        "x-amz-checksum-crc64nvme",
        "x-amz-checksum-sha1",
        "x-amz-checksum-sha256",
    }
)

#: Headers added to every proxied answer so a bucket's HTML or SVG never runs on the
#: Jupyter origin.
CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'"
#: Every answer of the proxy, whatever the object's own Cache-Control: a private object
#: must not stay in a shared cache or the browser's after the connector is deactivated.
CACHE_CONTROL = "no-store, private"

MAX_KEY_BYTES = 1024
#: Upper bound of a buffered DeleteObjects body: 1000 keys of 1024 bytes, XML-escaped.
MAX_DELETE_BODY = 8 * 1024 * 1024

# Characters that may appear, unencoded, in a path (RFC 3986 pchar and "/").
_RAW_PATH_RE = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*")
_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ENCODED_SEPARATOR_RE = re.compile(r"%(2[Ff]|5[Cc])")
_FORBIDDEN_KEY_CHARS = ("\x00", "\r", "\n", "\\")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_CONTENT_LENGTH_RE = re.compile(r"[0-9]{1,19}")
#: Header values forwarded upstream: printable ASCII and tabs (anything else could not be
#: signed as sent, or would come back as a header tornado cannot write).
_HEADER_VALUE_RE = re.compile(r"[\t\x20-\x7e]*")


class ProxyError(Exception):
    """A request the proxy refuses; answered as ``<Error><Code/><Message/></Error>``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_xml(code: str, message: str, resource: str | None = None) -> bytes:
    """An S3-style error document."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error>']
    parts.append(f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>")
    if resource:
        parts.append(f"<Resource>{escape(resource)}</Resource>")
    parts.append("</Error>")
    return "".join(parts).encode("utf-8")


def _bad(message: str, code: str = "InvalidRequest") -> ProxyError:
    return ProxyError(400, code, message)


def _denied(message: str) -> ProxyError:
    return ProxyError(403, "AccessDenied", message)


def s3_quote(text: str) -> str:
    """Percent-encode a bucket/key path as botocore does (``quote(..., safe='/~')``)."""
    return urllib.parse.quote(text, safe="/~")


def _query_quote(text: str) -> str:
    # SigV4's encoding for query names and values; botocore signs the query as written.
    return urllib.parse.quote(text, safe="-_.~")


def _decode_once(raw: str, what: str) -> str:
    if _PERCENT_RE.search(raw):
        raise _bad(f"The {what} has a '%' that is not followed by two hex digits.")
    try:
        return urllib.parse.unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _bad(f"The {what} is not valid UTF-8 once percent-decoded.") from None


def shown(text: str, limit: int = 200) -> str:
    """``text`` for a message: control characters escaped, lone surrogates replaced, cut."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    safe = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in safe)
    return safe if len(safe) <= limit else safe[: limit - 1] + "\u2026"


def check_key(key: str, what: str = "object key") -> None:
    """Refuse keys that could be read as a different path (after decoding)."""
    if not key:
        raise _bad(f"The {what} is empty.")
    if any(char in key for char in _FORBIDDEN_KEY_CHARS):
        raise _bad(
            f"The {what} '{shown(key)}' contains a backslash, a NUL or a line break, which the "
            "proxy can't forward safely; use the direct backend to reach it."
        )
    if any(segment in (".", "..") for segment in key.split("/")):
        raise _bad(
            f"The {what} '{shown(key)}' contains a '.' or '..' segment, which the proxy can't "
            "forward safely; use the direct backend to reach it."
        )
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise _bad(f"The {what} is longer than {MAX_KEY_BYTES} bytes.", "KeyTooLongError")


def in_prefix(connector: Connector, key: str) -> bool:
    return not connector.prefix or key.startswith(connector.prefix)


def _check_in_prefix(connector: Connector, key: str, what: str = "key") -> None:
    if not in_prefix(connector, key):
        raise _denied(
            f"Connector '{connector.name}' only gives access to '{connector.prefix}'; "
            f"the {what} '{shown(key)}' is outside it."
        )


def check_path_header(headers: Iterable[tuple[str, str]], raw_path: str) -> None:
    """Refuse a request whose path is not the one the SDK built (see :data:`PATH_HEADER`)."""
    sent = [value for name, value in headers if name.lower() == PATH_HEADER]
    if not sent:
        return
    if len(sent) > 1 or sent[0] != raw_path:
        raise _bad(
            "The browser rewrote this request's path (a '.' or '..' segment?); nothing was "
            "sent to the bucket.",
            "PathRewritten",
        )


def parse_query(raw_query: str) -> list[tuple[str, str | None]]:
    """Split a raw query into decoded (name, value) pairs; ``None`` for a bare ``?name``.

    ``+`` stays a literal plus (the SDK encodes spaces as ``%20``). Which names are allowed
    is the operation's business (:func:`.operations.identify`).
    """
    pairs: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    if not raw_query:
        return pairs
    for item in raw_query.split("&"):
        if not item:
            continue
        raw_name, eq, raw_value = item.partition("=")
        name = _decode_once(raw_name, "query")
        if _CONTROL_RE.search(name):
            raise _bad(f"The query parameter '{shown(name)}' contains a control character.")
        if name in seen:
            raise _bad(f"The query parameter '{shown(name)}' is repeated.")
        seen.add(name)
        value = _decode_once(raw_value, "query") if eq else None
        if value is not None and _CONTROL_RE.search(value):
            raise _bad(f"The query parameter '{shown(name)}' contains a control character.")
        pairs.append((name, value))
    return pairs


@dataclass
class UpstreamPlan:
    """The request to send to the connector's endpoint (before signing)."""

    method: str
    url: str
    headers: dict[str, str]
    key: str | None
    #: The S3 operation the request is.
    operation: Operation = OPERATIONS[0]
    #: The body is a DeleteObjects document: buffer it and check its keys before sending.
    check_delete_body: bool = False
    #: The request carries a body to stream (PUT and POST).
    has_body: bool = False
    query: dict[str, str | None] = field(default_factory=dict)

    @property
    def upload_id(self) -> str | None:
        return self.query.get("uploadId") if self.operation.uses_upload else None


def check_framing(content_length: str | None, transfer_encoding: bool) -> None:
    """Refuse both framing headers at once, whatever the request (checked first of all).

    tornado would read a chunked body whatever Content-Length says.
    """
    if content_length is not None and transfer_encoding:
        raise _bad(
            "The request has both Content-Length and Transfer-Encoding; send only Content-Length."
        )


def body_length(content_length: str | None, transfer_encoding: bool) -> int:
    """The length of a body to forward, or :class:`ProxyError` (only plain ASCII digits)."""
    check_framing(content_length, transfer_encoding)
    if content_length is None:
        if transfer_encoding:
            raise ProxyError(
                411,
                "MissingContentLength",
                "Send the request body with a Content-Length: S3 needs it.",
            )
        return 0
    if not _CONTENT_LENGTH_RE.fullmatch(content_length):
        raise _bad("The Content-Length header is invalid.")
    return int(content_length)


def split_proxy_path(raw_path: str, proxy_root: str) -> tuple[str, str]:
    """Split ``<proxy_root><id>/<rest>`` (raw) into the raw connector id and the raw rest."""
    if not raw_path.startswith(proxy_root):
        raise _bad("The request path is not below the S3 proxy.")
    tail = raw_path[len(proxy_root) :]
    raw_id, slash, rest = tail.partition("/")
    if not slash:
        raise _bad("The request names no bucket.", "InvalidBucketName")
    return raw_id, rest


def plan_request(
    connector: Connector,
    method: str,
    raw_rest: str,
    raw_query: str,
    headers: Iterable[tuple[str, str]],
) -> UpstreamPlan:
    """Check a proxied request and compute its upstream form, or raise :class:`ProxyError`.

    ``raw_rest`` is the part of the raw path after ``.../proxy/<id>/``: ``<bucket>[/<key>]``,
    still percent-encoded.
    """
    if method not in ALLOWED_METHODS:
        raise ProxyError(
            405, "MethodNotAllowed", f"The S3 proxy does not forward {method} requests."
        )
    if not _RAW_PATH_RE.fullmatch(raw_rest):
        raise _bad("The request path contains characters that must be percent-encoded.")
    if _ENCODED_SEPARATOR_RE.search(raw_rest):
        raise _bad(
            "The request path contains an encoded '/' or '\\', which the proxy can't forward "
            "safely; use the direct backend to reach such a key."
        )
    raw_bucket, _slash, raw_key = raw_rest.partition("/")
    if "%" in raw_bucket or ":" in raw_bucket or not raw_bucket:
        raise _bad("The first path segment must be a bucket name.", "InvalidBucketName")
    if raw_bucket != connector.bucket:
        raise _denied(
            f"Connector '{connector.name}' only gives access to bucket '{connector.bucket}'."
        )
    key = _decode_once(raw_key, "object key") if raw_key else None
    if key is not None:
        check_key(key)

    pairs = parse_query(raw_query)
    query = dict(pairs)
    headers = list(headers)
    try:
        operation = identify(method, key is not None, query, {n.lower() for n, _ in headers})
    except RefusedOperation as error:
        raise _denied(error.message) from None
    problem = check_values(operation, query)
    if problem:
        raise _bad(problem)
    if operation.writes and connector.mode != "read-write":
        raise _denied(f"Connector '{connector.name}' is read-only.")

    if key is not None:
        _check_in_prefix(connector, key)
    elif operation.name in ("ListObjectsV2", "ListObjectVersions"):
        if not in_prefix(connector, query.get("prefix") or ""):
            raise _denied(
                f"Connector '{connector.name}' only gives access to '{connector.prefix}': "
                "list with a prefix that starts with it."
            )

    forwarded = _forward_headers(connector, operation, headers)
    if method == "POST" and "content-type" not in forwarded:
        # tornado's client would send a form content type, which some servers (moto) then
        # parse as a form. CreateMultipartUpload's type becomes the object's: S3's default.
        forwarded["content-type"] = (
            "binary/octet-stream" if "uploads" in query else "application/xml"
        )

    path = "/" + s3_quote(connector.bucket) + ("/" + s3_quote(key) if key is not None else "")
    query_string = "&".join(
        _query_quote(name) if value is None else f"{_query_quote(name)}={_query_quote(value)}"
        for name, value in pairs
        if name not in _DROPPED_QUERY_PARAMS
    )
    url = connector.endpoint.rstrip("/") + path + ("?" + query_string if query_string else "")
    return UpstreamPlan(
        method=method,
        url=url,
        headers=forwarded,
        key=key,
        operation=operation,
        check_delete_body=operation.name == "DeleteObjects",
        has_body=operation.has_body,
        query=query,
    )


def _forward_headers(
    connector: Connector, operation: Operation, headers: Iterable[tuple[str, str]]
) -> dict[str, str]:
    forwarded: dict[str, str] = {}
    for name, value in headers:
        lname = name.lower()
        if not forwarded_header(operation, lname):
            if lname in MEANINGFUL_HEADERS:
                raise _denied(
                    f"{operation.name} through the S3 proxy does not take the header '{name}'."
                )
            continue
        if not _HEADER_VALUE_RE.fullmatch(value):
            raise _bad(
                f"The header '{name}' must be printable ASCII (percent-encode other characters)."
            )
        if lname in forwarded:
            raise _bad(f"The header '{name}' is repeated.")
        if lname == "content-encoding" and "aws-chunked" in value.lower():
            raise _bad(
                "aws-chunked uploads cannot be re-signed by the proxy; configure the S3 "
                "client with requestChecksumCalculation 'WHEN_REQUIRED'.",
                "NotImplemented",
            )
        forwarded[lname] = value
    if "x-amz-copy-source" in forwarded:
        forwarded["x-amz-copy-source"] = _copy_source(connector, forwarded["x-amz-copy-source"])
    return forwarded


def _copy_source(connector: Connector, raw: str) -> str:
    """Check that a copy source names the connector's own bucket (and prefix); re-encode it."""
    raw_path, question, raw_query = raw.partition("?")
    version_id: str | None = None
    if question:
        name, eq, value = raw_query.partition("=")
        if name != "versionId" or not eq or not value or "&" in value:
            raise _bad("The copy source may only carry a versionId.")
        version_id = _decode_once(value, "copy source")
    decoded = _decode_once(raw_path, "copy source").lstrip("/")
    bucket, slash, key = decoded.partition("/")
    if not slash or not key:
        raise _bad("The copy source must be <bucket>/<key>.")
    if bucket != connector.bucket:
        raise _denied(
            f"Connector '{connector.name}' can only copy within bucket '{connector.bucket}'."
        )
    check_key(key, "copy source key")
    _check_in_prefix(connector, key, "copy source")
    encoded = s3_quote(f"{bucket}/{key}")
    if version_id is not None:
        encoded += "?versionId=" + _query_quote(version_id)
    return encoded


def check_delete_objects_body(connector: Connector, body: bytes) -> None:
    """Refuse a DeleteObjects document naming a key outside the connector's prefix."""
    if not connector.prefix:
        return
    if b"<!" in body:  # no DOCTYPE or entities: nothing to expand
        raise _bad("The DeleteObjects document may not contain a DOCTYPE.", "MalformedXML")
    try:
        root = ET.fromstring(body)  # noqa: S314 - bounded size, no DTD (checked above)
    except ET.ParseError:
        raise _bad("The DeleteObjects document is not well-formed XML.", "MalformedXML") from None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Key":
            key = element.text or ""
            check_key(key)
            _check_in_prefix(connector, key)


def filter_response_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The upstream response headers that are passed back to the browser."""
    return [
        (name, value)
        for name, value in headers
        if name.lower() in ALLOWED_RESPONSE_HEADERS or name.lower().startswith(_META_PREFIX)
    ]


class _UnsignedPayloadAuth(S3SigV4Auth):
    """SigV4 for S3 with ``UNSIGNED-PAYLOAD``, so bodies stream without being hashed first."""

    def _should_sha256_sign_payload(self, request: AWSRequest) -> bool:
        return False


def sign(plan: UpstreamPlan, connector: Connector, credentials: Credentials) -> dict[str, str]:
    """The headers to send upstream: the plan's plus Host, X-Amz-Date and a fresh signature.

    Bodiless requests sign the empty payload's hash; requests with a body sign
    ``UNSIGNED-PAYLOAD`` so the body can be streamed.
    """
    netloc = urllib.parse.urlsplit(plan.url).netloc
    request = AWSRequest(method=plan.method, url=plan.url, headers=dict(plan.headers))
    # Sign the Host header tornado will send (botocore would drop a default port).
    request.headers["Host"] = netloc
    boto_credentials = BotoCredentials(
        credentials.access_key_id, credentials.secret_access_key, credentials.session_token
    )
    auth_class = _UnsignedPayloadAuth if plan.has_body else S3SigV4Auth
    auth_class(boto_credentials, "s3", connector.region).add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}
