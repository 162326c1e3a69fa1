"""Test a connector's settings against its S3 endpoint and explain what went wrong.

One ``ListObjectsV2`` call (``MaxKeys=1``) tells apart a wrong key, a wrong secret, a
missing bucket and a denied listing; transport failures tell apart an unreachable
endpoint, a TLS problem and a timeout. The secret never appears in a result.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    SSLError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from .records import Connector, Credentials

CHECK_CODES = (
    "ok",
    "invalid_access_key",
    "signature_mismatch",
    "no_such_bucket",
    "access_denied",
    "unreachable",
    "tls_error",
    "timeout",
    "error",
)

_RETRY_KEYS = "Check the access key ID and secret key and edit the connector."
_RETRY_ENDPOINT = "Check the endpoint URL and that the service is running."


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    code: str
    message: str

    def to_api(self) -> dict[str, Any]:
        return asdict(self)


def make_client(connector: Connector, credentials: Credentials, timeout: float) -> Any:
    """A botocore S3 client for the connector, tuned for S3-compatible services."""
    return make_endpoint_client(connector.endpoint, connector.region, credentials, timeout)


def make_endpoint_client(
    endpoint: str, region: str, credentials: Credentials, timeout: float
) -> Any:
    """A botocore S3 client for an endpoint, tuned for S3-compatible services."""
    session = botocore.session.get_session()
    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": 1},
        s3={"addressing_style": "path"},
        # SigV4 everywhere, presigned links included (botocore presigns with
        # SigV2 otherwise, which newer regions and many stores refuse).
        signature_version="s3v4",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return session.create_client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
        config=config,
    )


def check_connection_sync(
    connector: Connector, credentials: Credentials, timeout: float
) -> CheckResult:
    """Blocking version of :func:`check_connection`."""
    try:
        client = make_client(connector, credentials, timeout)
        try:
            client.list_objects_v2(Bucket=connector.bucket, Prefix=connector.prefix, MaxKeys=1)
        finally:
            client.close()
    except (BotoCoreError, ClientError, ValueError) as error:
        result = classify_error(error, connector, timeout)
        return _redact(result, credentials.secret_access_key)
    return CheckResult(True, "ok", f"Connected to bucket '{connector.bucket}'.")


async def check_connection(
    connector: Connector, credentials: Credentials, timeout: float
) -> CheckResult:
    """Test the connection without blocking the event loop."""
    return await asyncio.to_thread(check_connection_sync, connector, credentials, timeout)


@dataclass(frozen=True)
class BucketList:
    """The buckets a key can see, or why they could not be listed (``code`` as a check's)."""

    ok: bool
    code: str
    message: str
    buckets: tuple[str, ...] = ()

    def to_api(self) -> dict[str, Any]:
        return {**asdict(self), "buckets": list(self.buckets)}


def list_buckets_sync(
    endpoint: str, region: str, credentials: Credentials, timeout: float
) -> BucketList:
    """Blocking version of :func:`list_buckets`."""
    try:
        client = make_endpoint_client(endpoint, region, credentials, timeout)
        try:
            answer = client.list_buckets()
        finally:
            client.close()
    except (BotoCoreError, ClientError, ValueError) as error:
        if isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in (
            "AccessDenied",
            "AllAccessDisabled",
        ):
            result = CheckResult(
                False,
                "access_denied",
                "This key may not list the buckets of the endpoint: type the bucket name.",
            )
        else:
            result = _classify(error, endpoint, "", timeout)
        result = _redact(result, credentials.secret_access_key)
        return BucketList(False, result.code, result.message)
    names = sorted(str(b["Name"]) for b in answer.get("Buckets", []) if b.get("Name"))
    return BucketList(True, "ok", f"{len(names)} bucket(s) at {endpoint}.", tuple(names))


async def list_buckets(
    endpoint: str, region: str, credentials: Credentials, timeout: float
) -> BucketList:
    """The buckets a key can see at an endpoint (``ListBuckets``), off the event loop."""
    return await asyncio.to_thread(list_buckets_sync, endpoint, region, credentials, timeout)


def classify_error(error: Exception, connector: Connector, timeout: float) -> CheckResult:
    """Turn a botocore failure into a result code and an actionable message."""
    return _classify(error, connector.endpoint, connector.bucket, timeout)


def _classify(error: Exception, endpoint: str, bucket: str, timeout: float) -> CheckResult:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code", "")) or "Unknown"
        text = str(details.get("Message", "")).strip()
        if code == "InvalidAccessKeyId":
            return CheckResult(
                False,
                "invalid_access_key",
                f"The service does not know this access key ID. {_RETRY_KEYS}",
            )
        if code == "SignatureDoesNotMatch":
            return CheckResult(
                False,
                "signature_mismatch",
                f"The secret key does not match the access key ID. {_RETRY_KEYS}",
            )
        if code == "NoSuchBucket":
            return CheckResult(
                False,
                "no_such_bucket",
                f"The bucket '{bucket}' does not exist at {endpoint}. Check the bucket name.",
            )
        if code in ("AccessDenied", "AllAccessDisabled"):
            return CheckResult(
                False,
                "access_denied",
                f"Access to bucket '{bucket}' was denied. Check that this key may list the "
                "bucket (and the prefix), or ask the bucket's administrator.",
            )
        suffix = f": {text}" if text else "."
        return CheckResult(False, "error", f"The service answered {code}{suffix}")
    # Timeouts first: ConnectTimeoutError is also an EndpointConnectionError.
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError)):
        return CheckResult(
            False,
            "timeout",
            f"{endpoint} did not answer within {timeout:g} seconds. {_RETRY_ENDPOINT}",
        )
    if isinstance(error, SSLError):
        return CheckResult(
            False,
            "tls_error",
            f"The secure (TLS) connection to {endpoint} failed. Check that the endpoint "
            "really uses https:// and that its certificate is valid and trusted.",
        )
    if isinstance(error, (EndpointConnectionError, BotoConnectionError)):
        return CheckResult(
            False, "unreachable", f"Could not connect to {endpoint}. {_RETRY_ENDPOINT}"
        )
    return CheckResult(False, "error", f"The connection test failed: {error}")


def _redact(result: CheckResult, secret: str) -> CheckResult:
    if secret and secret in result.message:
        return CheckResult(result.ok, result.code, result.message.replace(secret, "****"))
    return result
