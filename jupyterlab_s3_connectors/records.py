"""A connector as the store keeps it, and its decrypted credentials."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["Connector", "Credentials", "timestamp", "utc_now"]


def utc_now() -> datetime:
    """The current time, aware, in UTC: the store's clock unless it is given another."""
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """A moment as ISO 8601 UTC with seconds precision, e.g. 2026-11-28T04:00:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Connector:
    """One connector as stored. ``secret`` is the Fernet token, never the plain secret."""

    id: str
    name: str
    description: str
    endpoint: str
    region: str
    bucket: str
    prefix: str
    access_key_id: str
    mode: str
    backend: str
    creator: str
    created_at: str
    updated_at: str
    active: bool = False
    secret: str | None = field(default=None, repr=False)
    #: ``key``: its own key pair (``secret``); ``server``: the server's AWS credentials.
    credentials: str = "key"

    def to_api(self) -> dict[str, Any]:
        """The connector as the REST API shows it: no secret, ``has_secret`` instead."""
        data = dataclasses.asdict(self)
        del data["secret"]
        data["has_secret"] = bool(self.secret)
        return data

    def to_file(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Credentials:
    """Decrypted credentials of a connector, for server-side use only."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    #: Temporary credentials (the server's own, from a role) come with a session token.
    session_token: str | None = field(default=None, repr=False)
