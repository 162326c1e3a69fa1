"""boto3 clients for a connector: its endpoint, region and key, path-style addressing."""

from __future__ import annotations

from typing import Any

from .errors import ReadOnlyConnector
from .filesystem import CONNECT_TIMEOUT
from .resolve import ResolvedConnector

#: Operations a read-only connector's client may call (or presign).
READ_OPERATIONS = ("Get", "Head", "List")


def make_client(resolved: ResolvedConnector, **config: Any) -> Any:
    """A boto3 S3 client for ``resolved``; ``config`` adds botocore ``Config`` options."""
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {
        "s3": {"addressing_style": "path"},
        "connect_timeout": CONNECT_TIMEOUT,
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    options.update(config)
    connector = resolved.connector
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=connector.endpoint,
        region_name=resolved.region,
        aws_access_key_id=resolved.credentials.access_key_id,
        aws_secret_access_key=resolved.credentials.secret_access_key,
        aws_session_token=resolved.credentials.session_token,
        config=Config(**options),
    )
    if resolved.read_only:
        name = connector.name

        def refuse_writes(model: Any, **_: Any) -> None:
            # Emitted before a request is built, for calls and presigned URLs alike.
            if not model.name.startswith(READ_OPERATIONS):
                raise ReadOnlyConnector(name, model.name)

        client.meta.events.register_first("before-parameter-build.s3", refuse_writes)
    return client
