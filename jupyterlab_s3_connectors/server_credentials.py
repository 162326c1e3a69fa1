"""The server's own AWS credentials, for connectors that say ``"credentials": "server"``.

botocore's standard chain finds them: the environment (``AWS_ACCESS_KEY_ID``…), the shared
credentials and config files with their profiles (``AWS_PROFILE``), web identity
(``AWS_WEB_IDENTITY_TOKEN_FILE``), container credentials
(``AWS_CONTAINER_CREDENTIALS_FULL_URI`` / ``_RELATIVE_URI``) and the instance metadata
service. Temporary credentials are renewed by botocore before they expire; each call to
:meth:`ServerCredentials.get` returns a frozen, current set.

Finding them may mean an HTTP request (container or instance endpoints): call
:meth:`ServerCredentials.get` off the event loop.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError

from .errors import StoreError
from .records import Credentials
from .redact import register_secret


class NoServerCredentials(StoreError):
    """The chain found nothing, or the source it found failed."""


class ServerCredentials:
    """The credential chain of the server's process, resolved once and refreshed by botocore."""

    def __init__(self, session_factory: Any = botocore.session.Session) -> None:
        self._session_factory = session_factory
        self._resolved: Any = None
        self._lock = threading.Lock()

    def get(self) -> Credentials:
        """The current credentials (blocking); raise :class:`NoServerCredentials`."""
        with self._lock:
            if self._resolved is None:
                try:
                    self._resolved = self._session_factory().get_credentials()
                except BotoCoreError as error:
                    raise NoServerCredentials(_failure(error)) from None
            resolved = self._resolved
        if resolved is None:
            raise NoServerCredentials(
                "This Jupyter server has no AWS credentials of its own: none in its "
                "environment, shared credentials or config files, nor from a container or "
                "instance role. Give the connector a key instead, or ask the administrator."
            )
        try:
            frozen = resolved.get_frozen_credentials()
        except BotoCoreError as error:
            raise NoServerCredentials(_failure(error)) from None
        for value in (frozen.secret_key, frozen.token):
            if value:
                register_secret(value)
        return Credentials(frozen.access_key, frozen.secret_key, frozen.token or None)

    def forget(self) -> None:
        """Resolve the chain again at the next :meth:`get` (after the configuration changed)."""
        with self._lock:
            self._resolved = None


def _failure(error: BotoCoreError) -> str:
    return (
        "The server's own AWS credentials could not be obtained "
        f"({type(error).__name__}): check the server's AWS configuration or role."
    )


__all__ = ["NoServerCredentials", "ServerCredentials"]
