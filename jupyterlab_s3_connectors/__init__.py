"""jupyterlab-s3-connectors: S3-compatible buckets as JupyterLab storage."""

from __future__ import annotations

from typing import Any

from . import redact as _redact

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


__all__ = ["__version__"]
