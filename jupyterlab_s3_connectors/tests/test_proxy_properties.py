"""Property-based test of the proxy's planner: whatever the request, it stays in its folder.

For generated methods, raw paths, raw query strings and headers, a plan that
:func:`plan_request` accepts never reaches outside the connector's endpoint, bucket and
folder, and nothing that writes is planned for a read-only connector.
"""

from __future__ import annotations

import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..operations import FLAGS, KNOWN_PARAMS, OPERATIONS
from ..proxy_rules import ALLOWED_METHODS, ProxyError, plan_request, s3_quote
from .test_proxy_rules import connector

ENDPOINT = "https://s3.example.com:9000/base"
PREFIX = "folder/"

# Path pieces chosen to hit the edges: dot segments in every spelling, encoded separators,
# other buckets, the folder's name and its neighbours, odd characters and bad escapes.
PATH_PIECES = st.sampled_from(
    [
        "bucket", "other", "bucket.other", "folder", "folder/", "folder2", "folde", "secret",
        "/", "//", ".", "..", "%2e", "%2E%2e", ".%2e", "%2F", "%2f", "%5C", "%5c", "\\",
        "%", "%zz", "%C3%A9", "%FF", "a", "x y", "+", "%20", "%00", "%0A", "?", "#", ":",
        "@", "~", "http:", "%25", "folder%2F",
    ]
)  # fmt: skip
PIECES = st.lists(PATH_PIECES, max_size=8).map("".join)
# Mostly well-formed starts (the bucket, the folder), so that many requests get planned.
RAW_REST = st.one_of(
    PIECES,
    st.just("bucket"),
    PIECES.map(lambda rest: "bucket/" + rest),
    PIECES.map(lambda rest: "bucket/folder/" + rest),
    st.sampled_from(["a", "b.txt", "sub/c.ipynb", "x%20y", "%C3%A9"]).map(
        lambda rest: "bucket/folder/" + rest
    ),
)

QUERY_NAMES = st.one_of(
    st.sampled_from(sorted(KNOWN_PARAMS | {"acl", "tagging", "policy", "cors", "select"})),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-%2E", max_size=8),
)
QUERY_VALUES = st.one_of(
    st.none(),
    st.sampled_from(
        ["", "2", "url", "1", "10000", "true", "folder/", "folder/a", "secret/", "fold",
         "GetObject", "PutObject", "ListObjectsV2", "u", "%2E%2E", "..%2Fsecret"]
    ),
    st.text(alphabet="abc/%2E.folder", max_size=12),
)  # fmt: skip
GOOD_VALUES = {
    "list-type": "2", "encoding-type": "url", "fetch-owner": "false", "max-keys": "10",
    "max-parts": "10", "part-number-marker": "1", "partNumber": "3", "uploadId": "u1",
    "versionId": "v1", "response-content-disposition": "attachment", "prefix": "folder/",
}  # fmt: skip


@st.composite
def shaped_query(draw, operation=None) -> str:
    """The query of one of the operations, with some of its optional parameters and noise."""
    operation = operation or draw(st.sampled_from(OPERATIONS))
    names = sorted(operation.required) + draw(
        st.lists(st.sampled_from(sorted(operation.optional) or ["x-id"]), max_size=3, unique=True)
    )
    pairs = []
    for name in names:
        value = None if name in FLAGS else GOOD_VALUES.get(name, "v")
        pairs.append((name, value if draw(st.integers(0, 3)) else draw(QUERY_VALUES)))
    if draw(st.integers(0, 3)) == 0:
        pairs.append(draw(st.tuples(QUERY_NAMES, QUERY_VALUES)))
    return "&".join(n if v is None else f"{n}={v}" for n, v in pairs)


RAW_QUERY = st.one_of(
    st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES), max_size=5).map(
        lambda pairs: "&".join(n if v is None else f"{n}={v}" for n, v in pairs)
    ),
    shaped_query(),
)

COPY_SOURCES = [
    "bucket/folder/a", "bucket/secret/a", "/bucket/folder/../secret", "other/folder/a",
    "bucket%2Ffolder%2Fa", "bucket/folder/a?versionId=1", "bucket/folder/%2E%2E/secret",
    "bucket/folder/a?versionId=1&x=2", "bucket/folde", "bucket/folder/a%5Cb",
]  # fmt: skip

HEADERS = st.lists(
    st.tuples(
        st.sampled_from(
            ["x-amz-copy-source", "Range", "If-Match", "Content-Type", "x-amz-meta-a",
             "X-S3C-Path", "Host", "Authorization", "x-amz-copy-source-range"]
        ),
        st.sampled_from(
            ["bucket/folder/a", "bucket/secret/a", "/bucket/folder/../secret", "other/folder/a",
             "bucket%2Ffolder%2Fa", "bucket/folder/a?versionId=1", "bytes=0-1", '"e"', "x",
             "bucket/folder/%2E%2E/secret", "bucket/folder/a?versionId=1&x=2"]
        ),
    ),
    max_size=3,
    unique_by=lambda header: header[0].lower(),
)  # fmt: skip

METHODS = st.sampled_from(
    ["GET", "HEAD", "PUT", "POST", "DELETE", "GET", "PUT", "POST", "PATCH", "OPTIONS"]
)
MODES = st.sampled_from(["read-only", "read-write"])


RANDOM_REQUEST = st.tuples(METHODS, RAW_REST, RAW_QUERY, HEADERS)

SAFE_PIECES = st.lists(
    st.sampled_from(["a", "b/", "c.txt", "%20", "%C3%A9", "+", "~", "/", "/..", "/%2E", "/."]),
    max_size=4,
).map("".join)


@st.composite
def shaped_request(draw) -> tuple[str, str, str, list[tuple[str, str]]]:
    """A request shaped like one of the operations, with a few things wrong or odd."""
    if draw(st.integers(0, 4)) == 0:
        return draw(RANDOM_REQUEST)
    operation = draw(st.sampled_from(OPERATIONS))
    # Mostly as the operation has it (three times in four), else anything.
    method = operation.method if draw(st.integers(0, 3)) else draw(METHODS)
    if draw(st.integers(0, 3)) == 0:
        raw_rest = draw(RAW_REST)
    elif operation.on_key:
        raw_rest = "bucket/folder/x" + draw(SAFE_PIECES)
    else:
        raw_rest = "bucket"
    headers = draw(HEADERS) if draw(st.booleans()) else []
    if operation.required_header and draw(st.booleans()):
        headers = [(n, v) for n, v in headers if n.lower() != operation.required_header]
        headers.append((operation.required_header, draw(st.sampled_from(COPY_SOURCES))))
    return method, raw_rest, draw(shaped_query(operation)), headers


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=shaped_request(), mode=MODES)
def test_nothing_outside_the_folder_is_planned(request, mode):
    method, raw_rest, raw_query, headers = request
    target = connector(endpoint=ENDPOINT, prefix=PREFIX, mode=mode)
    try:
        plan = plan_request(target, method, raw_rest, raw_query, headers)
    except ProxyError as error:
        # Each refusal is the one its cause names: a method never forwarded is a 405,
        # anything reaching outside the folder or writing read-only an AccessDenied 403,
        # anything else malformed a 400.
        if method not in ALLOWED_METHODS:
            assert (error.status, error.code) == (405, "MethodNotAllowed"), error
        elif error.code == "AccessDenied":
            assert error.status == 403, error
        else:
            assert error.status == 400, (error.code, error.message)
        return

    # Only the connector's endpoint, and only its bucket.
    url = urllib.parse.urlsplit(plan.url)
    assert f"{url.scheme}://{url.netloc}" == "https://s3.example.com:9000"
    assert url.path == "/base/bucket" or url.path.startswith("/base/bucket/")
    # Only keys inside the folder, with no segment that could be read as another path.
    if plan.key is None:
        assert url.path == "/base/bucket"
        assert not plan.operation.on_key
        if plan.operation.name in ("ListObjectsV2", "ListObjectVersions"):
            assert (plan.query.get("prefix") or "").startswith(PREFIX)
        else:
            assert plan.operation.name in ("GetBucketVersioning", "HeadBucket", "DeleteObjects")
    else:
        assert plan.key.startswith(PREFIX)
        assert url.path == "/base/bucket/" + s3_quote(plan.key)
        assert urllib.parse.unquote(url.path) == "/base/bucket/" + plan.key
        assert not {".", ".."} & set(plan.key.split("/"))
        assert not {"\\", "\r", "\n", "\x00"} & set(plan.key)
    source = plan.headers.get("x-amz-copy-source")
    if source is not None:
        assert urllib.parse.unquote(source.partition("?")[0]).startswith("bucket/" + PREFIX)
    # Nothing that writes for a read-only connector.
    if mode == "read-only":
        assert plan.method in ("GET", "HEAD")
        assert not plan.operation.writes
    # Browser and proxy-only headers never go upstream.
    assert not {"host", "authorization", "x-s3c-path"} & set(plan.headers)
    # The query sent is only what the operation accepts (x-id dropped).
    sent = {name for name, _ in urllib.parse.parse_qsl(url.query, keep_blank_values=True)}
    sent |= {part for part in url.query.split("&") if part and "=" not in part}
    allowed = plan.operation.required | plan.operation.optional
    assert sent <= allowed
