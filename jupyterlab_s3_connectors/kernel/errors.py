"""What the kernel API raises. Messages name connectors and paths, never a secret."""

from __future__ import annotations

import errno
from collections.abc import Sequence


class ConnectorUnavailable(LookupError):
    """No active connector has this name; ``active`` lists the names that would work."""

    def __init__(self, message: str, name: str, active: Sequence[str]):
        super().__init__(message)
        self.message = message
        self.name = name
        self.active = list(active)

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross processes (dask workers): rebuild from the same arguments.
        return (type(self), (self.message, self.name, self.active))


class UnknownConnector(ConnectorUnavailable):
    """The store holds no connector of that name."""


class InactiveConnector(ConnectorUnavailable):
    """The connector exists but is not active: activation is what makes a bucket usable."""


class ReadOnlyConnector(PermissionError):
    """A write through a read-only connector, refused before any request is made."""

    def __init__(self, name: str, action: str, path: str | None = None):
        message = f"S3 connector '{name}' is read-only: {action} is refused"
        if path is None:
            super().__init__(errno.EACCES, message)
        else:
            super().__init__(errno.EACCES, message, path)
        self.connector = name
        self.action = action
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.connector, self.action, self.path))


class PathOutsideConnector(ValueError):
    """A path that would leave the connector's bucket and folder."""


class NotMounted(ValueError):
    """``local_path`` of a connector whose backend mounts nothing."""


def active_list(names: Sequence[str]) -> str:
    """'Active connectors: a, b.' or a hint when there are none."""
    if not names:
        return "No connector is active: activate one in the S3 Connectors panel."
    return "Active connectors: " + ", ".join(names) + "."
