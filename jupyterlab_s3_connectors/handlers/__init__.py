"""HTTP handlers of the server extension, grouped by feature."""

from __future__ import annotations

from typing import Any

from ..store import ConnectorStore
from .base import AUTH_RESOURCE, ApiError, S3ConnectorsHandler, ServerOptions
from .connectors import (
    ActivationHandler,
    ConnectionTestHandler,
    ConnectorHandler,
    ConnectorsHandler,
    InfoHandler,
)

#: URL prefix of the REST API, below the server's base_url.
API_PREFIX = "s3-connectors/api"

_ID = r"(?P<connector_id>[^/]+)"


def api_handlers(store: ConnectorStore, options: ServerOptions) -> list[tuple[str, Any, dict]]:
    """The REST API routes with their dependencies, for ``ExtensionApp.handlers``."""
    deps = {"store": store, "options": options}
    return [
        (f"{API_PREFIX}/connectors", ConnectorsHandler, deps),
        (f"{API_PREFIX}/connectors/{_ID}", ConnectorHandler, deps),
        (
            f"{API_PREFIX}/connectors/{_ID}/(?P<action>activate|deactivate)",
            ActivationHandler,
            deps,
        ),
        (f"{API_PREFIX}/connectors/{_ID}/test", ConnectionTestHandler, deps),
        (f"{API_PREFIX}/info", InfoHandler, deps),
    ]


__all__ = [
    "API_PREFIX",
    "AUTH_RESOURCE",
    "ApiError",
    "S3ConnectorsHandler",
    "ServerOptions",
    "api_handlers",
]
