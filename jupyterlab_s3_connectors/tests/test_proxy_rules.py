"""The proxy's rules as pure functions: path slicing, encoding, allowlists, signing."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from ..proxy_rules import (
    ProxyError,
    check_delete_objects_body,
    filter_response_headers,
    plan_request,
    s3_quote,
    sign,
    split_proxy_path,
)
from ..records import Connector, Credentials


def connector(**overrides: Any) -> Connector:
    fields: dict[str, Any] = {
        "id": "c1",
        "name": "demo",
        "description": "",
        "endpoint": "https://s3.example.com:9000/base",
        "region": "eu-west-3",
        "bucket": "bucket",
        "prefix": "",
        "access_key_id": "AKID",
        "mode": "read-write",
        "backend": "proxy",
        "creator": "alice",
        "created_at": "",
        "updated_at": "",
        "active": True,
    }
    fields.update(overrides)
    return Connector(**fields)


def plan(rest: str, query: str = "", method: str = "GET", headers=(), **overrides):
    return plan_request(connector(**overrides), method, rest, query, list(headers))


def refused(rest: str, query: str = "", method: str = "GET", headers=(), **overrides):
    with pytest.raises(ProxyError) as error:
        plan(rest, query, method, headers, **overrides)
    return error.value


def test_split_proxy_path_keeps_the_raw_encoding():
    root = "/a%40b/s3-connectors/proxy/"
    assert split_proxy_path(root + "id/bucket/a%20b//c", root) == ("id", "bucket/a%20b//c")
    assert split_proxy_path(root + "id/bucket", root) == ("id", "bucket")
    assert refused_split(root + "id", root).code == "InvalidBucketName"


def refused_split(path: str, root: str) -> ProxyError:
    with pytest.raises(ProxyError) as error:
        split_proxy_path(path, root)
    return error.value


@pytest.mark.parametrize(
    ("raw_key", "key"),
    [
        ("a%20b.txt", "a b.txt"),
        ("a+b.txt", "a+b.txt"),  # '+' in a path is a literal plus
        ("a%2Bb.txt", "a+b.txt"),
        ("100%25%20sure%3F%23%26%3D.txt", "100% sure?#&=.txt"),
        ("a//b", "a//b"),
        ("dir/", "dir/"),
        ("%C3%BC%E6%97%A5", "ü日"),
        ("tilde~(x)!*'", "tilde~(x)!*'"),
    ],
)
def test_keys_are_decoded_once_and_re_encoded_like_botocore(raw_key, key):
    result = plan("bucket/" + raw_key)
    assert result.key == key
    assert result.url == "https://s3.example.com:9000/base/bucket/" + s3_quote(key)


def test_url_is_built_from_the_endpoint_only():
    result = plan(
        "bucket/k",
        "versionId=a%2Fb+c&x-id=GetObject&response-content-disposition=attachment",
    )
    assert result.url == (
        "https://s3.example.com:9000/base/bucket/k?versionId=a%2Fb%2Bc"
        "&response-content-disposition=attachment"
    )
    bare = plan("bucket", "versions&prefix=a%20b", "GET")
    assert bare.url.endswith("/bucket?versions&prefix=a%20b")


def test_bucket_and_prefix_rules():
    assert refused("other/k").status == 403
    assert refused("bucket/k", prefix="home/").status == 403
    assert refused("bucket/home", prefix="home/").status == 403
    assert plan("bucket/home/", prefix="home/").key == "home/"
    assert plan("bucket/home/a/b", prefix="home/").key == "home/a/b"
    assert plan("bucket", "list-type=2&prefix=home%2Fa", prefix="home/").key is None
    assert refused("bucket", "list-type=2", prefix="home/").status == 403
    assert refused("bucket", "list-type=2&prefix=hom", prefix="home/").status == 403
    assert refused("bucket", "versions&prefix=", prefix="home/").status == 403


@pytest.mark.parametrize(
    "rest",
    [
        "bucket/a/../b",
        "bucket/./b",
        "bucket/%2E%2E/x",
        "bucket/a%2Fb",
        "bucket/a%5cb",
        "bucket%2fx/k",
        "http:/x",
        ":bucket/x",
        "/bucket/x",
        "bucket/a%0ab",
        "bucket/a b",
        "bucket/a#b",
        "bucket/%",
        "bucket/%FF",
    ],
)
def test_malformed_paths_are_400(rest):
    assert refused(rest).status == 400


def test_query_allowlist():
    assert refused("bucket/k", "acl").status == 403
    assert refused("bucket/k", "tagging").status == 403
    assert refused("bucket", "list-type=2&max-keys=ten").status == 400
    assert refused("bucket/k", "partNumber=1&uploadId=u&partNumber=2").status == 400
    assert refused("bucket", "list-type=2&encoding-type=xml").status == 400
    assert plan("bucket/k", "partNumber=2&uploadId=u%2B1", "PUT").url.endswith(
        "/bucket/k?partNumber=2&uploadId=u%2B1"
    )


def test_header_allowlist():
    result = plan(
        "bucket/k",
        method="PUT",
        headers=[
            ("Content-Type", "text/csv"),
            ("Content-Length", "3"),
            ("X-Amz-Meta-Author", "Ann"),
            ("If-Match", '"e"'),
            ("Cookie", "a=b"),
            ("Authorization", "token t"),
            ("X-XSRFToken", "x"),
            ("Origin", "http://x"),
            ("Referer", "http://x/lab"),
            ("Host", "evil.example"),
            ("X-Amz-Acl", "public-read"),
            ("X-Amz-Content-Sha256", "abc"),
            ("Expect", "100-continue"),
            ("X-Amz-Checksum-Crc32", "AAAAAA=="),
        ],
    )
    assert result.headers == {
        "content-type": "text/csv",
        "content-length": "3",
        "x-amz-meta-author": "Ann",
        "if-match": '"e"',
        "x-amz-checksum-crc32": "AAAAAA==",
    }
    assert (
        refused("bucket/k", method="PUT", headers=[("Content-Encoding", "aws-chunked")]).code
        == "NotImplemented"
    )


def test_post_gets_an_explicit_content_type():
    assert plan("bucket/k", "uploads", "POST").headers["content-type"] == "binary/octet-stream"
    assert plan("bucket/k", "uploadId=1", "POST").headers["content-type"] == "application/xml"
    assert plan("bucket", "delete", "POST").check_delete_body is True


def test_copy_source():
    headers = [("x-amz-copy-source", "/bucket/dir%2Fa%20b.txt?versionId=v1")]
    result = plan("bucket/dir/copy", method="PUT", headers=headers)
    assert result.headers["x-amz-copy-source"] == "bucket/dir/a%20b.txt?versionId=v1"
    assert refused("bucket/k", method="PUT", headers=[("x-amz-copy-source", "b2/k")]).status == 403
    assert (
        refused(
            "bucket/home/k",
            method="PUT",
            headers=[("x-amz-copy-source", "bucket/other/k")],
            prefix="home/",
        ).status
        == 403
    )


def test_delete_objects_keys_must_be_inside_the_prefix():
    home = connector(prefix="home/")
    inside = b"<Delete><Object><Key>home/a</Key></Object><Quiet>true</Quiet></Delete>"
    check_delete_objects_body(home, inside)
    ns = b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>x</Key></Object></Delete>'
    for body in (ns, b"<Delete><Object><Key>home/../x</Key></Object></Delete>"):
        with pytest.raises(ProxyError):
            check_delete_objects_body(home, body)
    bomb = b'<!DOCTYPE d [<!ENTITY a "home/">]><Delete><Object><Key>&a;</Key></Object></Delete>'
    with pytest.raises(ProxyError):
        check_delete_objects_body(home, bomb)
    with pytest.raises(ProxyError):
        check_delete_objects_body(home, b"<Delete>")


def test_response_headers_are_filtered():
    kept = filter_response_headers(
        [
            ("ETag", '"e"'),
            ("Set-Cookie", "a=b"),
            ("Location", "http://evil"),
            ("X-Amz-Meta-A", "1"),
            ("Access-Control-Allow-Origin", "*"),
            ("Content-Range", "bytes 0-1/2"),
        ]
    )
    assert kept == [("ETag", '"e"'), ("X-Amz-Meta-A", "1"), ("Content-Range", "bytes 0-1/2")]


def test_signature_matches_botocore_for_the_same_request():
    c = connector(endpoint="http://127.0.0.1:9000")
    result = plan(
        "bucket/a%20b/%C3%BC+",
        "versionId=v+1",
        headers=[("Range", "bytes=0-1")],
        endpoint="http://127.0.0.1:9000",
    )
    assert result.url == "http://127.0.0.1:9000/bucket/a%20b/%C3%BC%2B?versionId=v%2B1"
    signed = sign(result, c, Credentials("AKID", "secret"))
    assert signed["Host"] == "127.0.0.1:9000"
    assert signed["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID/")
    assert "/eu-west-3/s3/aws4_request" in signed["Authorization"]
    assert "secret" not in str(signed)

    # botocore, given the same wire request, computes the same signature.
    reference = AWSRequest(
        method="GET",
        url=result.url,
        headers={
            "range": "bytes=0-1",
            "Host": "127.0.0.1:9000",
            "X-Amz-Date": signed["X-Amz-Date"],
        },
    )
    reference.context["timestamp"] = signed["X-Amz-Date"]
    auth = S3SigV4Auth(BotoCredentials("AKID", "secret"), "s3", "eu-west-3")
    reference.headers["X-Amz-Content-SHA256"] = signed["X-Amz-Content-SHA256"]
    expected = auth.signature(
        auth.string_to_sign(reference, auth.canonical_request(reference)), reference
    )
    assert signed["Authorization"].endswith("Signature=" + expected)


def test_bodies_are_signed_unsigned_payload():
    result = plan("bucket/k", method="PUT", headers=[("Content-Length", "3")])
    signed = sign(result, connector(), Credentials("AKID", "secret"))
    assert signed["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    bodiless = sign(plan("bucket/k"), connector(), Credentials("AKID", "secret"))
    assert bodiless["X-Amz-Content-SHA256"] == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
