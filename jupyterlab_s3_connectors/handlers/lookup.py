"""The proxy's lookup of a connector and its credentials: at most one read per request."""

from __future__ import annotations

import asyncio

from ..catalogs import split_published_id
from ..errors import StoreError
from ..records import Connector, Credentials
from ..registry import ConnectorRegistry


async def look_up(
    registry: ConnectorRegistry, connector_id: str
) -> tuple[Connector, Credentials | StoreError]:
    """The connector and its credentials, or why there are none.

    While neither the store file nor the key file changed since the last lookup, a user's
    own connector comes from the store's cache on the event loop; otherwise from one read
    of the store (or of the catalog's file) in a worker thread. A secret that cannot be had
    is returned, not raised: the request is only refused for it once it is to go upstream,
    after the checks that may refuse it anyway. ``ConnectorNotFound`` and other store
    errors are raised.
    """
    if split_published_id(connector_id) is None:
        cached = registry.store.cached(connector_id)
        if cached is not None:
            return cached
    return await asyncio.to_thread(_read, registry, connector_id)


def _read(
    registry: ConnectorRegistry, connector_id: str
) -> tuple[Connector, Credentials | StoreError]:
    connector = registry.get(connector_id)
    try:
        return connector, registry.credentials_of(connector)
    except StoreError as error:
        return connector, error
