"""jupyterlab-s3-connectors: S3-compatible buckets as JupyterLab storage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import redact as _redact

if TYPE_CHECKING:
    from .kernel import ActiveConnector

# Before any configuration of this package can be logged (see redact.py).
_redact.install()

try:
    from ._version import __version__
except ImportError:  # a source checkout never built by hatch, which generates _version.py
    __version__ = "dev"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyterlab-s3-connectors"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import S3ConnectorsApp

    return [{"module": "jupyterlab_s3_connectors.app", "app": S3ConnectorsApp}]


def connector(name: str) -> ActiveConnector:
    """The active S3 connector ``name``, for notebook code: ``c.fs``, ``c.open(key)``,
    ``c.client()``, ``c.local_path(key)``; see :mod:`jupyterlab_s3_connectors.kernel`.

    The module ``connector`` (the stored resource) is imported above, before this function
    takes its name in the package: ``from .records import Connector`` keeps working, and
    fsspec, s3fs and boto3 are only imported once a notebook asks for a connector.
    """
    from .kernel import connector as resolve_connector

    return resolve_connector(name)


__all__ = ["__version__", "connector"]
