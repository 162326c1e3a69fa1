"""The S3 operations the proxy forwards, each with its exact request shape.

Pure data and checks, free of tornado. A request is one of :data:`OPERATIONS` when its
method, the presence of a key, its query parameters and (for CopyObject) the
``x-amz-copy-source`` header match that operation's :class:`Operation`; otherwise the proxy
refuses it with a 403 naming what it looked like. There is no global list of allowed query
words: a parameter is only accepted by the operations that use it.

The shapes are those of the drive's AWS SDK for JavaScript calls (``src/drive``), which add
``x-id=<OperationName>`` to some requests: ``x-id`` is accepted on any operation, must name
it, and is never forwarded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Conditional headers of reads.
_READ_CONDITIONS = frozenset(
    {"if-match", "if-none-match", "if-modified-since", "if-unmodified-since"}
)
#: Conditional writes (S3's PutObject, CopyObject and CompleteMultipartUpload).
_WRITE_CONDITIONS = frozenset({"if-match", "if-none-match"})
#: Integrity checksums the SDK sends where S3 requires one (DeleteObjects).
_CHECKSUMS = frozenset(
    {
        "content-md5",
        "x-amz-sdk-checksum-algorithm",
        "x-amz-checksum-crc32",
        "x-amz-checksum-crc32c",
        "x-amz-checksum-crc64nvme",
        "x-amz-checksum-sha1",
        "x-amz-checksum-sha256",
    }
)
#: The stored attributes of a new object.
_OBJECT_ATTRIBUTES = frozenset(
    {
        "content-type",
        "content-disposition",
        "content-encoding",
        "content-language",
        "cache-control",
        "expires",
    }
)
_COPY_SOURCE = frozenset(
    {
        "x-amz-copy-source",
        "x-amz-copy-source-if-match",
        "x-amz-copy-source-if-none-match",
        "x-amz-copy-source-if-modified-since",
        "x-amz-copy-source-if-unmodified-since",
        "x-amz-metadata-directive",
    }
)

#: Headers that change what a request means: one of these on an operation that does not
#: take it is refused, not silently dropped (dropping ``If-Match`` would make a conditional
#: write unconditional). Every other header outside the operation's list is dropped.
MEANINGFUL_HEADERS = _READ_CONDITIONS | _COPY_SOURCE | {"range", "x-amz-copy-source-range"}

#: Query parameters whose value may be empty (or absent, which S3 reads as empty).
_MAY_BE_EMPTY = frozenset({"prefix", "delimiter", "start-after", "key-marker", "version-id-marker"})

#: Query parameters that are flags: no value, or an empty one.
FLAGS = frozenset({"versions", "versioning", "delete", "uploads"})

_NUMBER_RE = re.compile(r"[0-9]{1,10}")
_PRINTABLE_RE = re.compile(r"[\x20-\x7e]*")

#: Exact values or patterns (matched whole) of query parameters that have a fixed form.
VALUE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "list-type": (re.compile(r"2"), "Only ListObjectsV2 (list-type=2) is supported."),
    "encoding-type": (re.compile(r"url"), "The only supported encoding-type is 'url'."),
    "fetch-owner": (re.compile(r"true|false"), "fetch-owner must be 'true' or 'false'."),
    "max-keys": (_NUMBER_RE, "The query parameter 'max-keys' must be a number."),
    "max-parts": (_NUMBER_RE, "The query parameter 'max-parts' must be a number."),
    "part-number-marker": (
        _NUMBER_RE,
        "The query parameter 'part-number-marker' must be a number.",
    ),
    "partNumber": (
        re.compile(r"[1-9][0-9]{0,3}|10000"),
        "The query parameter 'partNumber' must be a number from 1 to 10000.",
    ),
    # S3 copies it into the Content-Disposition header of its answer: printable ASCII only
    # (the drive percent-encodes file names, RFC 5987).
    "response-content-disposition": (
        _PRINTABLE_RE,
        "response-content-disposition must be printable ASCII (percent-encode the file name).",
    ),
}


@dataclass(frozen=True)
class Operation:
    """The exact request shape of one S3 operation."""

    name: str
    method: str
    #: The path names an object (True) or only the bucket (False).
    on_key: bool
    #: Query parameters the request must carry (they also identify the operation).
    required: frozenset[str] = frozenset()
    #: Further query parameters it may carry.
    optional: frozenset[str] = frozenset()
    #: Request headers forwarded upstream (lower case).
    headers: frozenset[str] = frozenset()
    #: ``x-amz-meta-*`` headers are forwarded.
    metadata: bool = False
    #: The request changes the bucket (refused for read-only connectors).
    writes: bool = False
    #: A header that must be present (CopyObject's ``x-amz-copy-source``).
    required_header: str | None = None
    #: The operation continues a multipart upload: its ``uploadId`` must be one the proxy
    #: started for the same connector, bucket and key.
    uses_upload: bool = False

    @property
    def has_body(self) -> bool:
        return self.method in ("PUT", "POST")


def _op(name: str, method: str, on_key: bool, **kwargs: Any) -> Operation:
    for attribute in ("required", "optional", "headers"):
        if attribute in kwargs:
            kwargs[attribute] = frozenset(kwargs[attribute])
    return Operation(name, method, on_key, **kwargs)


_LIST_COMMON = {"prefix", "delimiter", "max-keys", "encoding-type"}

OPERATIONS: tuple[Operation, ...] = (
    _op(
        "ListObjectsV2",
        "GET",
        False,
        required={"list-type"},
        optional=_LIST_COMMON | {"continuation-token", "start-after", "fetch-owner"},
    ),
    _op(
        "ListObjectVersions",
        "GET",
        False,
        required={"versions"},
        optional=_LIST_COMMON | {"key-marker", "version-id-marker"},
    ),
    _op("GetBucketVersioning", "GET", False, required={"versioning"}),
    _op("HeadBucket", "HEAD", False),
    _op(
        "DeleteObjects",
        "POST",
        False,
        required={"delete"},
        headers={"content-type", "content-length", *_CHECKSUMS},
        writes=True,
    ),
    _op(
        "GetObject",
        "GET",
        True,
        optional={"versionId", "response-content-disposition"},
        headers={"range", *_READ_CONDITIONS},
    ),
    _op("HeadObject", "HEAD", True, optional={"versionId"}, headers={"range", *_READ_CONDITIONS}),
    _op(
        "CopyObject",
        "PUT",
        True,
        headers={"content-length", *_COPY_SOURCE, *_OBJECT_ATTRIBUTES, *_WRITE_CONDITIONS},
        metadata=True,
        writes=True,
        required_header="x-amz-copy-source",
    ),
    _op(
        "PutObject",
        "PUT",
        True,
        headers={"content-length", *_OBJECT_ATTRIBUTES, *_WRITE_CONDITIONS, *_CHECKSUMS},
        metadata=True,
        writes=True,
    ),
    _op("DeleteObject", "DELETE", True, optional={"versionId"}, writes=True),
    _op(
        "CreateMultipartUpload",
        "POST",
        True,
        required={"uploads"},
        headers={"content-length", *_OBJECT_ATTRIBUTES},
        metadata=True,
        writes=True,
    ),
    _op(
        "UploadPart",
        "PUT",
        True,
        required={"partNumber", "uploadId"},
        headers={"content-length", *_CHECKSUMS},
        writes=True,
        uses_upload=True,
    ),
    _op(
        "CompleteMultipartUpload",
        "POST",
        True,
        required={"uploadId"},
        headers={"content-type", "content-length", *_WRITE_CONDITIONS, *_CHECKSUMS},
        writes=True,
        uses_upload=True,
    ),
    _op(
        "AbortMultipartUpload",
        "DELETE",
        True,
        required={"uploadId"},
        writes=True,
        uses_upload=True,
    ),
    _op(
        "ListParts",
        "GET",
        True,
        required={"uploadId"},
        optional={"max-parts", "part-number-marker"},
        uses_upload=True,
    ),
)

#: The query parameters some operation uses (only to word refusals).
KNOWN_PARAMS = frozenset({"x-id"}.union(*(op.required | op.optional for op in OPERATIONS)))

#: Query parameters that select an S3 sub-resource or another operation than the plain one:
#: a request carrying one that its operation does not require is a different operation.
_SELECTORS = frozenset(
    {"list-type", "versions", "versioning", "delete", "uploads", "uploadId", "partNumber"}
)


class RefusedOperation(Exception):
    """The request is no operation the proxy forwards; ``message`` says what it looked like."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _describe(method: str, on_key: bool, names: list[str]) -> str:
    target = "an object" if on_key else "the bucket"
    query = " with ?" + "&".join(names) if names else " without query parameters"
    return f"{method} on {target}{query}"


def identify(
    method: str, on_key: bool, query: Mapping[str, str | None], header_names: set[str]
) -> Operation:
    """The operation a request is, or :class:`RefusedOperation` naming what it looked like."""
    present = set(query) - {"x-id"}
    candidates = [op for op in OPERATIONS if op.method == method and op.on_key == on_key]
    for op in candidates:
        if op.required_header and op.required_header not in header_names:
            continue
        if not op.required <= present or (present & _SELECTORS) - op.required:
            continue
        extra = sorted(present - op.required - op.optional)
        if extra and not set(extra) - KNOWN_PARAMS:
            raise RefusedOperation(
                f"{op.name} through the S3 proxy does not accept the query parameter"
                f"{'s' if len(extra) > 1 else ''} {', '.join(repr(n) for n in extra)}."
            )
        if extra:
            break  # a sub-resource of another operation (?acl, ?tagging...)
        _check_x_id(op, query)
        return op
    unknown = sorted(present - KNOWN_PARAMS)
    names = unknown or sorted(present)
    allowed = ", ".join(op.name for op in candidates) or "nothing"
    raise RefusedOperation(
        f"The S3 proxy does not forward {_describe(method, on_key, names)}: it is not one of "
        f"the operations the drive uses ({method} on "
        f"{'an object' if on_key else 'the bucket'}: {allowed})."
    )


def _check_x_id(op: Operation, query: Mapping[str, str | None]) -> None:
    if "x-id" in query and query["x-id"] != op.name:
        raise RefusedOperation(f"The request is a {op.name}, but its x-id names {query['x-id']!r}.")


def check_values(op: Operation, query: Mapping[str, str | None]) -> str | None:
    """The first problem with the query's values, as a message, or None."""
    for name, value in query.items():
        if name in FLAGS:
            if value:
                return f"The query parameter '{name}' takes no value."
        elif name in _MAY_BE_EMPTY:
            continue
        elif not value:
            return f"The query parameter '{name}' of {op.name} needs a value."
        else:
            rule = VALUE_RULES.get(name)
            if rule and not rule[0].fullmatch(value):
                return rule[1]
    return None


def forwarded_header(op: Operation, name: str) -> bool:
    """Whether the (lower-case) request header goes upstream with this operation."""
    return name in op.headers or (op.metadata and name.startswith("x-amz-meta-"))
