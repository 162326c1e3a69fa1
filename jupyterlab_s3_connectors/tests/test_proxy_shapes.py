"""Each S3 operation has an exact request shape; upload IDs are tied to their key.

The attacks of issue 8 against a connector limited to ``folder/`` of a bucket that also
holds ``secret/report.csv``: listing every multipart upload of the bucket, then writing or
aborting through an upload ID of another key (moto, like some S3-compatible stores, does not
tie an upload ID to its key).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from ..proxy_rules import ProxyError
from .conftest import DEMO_BUCKET, SECRET
from .test_proxy_rules import plan, refused
from .test_proxy_security import assert_s3_error

# (method, rest, query, headers) of every request the drive sends, and the operation it is.
DRIVE_REQUESTS = [
    (
        "GET",
        "bucket",
        "list-type=2&delimiter=%2F&prefix=a%2F&encoding-type=url",
        (),
        "ListObjectsV2",
    ),
    (
        "GET",
        "bucket",
        "list-type=2&continuation-token=t&start-after=a&max-keys=1&fetch-owner=false",
        (),
        "ListObjectsV2",
    ),
    (
        "GET",
        "bucket",
        "versions&prefix=a&key-marker=a&version-id-marker=v&max-keys=5&encoding-type=url",
        (),
        "ListObjectVersions",
    ),
    ("GET", "bucket", "versioning", (), "GetBucketVersioning"),
    ("HEAD", "bucket", "", (), "HeadBucket"),
    ("POST", "bucket", "delete", [("Content-MD5", "x")], "DeleteObjects"),
    ("GET", "bucket/k", "x-id=GetObject", [("Range", "bytes=0-1")], "GetObject"),
    (
        "GET",
        "bucket/k",
        "versionId=v&response-content-disposition=attachment%3B%20filename%3Dk",
        [("If-None-Match", '"e"')],
        "GetObject",
    ),
    ("HEAD", "bucket/k", "versionId=v", (), "HeadObject"),
    ("PUT", "bucket/k", "x-id=PutObject", [("If-Match", '"e"')], "PutObject"),
    (
        "PUT",
        "bucket/k",
        "x-id=CopyObject",
        [("x-amz-copy-source", "bucket/j"), ("If-None-Match", "*")],
        "CopyObject",
    ),
    ("DELETE", "bucket/k", "x-id=DeleteObject&versionId=v", (), "DeleteObject"),
    ("POST", "bucket/k", "uploads", [("Content-Type", "text/csv")], "CreateMultipartUpload"),
    ("PUT", "bucket/k", "x-id=UploadPart&partNumber=2&uploadId=u", (), "UploadPart"),
    ("POST", "bucket/k", "uploadId=u", [("If-None-Match", "*")], "CompleteMultipartUpload"),
    ("DELETE", "bucket/k", "x-id=AbortMultipartUpload&uploadId=u", (), "AbortMultipartUpload"),
    ("GET", "bucket/k", "x-id=ListParts&uploadId=u&max-parts=10", (), "ListParts"),
]


@pytest.mark.parametrize(("method", "rest", "query", "headers", "name"), DRIVE_REQUESTS)
def test_every_drive_request_has_its_operation(method, rest, query, headers, name):
    assert plan(rest, query, method, headers).operation.name == name


# (method, rest, query, headers, the operation the refusal names)
REFUSED_SHAPES = [
    ("GET", "bucket", "versioning&uploads", (), "uploads"),
    ("GET", "bucket", "uploads", (), "uploads"),
    ("GET", "bucket", "versions&uploads", (), "uploads"),
    ("GET", "bucket", "list-type=2&versions", (), "the bucket"),
    ("GET", "bucket", "list-type=2&key-marker=a", (), "ListObjectsV2"),
    ("GET", "bucket", "versions&continuation-token=t", (), "ListObjectVersions"),
    ("GET", "bucket", "versioning&prefix=a", (), "GetBucketVersioning"),
    ("HEAD", "bucket", "list-type=2", (), "HEAD on the bucket"),
    ("DELETE", "bucket", "delete", (), "DELETE on the bucket"),
    ("GET", "bucket/k", "response-content-type=text%2Fhtml", (), "GetObject"),
    ("GET", "bucket/k", "response-cache-control=public", (), "response-cache-control"),
    ("GET", "bucket/k", "partNumber=1", (), "an object"),
    ("GET", "bucket/k", "x-id=PutObject", (), "GetObject"),
    ("PUT", "bucket/k", "partNumber=1&uploadId=u", [("x-amz-copy-source", "b/j")], "UploadPart"),
    ("PUT", "bucket/k", "uploadId=u", (), "PUT on an object"),
    ("POST", "bucket/k", "", (), "POST on an object"),
    ("POST", "bucket/k", "uploads&uploadId=u", (), "POST on an object"),
    ("DELETE", "bucket/k", "", [("If-Match", '"e"')], "DeleteObject"),
    ("GET", "bucket", "list-type=2", [("Range", "bytes=0-1")], "ListObjectsV2"),
    ("PUT", "bucket/k", "", [("x-amz-copy-source-range", "bytes=0-1")], "PutObject"),
]


@pytest.mark.parametrize(("method", "rest", "query", "headers", "named"), REFUSED_SHAPES)
def test_other_shapes_are_refused_naming_the_operation(method, rest, query, headers, named):
    error = refused(rest, query, method, headers)
    assert error.status == 403, error.message
    assert error.code == "AccessDenied"
    assert named in error.message


@pytest.mark.parametrize(
    ("method", "rest", "query"),
    [
        ("PUT", "bucket/k", "partNumber=0&uploadId=u"),
        ("PUT", "bucket/k", "partNumber=10001&uploadId=u"),
        ("PUT", "bucket/k", "partNumber=%D9%A1&uploadId=u"),  # an Arabic-Indic one
        ("PUT", "bucket/k", "partNumber=1&uploadId="),
        ("GET", "bucket", "list-type=2&max-keys=1%0A"),
        ("GET", "bucket", "list-type=2&fetch-owner=yes"),
        ("GET", "bucket", "versioning=1"),
        ("GET", "bucket/k", "versionId"),
        ("GET", "bucket/k", "response-content-disposition=inline%3B%20filename%3D%C3%A9"),
    ],
)
def test_malformed_values_are_400(method, rest, query):
    assert refused(rest, query, method).status == 400


def test_header_values_must_be_printable_ascii():
    error = refused("bucket/k", "", "PUT", [("Content-Type", "text/plain; charset=\xe9")])
    assert error.status == 400
    assert "Content-Type" in error.message


def test_dot_segments_say_what_to_do():
    error = refused("bucket/x/../y")
    assert error.message == (
        "The object key 'x/../y' contains a '.' or '..' segment, which the proxy can't "
        "forward safely; use the direct backend to reach it."
    )
    assert "direct backend" in refused("bucket/a%5Cb").message


# -- against a real Jupyter server ----------------------------------------------------


@pytest.fixture
def jp_base_url() -> str:
    # botocore re-encodes the '%' of pytest-jupyter's default '/a%40b/' (see test_proxy.py)
    return "/jupyter/"


async def test_listing_every_upload_of_the_bucket_is_refused(proxy, make_connector, recording_s3):
    connector = await make_connector(endpoint=recording_s3.endpoint, prefix="folder/")
    for query in ("versioning&uploads", "uploads", "uploads&prefix=folder%2F"):
        answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}?{query}")
        body = assert_s3_error(answer, 403, "AccessDenied")
        assert "uploads" in body
    assert recording_s3.requests == []


@pytest.fixture
def secret_upload(moto_s3):
    """A multipart upload of secret/report.csv, started outside the connector's folder."""
    key = f"secret-{uuid.uuid4().hex[:8]}/report.csv"
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key=key, Body=b"confidential")
    upload_id = moto_s3.create_multipart_upload(Bucket=DEMO_BUCKET, Key=key)["UploadId"]
    yield key, upload_id
    try:
        moto_s3.abort_multipart_upload(Bucket=DEMO_BUCKET, Key=key, UploadId=upload_id)
    except moto_s3.exceptions.NoSuchUpload:
        pass


async def test_an_upload_id_of_another_key_is_refused(
    proxy, make_connector, moto_endpoint, moto_s3, secret_upload
):
    secret_key, upload_id = secret_upload
    connector = await make_connector(endpoint=moto_endpoint, prefix="folder/")
    rest = f"/{DEMO_BUCKET}/folder/x"
    attempts = [
        ("PUT", f"{rest}?partNumber=2&uploadId={upload_id}", b"A" * 10),
        ("POST", f"{rest}?uploadId={upload_id}", b"<CompleteMultipartUpload/>"),
        ("DELETE", f"{rest}?uploadId={upload_id}", None),
        ("GET", f"{rest}?uploadId={upload_id}", None),
    ]
    for method, path, body in attempts:
        answer = await proxy.fetch(connector["id"], path, method, body)
        text = assert_s3_error(answer, 403, "AccessDenied")
        assert "upload ID was not started through connector" in text
    uploads = moto_s3.list_multipart_uploads(Bucket=DEMO_BUCKET).get("Uploads", [])
    assert (secret_key, upload_id) in [(u["Key"], u["UploadId"]) for u in uploads]
    assert (
        moto_s3.list_parts(Bucket=DEMO_BUCKET, Key=secret_key, UploadId=upload_id).get("Parts", [])
        == []
    )
    secret = moto_s3.get_object(Bucket=DEMO_BUCKET, Key=secret_key)["Body"].read()
    assert secret == b"confidential"


async def test_an_upload_is_bound_to_its_own_key(proxy, make_connector, moto_endpoint, moto_s3):
    connector = await make_connector(endpoint=moto_endpoint, prefix="folder/")
    s3 = proxy.s3(connector["id"])
    run = asyncio.to_thread
    created = await run(s3.create_multipart_upload, Bucket=DEMO_BUCKET, Key="folder/a.bin")
    upload_id = created["UploadId"]
    # Another key of the same folder cannot use it...
    other = await proxy.fetch(
        connector["id"],
        f"/{DEMO_BUCKET}/folder/b.bin?partNumber=1&uploadId={upload_id}",
        "PUT",
        b"x",
    )
    assert_s3_error(other, 403, "AccessDenied")
    # ...nor another connector
    second = await make_connector(endpoint=moto_endpoint, prefix="elsewhere/")
    stolen = await proxy.fetch(
        second["id"],
        f"/{DEMO_BUCKET}/elsewhere/a.bin?partNumber=1&uploadId={upload_id}",
        "PUT",
        b"x",
    )
    assert_s3_error(stolen, 403, "AccessDenied")
    # ...while its own key works, to the end.
    part = await run(
        s3.upload_part,
        Bucket=DEMO_BUCKET,
        Key="folder/a.bin",
        UploadId=upload_id,
        PartNumber=1,
        Body=b"data",
    )
    await run(
        s3.complete_multipart_upload,
        Bucket=DEMO_BUCKET,
        Key="folder/a.bin",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
    assert moto_s3.get_object(Bucket=DEMO_BUCKET, Key="folder/a.bin")["Body"].read() == b"data"


async def test_an_upload_the_proxy_forgot_is_re_derived_from_the_endpoint(
    proxy, make_connector, moto_endpoint, moto_s3
):
    # Started before a restart: the proxy does not remember it, the endpoint lists it.
    key = f"folder/{uuid.uuid4().hex[:8]}.bin"
    upload_id = moto_s3.create_multipart_upload(Bucket=DEMO_BUCKET, Key=key)["UploadId"]
    connector = await make_connector(endpoint=moto_endpoint, prefix="folder/")
    answer = await proxy.fetch(
        connector["id"], f"/{DEMO_BUCKET}/{key}?partNumber=1&uploadId={upload_id}", "PUT", b"x"
    )
    assert answer.code == 200, answer.body
    aborted = await proxy.fetch(
        connector["id"], f"/{DEMO_BUCKET}/{key}?uploadId={upload_id}", "DELETE"
    )
    assert aborted.code == 204, aborted.body


# -- answers are never cached -------------------------------------------------------


async def test_answers_are_never_cacheable(proxy, make_connector, moto_endpoint, moto_s3):
    moto_s3.put_object(
        Bucket=DEMO_BUCKET,
        Key="data/cached.html",
        Body=b"<script>alert(1)</script>",
        ContentType="text/html",
        CacheControl="public, max-age=31536000",
        Expires="Wed, 21 Oct 2099 07:28:00 GMT",
    )
    connector = await make_connector(endpoint=moto_endpoint)
    answers = [
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/cached.html"),
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/cached.html", "HEAD"),
        await proxy.fetch(
            connector["id"],
            f"/{DEMO_BUCKET}/data/cached.html?response-content-disposition=attachment",
        ),
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/missing"),
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}?policy"),
    ]
    assert [a.code for a in answers] == [200, 200, 200, 404, 403]
    for answer in answers:
        assert answer.headers.get_list("Cache-Control") == ["no-store, private"]
        assert "Expires" not in answer.headers
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert answers[2].headers["Content-Disposition"] == "attachment"
    override = await proxy.fetch(
        connector["id"], f"/{DEMO_BUCKET}/data/cached.html?response-content-type=text%2Fplain"
    )
    assert_s3_error(override, 403, "AccessDenied")


async def test_a_head_answer_has_the_headers_of_the_get_answer(
    proxy, make_connector, moto_endpoint, moto_s3
):
    moto_s3.put_object(
        Bucket=DEMO_BUCKET,
        Key="data/head.csv",
        Body=b"a,b\n1,2\n",
        ContentType="text/csv",
        Metadata={"owner": "alice"},
    )
    connector = await make_connector(endpoint=moto_endpoint)
    got = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/head.csv")
    for _ in range(3):  # answered as soon as the endpoint's headers are in: every time
        head = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/head.csv", "HEAD")
        assert (head.code, head.body) == (200, b"")
        for name in ("ETag", "Content-Length", "Content-Type", "Last-Modified", "X-Amz-Meta-Owner"):
            assert head.headers[name] == got.headers[name], name
        assert head.headers["Content-Length"] == "8"
        assert head.headers["X-Content-Type-Options"] == "nosniff"


# -- a path the browser rewrote (issue 7) -------------------------------------------


async def test_a_path_the_browser_rewrote_is_refused(proxy, make_connector, recording_s3):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    root = proxy.root(connector["id"])
    built = f"{root}/{DEMO_BUCKET}/a/%2E%2E/b.txt"  # what the SDK built
    sent = f"/{DEMO_BUCKET}/b.txt"  # what Chromium sent after removing the segments
    answer = await proxy.fetch(connector["id"], sent, headers={"X-S3C-Path": built})
    body = assert_s3_error(answer, 400, "PathRewritten")
    assert "<Message>The browser rewrote this request's path (a '.' or '..' segment?)" in body
    assert recording_s3.requests == []

    same = await proxy.fetch(
        connector["id"],
        f"/{DEMO_BUCKET}/a%20b.txt",
        headers={"X-S3C-Path": f"{root}/{DEMO_BUCKET}/a%20b.txt"},
    )
    assert same.code == 200, same.body
    [forwarded] = recording_s3.requests
    assert "x-s3c-path" not in forwarded["headers"]
    assert SECRET not in str(forwarded)


def test_path_header_must_match_byte_for_byte():
    from ..proxy_rules import check_path_header

    check_path_header([("X-S3C-Path", "/p/b/a%20b")], "/p/b/a%20b")
    check_path_header([], "/anything")
    for header in ("/p/b/a%20B", "/p/b/a b", "/p/b/./a%20b", "/p/b/a%20b/"):
        with pytest.raises(ProxyError) as error:
            check_path_header([("X-S3C-Path", header)], "/p/b/a%20b")
        assert error.value.code == "PathRewritten"
