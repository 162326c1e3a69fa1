"""The S3 proxy is never an open relay: what it refuses, strips, adds and reports.

These tests keep pytest-jupyter's default base_url ('/a%40b/'), so the proxy's slicing of
the raw, percent-encoded path is covered with an encoded base_url too.
"""

from __future__ import annotations

import asyncio
import socket
import urllib.parse

import pytest
from tornado.simple_httpclient import HTTPStreamClosedError

from .conftest import DEMO_BUCKET, SECRET, free_port
from .test_auth import _login

KEY_ID = "AKIDEXAMPLE"


def assert_s3_error(response, status: int, code: str) -> str:
    body = response.body.decode()
    assert response.code == status, body
    assert response.headers["Content-Type"] == "application/xml"
    assert f"<Code>{code}</Code>" in body, body
    assert SECRET not in body
    return body


async def test_browser_credentials_are_stripped_and_the_request_re_signed(
    proxy, make_connector, recording_s3, jp_http_port
):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    origin = f"http://127.0.0.1:{jp_http_port}"
    answer = await proxy.fetch(
        connector["id"],
        f"/{DEMO_BUCKET}/dir/file%20name.html?x-id=GetObject",
        headers={
            "Cookie": "_xsrf=abc; username-x=secret-cookie",
            "X-XSRFToken": "abc",
            "Origin": origin,
            "Referer": origin + "/lab",
            "X-Amz-Security-Token": "from-the-browser",
            "X-Amz-Acl": "public-read",
            "X-Amz-Date": "20000101T000000Z",
            "X-Amz-Content-Sha256": "0" * 64,
            "X-Forwarded-Host": "evil.example",
            "Range": "bytes=0-3",
            "If-None-Match": '"zzz"',
            "X-Amz-Meta-Note": "dropped",
        },
    )
    assert answer.code == 200, answer.body
    assert answer.body == b"recorded"
    [seen] = recording_s3.requests
    assert seen["method"] == "GET"
    assert seen["path"] == f"/{DEMO_BUCKET}/dir/file%20name.html"
    headers = seen["headers"]
    for name in (
        "cookie",
        "x-xsrftoken",
        "origin",
        "referer",
        "x-amz-security-token",
        "x-amz-acl",
        "x-forwarded-host",
    ):
        assert name not in headers, name
    assert headers["host"] == urllib.parse.urlsplit(recording_s3.endpoint).netloc
    assert headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={KEY_ID}/")
    assert "/us-east-1/s3/aws4_request" in headers["authorization"]
    assert headers["x-amz-date"] != "20000101T000000Z"
    assert headers["x-amz-content-sha256"] != "0" * 64
    assert headers["range"] == "bytes=0-3"
    assert headers["if-none-match"] == '"zzz"'
    assert "x-amz-meta-note" not in headers  # metadata only goes with writes
    assert SECRET not in str(seen)

    # The answer: S3 headers pass, the endpoint's cookies and redirects do not, and the
    # bucket's HTML can never run on the Jupyter origin.
    assert answer.headers["ETag"] == '"abc"'
    assert answer.headers["X-Amz-Meta-Color"] == "blue"
    assert answer.headers["Content-Type"] == "text/html"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert answer.headers["Cache-Control"] == "no-store, private"
    assert "Location" not in answer.headers
    assert all("upstream" not in cookie for cookie in answer.headers.get_list("Set-Cookie"))


async def test_query_is_re_encoded_and_x_id_dropped(proxy, make_connector, recording_s3):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    answer = await proxy.fetch(
        connector["id"],
        f"/{DEMO_BUCKET}?list-type=2&delimiter=%2F&prefix=a%20b%2Bc%2F&x-id=ListObjectsV2",
    )
    assert answer.code == 200
    assert recording_s3.requests[0]["path"] == (
        f"/{DEMO_BUCKET}?list-type=2&delimiter=%2F&prefix=a%20b%2Bc%2F"
    )
    answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/k?uploads", "POST")
    assert answer.code == 200
    assert recording_s3.requests[1]["path"] == f"/{DEMO_BUCKET}/k?uploads"


REFUSED = [
    # (method, raw path after the connector id, status, code)
    ("GET", "/other-bucket/data/hello.txt", 403, "AccessDenied"),
    ("GET", "/evil.example/x", 403, "AccessDenied"),
    ("GET", "/http://evil.example/x", 400, "InvalidBucketName"),
    ("GET", "/https:%2F%2Fevil.example/x", 400, "InvalidRequest"),
    ("GET", "//evil.example/x", 400, "InvalidBucketName"),
    ("GET", "/", 400, "InvalidBucketName"),
    ("GET", "", 400, "InvalidBucketName"),
    ("GET", f"/{DEMO_BUCKET}/../other-bucket/x", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a/./b", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a/%2e%2e/%2E%2E/other-bucket/x", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/%2e%2e", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}%2Fx/key", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a%2Fb", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a%2f..%2fb", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a%5Cb", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a\\b", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a%00b", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a%0D%0AHost:%20evil", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/a%zz", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/%C3%28", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}/key?acl", 403, "AccessDenied"),
    ("GET", f"/{DEMO_BUCKET}/key?x-amz-security-token=t", 403, "AccessDenied"),
    ("GET", f"/{DEMO_BUCKET}/key?versionId=1&versionId=2", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}?list-type=1", 400, "InvalidRequest"),
    ("GET", f"/{DEMO_BUCKET}?policy", 403, "AccessDenied"),
    ("GET", f"/{DEMO_BUCKET}", 403, "AccessDenied"),
    ("GET", f"/{DEMO_BUCKET}/key?list-type=2", 403, "AccessDenied"),
    ("PUT", f"/{DEMO_BUCKET}", 403, "AccessDenied"),
    ("DELETE", f"/{DEMO_BUCKET}", 403, "AccessDenied"),
    ("PUT", f"/{DEMO_BUCKET}?versioning", 403, "AccessDenied"),
    ("POST", f"/{DEMO_BUCKET}/key", 403, "AccessDenied"),
    ("PATCH", f"/{DEMO_BUCKET}/key", 405, "MethodNotAllowed"),
]


@pytest.mark.parametrize(("method", "rest", "status", "code"), REFUSED)
async def test_refused_requests_never_reach_the_endpoint(
    proxy, make_connector, recording_s3, method, rest, status, code
):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    answer = await proxy.fetch(connector["id"], rest, method)
    assert_s3_error(answer, status, code)
    assert recording_s3.requests == []


COPY_SOURCES = [
    ("other-bucket/data/hello.txt", 403),
    ("/other-bucket/data/hello.txt", 403),
    (f"{DEMO_BUCKET}/../other-bucket/x", 400),
    (f"{DEMO_BUCKET}%2F..%2Fother-bucket%2Fx", 400),
    (f"{DEMO_BUCKET}/key?versionId=1&x=2", 400),
    (f"{DEMO_BUCKET}/key?partNumber=1", 400),
    (DEMO_BUCKET, 400),
]


@pytest.mark.parametrize(("source", "status"), COPY_SOURCES)
async def test_copy_source_must_be_the_same_bucket(
    proxy, make_connector, recording_s3, source, status
):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    answer = await proxy.fetch(
        connector["id"], f"/{DEMO_BUCKET}/copy", "PUT", headers={"x-amz-copy-source": source}
    )
    assert answer.code == status, answer.body
    assert recording_s3.requests == []


async def test_copy_source_is_re_encoded(proxy, make_connector, recording_s3):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    answer = await proxy.fetch(
        connector["id"],
        f"/{DEMO_BUCKET}/copy",
        "PUT",
        headers={"x-amz-copy-source": f"{DEMO_BUCKET}%2Fa%20b%2Bc.txt?versionId=v%201"},
    )
    assert answer.code == 200
    sent = recording_s3.requests[0]["headers"]["x-amz-copy-source"]
    assert sent == f"{DEMO_BUCKET}/a%20b%2Bc.txt?versionId=v%201"


async def test_absolute_form_request_target_is_not_proxied(
    make_connector, recording_s3, jp_http_port, jp_base_url, jp_serverapp
):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    token = jp_serverapp.identity_provider.token
    target = (
        f"http://evil.example{jp_base_url}s3-connectors/proxy/{connector['id']}/"
        f"{DEMO_BUCKET}/data/hello.txt"
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{jp_http_port}\r\n"
        f"Authorization: token {token}\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    # tornado routes on the request target as sent: an absolute URL matches no route.
    assert status_line.startswith(b"HTTP/1.1 404 ")
    assert recording_s3.requests == []


async def test_unauthenticated_requests_are_refused(proxy, make_connector, recording_s3):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    for method in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        answer = await proxy.fetch(
            connector["id"], f"/{DEMO_BUCKET}/data/hello.txt?uploads", method, auth=False
        )
        assert answer.code == 403, (method, answer.body)
    wrong = await proxy.fetch(
        connector["id"],
        f"/{DEMO_BUCKET}/data/hello.txt",
        headers={"Authorization": "token not-the-token"},
        auth=False,
    )
    assert wrong.code == 403
    assert recording_s3.requests == []


async def test_cookie_authenticated_writes_need_the_xsrf_header(
    proxy, make_connector, recording_s3, http_server_client, jp_serverapp, jp_base_url
):
    connector = await make_connector(endpoint=recording_s3.endpoint)
    cookies = await _login(http_server_client, jp_serverapp, jp_base_url)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    rest = f"/{DEMO_BUCKET}/notes.txt"

    read = await proxy.fetch(connector["id"], rest, headers={"Cookie": cookie}, auth=False)
    assert read.code == 200
    assert len(recording_s3.requests) == 1

    for headers in ({"Cookie": cookie}, {"Cookie": cookie, "X-XSRFToken": "forged"}):
        refused = await proxy.fetch(connector["id"], rest, "PUT", b"x", headers, auth=False)
        assert refused.code == 403
        assert "xsrf" in refused.body.decode().lower()
        refused = await proxy.fetch(
            connector["id"], f"/{DEMO_BUCKET}?delete", "POST", b"<Delete/>", headers, auth=False
        )
        assert refused.code == 403
    assert len(recording_s3.requests) == 1

    accepted = await proxy.fetch(
        connector["id"],
        rest,
        "PUT",
        b"x",
        {"Cookie": cookie, "X-XSRFToken": cookies["_xsrf"]},
        auth=False,
    )
    assert accepted.code == 200, accepted.body
    forwarded = recording_s3.requests[-1]["headers"]
    assert "cookie" not in forwarded
    assert "x-xsrftoken" not in forwarded
    assert forwarded["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={KEY_ID}/")


async def test_read_only_refusals_do_not_contact_the_endpoint(proxy, make_connector, recording_s3):
    connector = await make_connector(
        endpoint=recording_s3.endpoint, mode="read-only", name="archive"
    )
    for method, rest, body in [
        ("PUT", f"/{DEMO_BUCKET}/a.txt", b"x"),
        ("POST", f"/{DEMO_BUCKET}/a.txt?uploads", b""),
        ("POST", f"/{DEMO_BUCKET}/a.txt?uploadId=1", b"<CompleteMultipartUpload/>"),
        ("DELETE", f"/{DEMO_BUCKET}/a.txt", None),
        ("DELETE", f"/{DEMO_BUCKET}/a.txt?uploadId=1", None),
        ("POST", f"/{DEMO_BUCKET}?delete", b"<Delete><Object><Key>a</Key></Object></Delete>"),
    ]:
        answer = await proxy.fetch(connector["id"], rest, method, body)
        text = assert_s3_error(answer, 403, "AccessDenied")
        assert "<Message>Connector 'archive' is read-only.</Message>" in text
    assert recording_s3.requests == []
    head = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/a.txt", "HEAD")
    assert head.code == 200
    assert len(recording_s3.requests) == 1


async def test_unreachable_endpoint_is_a_502(proxy, make_connector):
    endpoint = f"http://127.0.0.1:{free_port()}"
    connector = await make_connector(endpoint=endpoint)
    answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt")
    body = assert_s3_error(answer, 502, "EndpointUnreachable")
    assert "The S3 endpoint could not be reached: " in body
    assert endpoint in body
    assert "Check the connector's endpoint URL" in body
    head = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt", "HEAD")
    assert head.code == 502
    assert head.body == b""
    upload = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/up.bin", "PUT", b"x" * 300_000)
    assert_s3_error(upload, 502, "EndpointUnreachable")


@pytest.fixture
def silent_endpoint():
    """An endpoint that accepts connections and never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


class TestSmallLimits:
    @pytest.fixture
    def extension_config(self):
        return {"proxy_request_timeout": 0.5, "proxy_max_body_size": 1000}

    async def test_slow_endpoint_is_a_504(self, proxy, make_connector, silent_endpoint):
        connector = await make_connector(endpoint=silent_endpoint)
        answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt")
        body = assert_s3_error(answer, 504, "EndpointTimeout")
        assert silent_endpoint in body
        assert "did not answer in time" in body

    async def test_body_larger_than_the_limit_is_a_413(self, proxy, make_connector, recording_s3):
        connector = await make_connector(endpoint=recording_s3.endpoint)
        answer = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/big", "PUT", b"x" * 2000)
        assert answer.code == 413
        assert recording_s3.requests == []
        small = await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/small", "PUT", b"x" * 1000)
        assert small.code == 200
        assert recording_s3.requests[0]["body"] == b"x" * 1000


async def test_credentials_endpoint(api, make_connector, moto_endpoint):
    proxied = await make_connector(endpoint=moto_endpoint, name="proxied")
    refused = await api("GET", "connectors", proxied["id"], "credentials")
    assert refused.code == 403
    assert "proxy" in refused.json["message"]
    assert SECRET not in refused.raw

    direct = await make_connector(
        endpoint=moto_endpoint, name="direct", backend="direct", active=False
    )
    inactive = await api("GET", "connectors", direct["id"], "credentials")
    assert inactive.code == 403
    assert "activate" in inactive.json["message"]

    assert (await api("POST", "connectors", direct["id"], "activate")).code == 200
    granted = await api("GET", "connectors", direct["id"], "credentials")
    assert granted.code == 200
    assert granted.json == {
        "access_key_id": KEY_ID,
        "secret_access_key": SECRET,
        "region": "us-east-1",
        "endpoint": moto_endpoint,
        "bucket": DEMO_BUCKET,
    }
    assert granted.headers["Cache-Control"] == "no-store"

    missing = await api("GET", "connectors", "nope", "credentials")
    assert missing.code == 404


async def test_credentials_are_never_logged(api, make_connector, moto_endpoint, caplog):
    direct = await make_connector(endpoint=moto_endpoint, name="direct", backend="direct")
    granted = await api("GET", "connectors", direct["id"], "credentials")
    assert granted.code == 200
    assert SECRET not in caplog.text


@pytest.fixture
def truncating_endpoint():
    """An endpoint that promises 100 bytes, sends 10 and hangs up."""
    import threading

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve() -> None:
        try:
            connection, _ = server.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            connection.sendall(
                b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "e"\r\n\r\n0123456789'
            )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    thread.join(timeout=5)


async def test_an_answer_cut_upstream_is_cut_for_the_browser(
    proxy, make_connector, truncating_endpoint
):
    connector = await make_connector(endpoint=truncating_endpoint)
    # The status and length were already sent: the proxy closes the connection, so the
    # browser sees a broken download rather than a complete-looking one.
    with pytest.raises(HTTPStreamClosedError):
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt")
