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

from .store import Connector, Credentials

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
        endpoint_url=connector.endpoint,
        region_name=connector.region,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
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


def classify_error(error: Exception, connector: Connector, timeout: float) -> CheckResult:
    """Turn a botocore failure into a result code and an actionable message."""
    endpoint = connector.endpoint
    bucket = connector.bucket
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
