"""The connection test: error classification (unit) and real calls to moto."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    SSLError,
)

from jupyterlab_s3_connectors.records import Connector, Credentials
from jupyterlab_s3_connectors.s3check import (
    CHECK_CODES,
    check_connection_sync,
    classify_error,
)

from .conftest import DEMO_BUCKET, SECRET, free_port


def connector(endpoint: str = "http://127.0.0.1:9", bucket: str = DEMO_BUCKET) -> Connector:
    return Connector(
        id="id",
        name="demo",
        description="",
        endpoint=endpoint,
        region="us-east-1",
        bucket=bucket,
        prefix="",
        access_key_id="AKID",
        mode="read-write",
        backend="proxy",
        creator="alice",
        created_at="2026-11-28T04:00:00Z",
        updated_at="2026-11-28T04:00:00Z",
    )


def client_error(code: str, message: str = "details") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "ListObjectsV2")


@pytest.mark.parametrize(
    ("error", "code", "hint"),
    [
        (client_error("InvalidAccessKeyId"), "invalid_access_key", "Check the access key ID"),
        (client_error("SignatureDoesNotMatch"), "signature_mismatch", "Check the access key ID"),
        (client_error("NoSuchBucket"), "no_such_bucket", "Check the bucket name"),
        (client_error("AccessDenied"), "access_denied", "denied"),
        (client_error("SlowDown", "Please reduce"), "error", "SlowDown: Please reduce"),
        (EndpointConnectionError(endpoint_url="http://x"), "unreachable", "Check the endpoint URL"),
        (ConnectTimeoutError(endpoint_url="http://x"), "timeout", "did not answer"),
        (ReadTimeoutError(endpoint_url="http://x"), "timeout", "did not answer"),
        (SSLError(endpoint_url="http://x", error="bad cert"), "tls_error", "certificate"),
    ],
)
def test_classify_error(error, code, hint):
    result = classify_error(error, connector(), 10)
    assert result.ok is False
    assert result.code == code
    assert code in CHECK_CODES
    assert hint in result.message


def test_live_ok_and_no_such_bucket(moto_endpoint):
    credentials = Credentials("AKID", SECRET)
    ok = check_connection_sync(connector(moto_endpoint), credentials, 5)
    assert (ok.ok, ok.code) == (True, "ok")
    assert ok.message == f"Connected to bucket '{DEMO_BUCKET}'."
    missing = check_connection_sync(connector(moto_endpoint, "missing-bucket"), credentials, 5)
    assert (missing.ok, missing.code) == (False, "no_such_bucket")
    assert "missing-bucket" in missing.message


def test_live_unreachable():
    result = check_connection_sync(
        connector(f"http://127.0.0.1:{free_port()}"), Credentials("AKID", SECRET), 5
    )
    assert (result.ok, result.code) == (False, "unreachable")
    assert SECRET not in result.message
