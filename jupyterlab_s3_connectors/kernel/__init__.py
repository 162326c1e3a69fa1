"""Notebook and kernel access to active connectors, without a secret in the notebook.

``connector("demo")`` (also importable from the package) and the fsspec protocol
``s3c://<connector name>/<key>`` (entry point ``fsspec.specs``) read the server's store:
the kernels the server starts inherit its location (:mod:`..locations`).
"""

from __future__ import annotations

from .access import ActiveConnector, connector
from .errors import (
    ConnectorUnavailable,
    InactiveConnector,
    NotMounted,
    PathOutsideConnector,
    ReadOnlyConnector,
    UnknownConnector,
)
from .filesystem import ConnectorFileSystem

__all__ = [
    "ActiveConnector",
    "ConnectorFileSystem",
    "ConnectorUnavailable",
    "InactiveConnector",
    "NotMounted",
    "PathOutsideConnector",
    "ReadOnlyConnector",
    "UnknownConnector",
    "connector",
]
