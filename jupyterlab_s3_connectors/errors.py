"""Errors shared by the store, the key handling and the handlers."""

from __future__ import annotations


class StoreError(Exception):
    """The connector store cannot be used; ``message`` tells the user what to do.

    Messages name files and connectors, never a secret or a key.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConnectorNotFound(LookupError):
    def __init__(self, connector_id: str):
        super().__init__(f"There is no connector with id '{connector_id}'.")
        self.message = str(self)


class DuplicateName(ValueError):
    def __init__(self, name: str):
        super().__init__(f"A connector named '{name}' already exists.")
        self.name = name
        self.message = str(self)


class ConnectorActive(RuntimeError):
    def __init__(self, name: str):
        super().__init__(f"Connector '{name}' is active: deactivate it before deleting it.")
        self.name = name
        self.message = str(self)
