"""HTTP handlers of the server extension, grouped by feature."""

from __future__ import annotations

from typing import Any

from ..mounts import MountSupervisor
from ..registry import ConnectorRegistry
from ..store import ConnectorStore
from .base import AUTH_RESOURCE, ApiError, S3ConnectorsHandler, ServerOptions
from .buckets import BucketListHandler
from .connectors import (
    ActivationHandler,
    CatalogsHandler,
    ConnectionTestHandler,
    ConnectorHandler,
    ConnectorsHandler,
    CredentialsHandler,
    InfoHandler,
    MountHandler,
    PresignHandler,
    PublishHandler,
)
from .proxy import PROXY_PREFIX, ProxyOptions, S3ProxyHandler

#: URL prefix of the REST API, below the server's base_url.
API_PREFIX = "s3-connectors/api"

_ID = r"(?P<connector_id>[^/]+)"


def api_handlers(
    store: ConnectorStore,
    options: ServerOptions,
    registry: ConnectorRegistry | None = None,
    mounts: MountSupervisor | None = None,
) -> list[tuple[str, Any, dict]]:
    """The REST API routes with their dependencies, for ``ExtensionApp.handlers``."""
    deps = {
        "store": store,
        "options": options,
        "registry": registry or ConnectorRegistry(store),
        "mounts": mounts,
    }
    return [
        (f"{API_PREFIX}/connectors", ConnectorsHandler, deps),
        (f"{API_PREFIX}/connectors/{_ID}", ConnectorHandler, deps),
        (
            f"{API_PREFIX}/connectors/{_ID}/(?P<action>activate|deactivate)",
            ActivationHandler,
            deps,
        ),
        (f"{API_PREFIX}/connectors/{_ID}/test", ConnectionTestHandler, deps),
        (
            f"{API_PREFIX}/connectors/{_ID}/(?P<action>publish|unpublish)",
            PublishHandler,
            deps,
        ),
        (f"{API_PREFIX}/catalogs", CatalogsHandler, deps),
        (
            f"{API_PREFIX}/connectors/{_ID}/(?P<action>mount|remount)",
            MountHandler,
            deps,
        ),
        (f"{API_PREFIX}/connectors/{_ID}/credentials", CredentialsHandler, deps),
        (f"{API_PREFIX}/connectors/{_ID}/presign", PresignHandler, deps),
        (f"{API_PREFIX}/info", InfoHandler, deps),
        (f"{API_PREFIX}/buckets", BucketListHandler, deps),
    ]


def proxy_handlers(
    store: ConnectorStore,
    options: ServerOptions,
    proxy_options: ProxyOptions,
    registry: ConnectorRegistry | None = None,
) -> list[tuple[str, Any, dict]]:
    """The S3 proxy route (``<base_url>s3-connectors/proxy/<id>/<bucket>/<key...>``)."""
    deps = {
        "store": store,
        "options": options,
        "proxy_options": proxy_options,
        "registry": registry or ConnectorRegistry(store),
    }
    return [(f"{PROXY_PREFIX}/{_ID}(?P<path>/.*)?", S3ProxyHandler, deps)]


__all__ = [
    "API_PREFIX",
    "AUTH_RESOURCE",
    "PROXY_PREFIX",
    "ApiError",
    "ProxyOptions",
    "S3ConnectorsHandler",
    "ServerOptions",
    "api_handlers",
    "proxy_handlers",
]
