"""Every connector a user can use: their own (the store) and those published in catalogs.

Handlers and the proxy look connectors up here by id. A user's own connectors have the
store's ids; a published one is ``<catalog>.<id>`` (:mod:`.catalogs`). Whether a published
connector is active is the user's own state, kept beside their store
(``published-active.json``), never in the shared catalog.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from .catalogs import Catalog, CatalogError, Published, split_published_id
from .errors import StoreError
from .files import atomic_write
from .records import Connector, Credentials
from .server_credentials import ServerCredentials
from .store import ConnectorStore


class PublishedActivity:
    """The ids of the published connectors this user activated (a 0600 file)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def active(self) -> set[str]:
        try:
            with open(self.path, "rb") as handle:
                document = json.loads(handle.read().decode("utf-8"))
        except FileNotFoundError:
            return set()
        except (OSError, ValueError):
            raise StoreError(
                f"The file {self.path} (which published connectors are active) cannot be "
                "read: remove it to deactivate them all."
            ) from None
        ids = document.get("active") if isinstance(document, dict) else None
        return {item for item in ids if isinstance(item, str)} if isinstance(ids, list) else set()

    def set(self, connector_id: str, active: bool) -> None:
        with self._lock():
            ids = self.active()
            if (connector_id in ids) == active:
                return
            ids = ids | {connector_id} if active else ids - {connector_id}
            data = json.dumps({"version": 1, "active": sorted(ids)}, indent=2) + "\n"
            atomic_write(self.path, data.encode("utf-8"), prefix=".published-")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


class ConnectorRegistry:
    """The store, the catalogs and the server's credentials, behind one lookup by id."""

    def __init__(
        self,
        store: ConnectorStore,
        catalogs: list[Catalog] | None = None,
        server_credentials: ServerCredentials | None = None,
    ) -> None:
        self.store = store
        self.catalogs = {catalog.name: catalog for catalog in catalogs or []}
        self.server_credentials = server_credentials or ServerCredentials()
        self.activity = PublishedActivity(
            os.path.join(os.path.dirname(store.path), "published-active.json")
        )

    # -- lookups (blocking: call them in a thread) ---------------------------------

    def catalog(self, name: str) -> Catalog:
        try:
            return self.catalogs[name]
        except KeyError:
            raise CatalogError(f"There is no catalog named '{name}'.", 404) from None

    def published(self, connector_id: str) -> Published | None:
        """The published connector of that id; None when the id is one of the store's."""
        parts = split_published_id(connector_id)
        if parts is None:
            return None
        catalog, source_id = parts
        return self.catalog(catalog).get(source_id)

    def get(self, connector_id: str) -> Connector:
        published = self.published(connector_id)
        if published is None:
            return self.store.get(connector_id)
        return replace(published.connector, active=connector_id in self.activity.active())

    def describe(self, connector_id: str) -> tuple[Connector, dict[str, Any]]:
        """The connector, and how the REST API shows it (a published one with its catalog's
        facts), from one read of the store or of the catalog's file."""
        published = self.published(connector_id)
        if published is None:
            connector = self.store.get(connector_id)
            return connector, connector.to_api()
        active = connector_id in self.activity.active()
        owned = any(c.id == published.source_id for c in self.store.list_connectors())
        answer = published.to_api(active, can_unpublish=owned)
        return replace(published.connector, active=active), answer

    def all_connectors(self) -> list[Connector]:
        """The user's own connectors, then the published ones with this user's state."""
        active = self.activity.active()
        found = list(self.store.list_connectors())
        for catalog in self.catalogs.values():
            published, _ = catalog.list()
            found += [replace(p.connector, active=p.id in active) for p in published]
        return found

    def credentials_of(self, connector: Connector) -> Credentials:
        if connector.credentials == "server":
            return self.server_credentials.get()
        published = self.published(connector.id)
        if published is None:
            return self.store.credentials_of(connector)
        if published.credentials == "server":
            return self.server_credentials.get()
        return self.catalog(published.catalog).credentials(published)

    def set_active(self, connector_id: str, active: bool) -> Connector:
        if split_published_id(connector_id) is None:
            return self.store.set_active(connector_id, active)
        connector = self.get(connector_id)  # 404 for a connector that is not published
        self.activity.set(connector_id, active)
        return replace(connector, active=active)

    # -- publishing ----------------------------------------------------------------

    def publications(self, source_id: str) -> list[str]:
        """The catalogs where the user's connector ``source_id`` is published."""
        found = []
        for catalog in self.catalogs.values():
            if catalog.spec.read_only or catalog.unavailable():
                continue
            with contextlib.suppress(CatalogError):
                catalog.get(source_id)
                found.append(catalog.name)
        return found

    def publish(self, connector_id: str, catalog_name: str, publisher: str) -> Published:
        catalog = self.catalog(catalog_name)
        if split_published_id(connector_id) is not None:
            raise CatalogError("A published connector cannot be published again.", 400)
        connector = self.store.get(connector_id)
        if connector.credentials == "server":
            # Each member's server then uses its own credentials.
            return catalog.publish(connector, None, publisher)
        return catalog.publish(connector, self.store.credentials_of(connector), publisher)

    def unpublish(self, connector_id: str, catalog_name: str) -> None:
        """Withdraw the user's connector from a catalog; only its owner's server may."""
        catalog = self.catalog(catalog_name)
        parts = split_published_id(connector_id)
        source_id = parts[1] if parts else connector_id
        if parts is not None and parts[0] != catalog_name:
            raise CatalogError(f"Connector '{connector_id}' is not in '{catalog_name}'.", 404)
        owned = {c.id for c in self.store.list_connectors()}
        if source_id not in owned:
            raise CatalogError(
                "Only the user who published a connector can unpublish it: its original is "
                "not among your connectors.",
                403,
            )
        catalog.unpublish(source_id)

    def check_deletable(self, connector_id: str) -> None:
        """Refuse to delete a connector that is still published (409 naming where)."""
        where = self.publications(connector_id)
        if where:
            names = ", ".join(f"'{name}'" for name in where)
            raise CatalogError(
                f"This connector is published in the catalog(s) {names}: unpublish it before "
                "deleting it.",
                409,
            )

    # -- the API's view --------------------------------------------------------------

    def catalogs_for_api(self) -> list[dict[str, Any]]:
        """Each catalog with its connectors, whether this user may publish there and why not."""
        active = self.activity.active()
        owned = {c.id for c in self.store.list_connectors()}
        answer = []
        for catalog in self.catalogs.values():
            published, problems = catalog.list()
            answer.append(
                {
                    "name": catalog.name,
                    "title": catalog.spec.title,
                    "read_only": catalog.spec.read_only,
                    "unavailable": catalog.unavailable(),
                    "cannot_publish": catalog.cannot_publish(),
                    "problems": problems,
                    "connectors": [
                        p.to_api(p.id in active, can_unpublish=p.source_id in owned)
                        for p in published
                    ],
                }
            )
        return answer


__all__ = ["ConnectorRegistry", "PublishedActivity"]
