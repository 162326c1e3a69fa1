"""Shareable links: presigned GETs, signed on the server with the connector's stored key.

Building a botocore client reads botocore's data files and signing hashes; both block,
so :func:`presign_get` runs them in a thread, off the server's event loop.
"""

from __future__ import annotations

import asyncio

from .records import Connector, Credentials
from .s3check import make_client


def presign_get_sync(
    connector: Connector, credentials: Credentials, key: str, expires_in: int, timeout: float
) -> str:
    """Blocking version of :func:`presign_get`.

    Raises ``ValueError`` when botocore refuses the connector's endpoint.
    """
    client = make_client(connector, credentials, timeout)
    try:
        url: str = client.generate_presigned_url(
            "get_object",
            Params={"Bucket": connector.bucket, "Key": key},
            ExpiresIn=expires_in,
        )
    finally:
        client.close()
    return url


async def presign_get(
    connector: Connector, credentials: Credentials, key: str, expires_in: int, timeout: float
) -> str:
    """A link that GETs ``key`` of the connector's bucket for ``expires_in`` seconds."""
    return await asyncio.to_thread(
        presign_get_sync, connector, credentials, key, expires_in, timeout
    )
